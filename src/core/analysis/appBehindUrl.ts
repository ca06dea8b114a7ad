import type { HostedProject } from '../model';

/**
 * The project whose app serves `url`: the URL's host is the app's default host name
 * (`<app>.azurewebsites.net`), or the URL is built from the declaration's own default host name
 * (`${api.properties.defaultHostName}`, `${api.outputs.defaultHostname}`).
 * Kept minimal on purpose: once the backend resolver (src/core/backends/, `ResolvedBackend`) is
 * merged, this should ask it instead.
 */
export function projectServingUrl(url: string, projects: readonly HostedProject[]): HostedProject | undefined {
  const host = /^https?:\/\/([^/:?#]+)/i.exec(url.trim())?.[1]?.toLowerCase();
  return projects.find((project) => {
    const name = project.appName ?? project.app?.name;
    if (name !== undefined && host === `${name.toLowerCase()}.azurewebsites.net`) return true;
    const symbol = project.app?.symbol;
    return symbol !== undefined && (url.includes(`\${${symbol}.properties.defaultHostName}`) || url.includes(`\${${symbol}.outputs.defaultHostname}`));
  });
}

/** The route prefix of HTTP functions (host.json's `extensions.http.routePrefix`, taken at its default). */
const ROUTE_PREFIX = 'api';

/**
 * The triggers of `project` that calls to `url` can reach: those whose path (`/api/<route>`, the
 * function's name when it has no route) lies below the URL's path. A `{parameter}` segment of a
 * route matches any segment. Logic App triggers are reached through callback URLs: all of them.
 */
export function triggersBelowUrl(url: string, project: HostedProject): HostedProject['triggers'] {
  const urlPath = /^https?:\/\/[^/?#]+([^?#]*)/i.exec(url.trim())?.[1] ?? '';
  const wanted = segments(urlPath);
  return project.triggers.filter((trigger) => {
    if (trigger.host !== 'function-app') return true;
    const path = [ROUTE_PREFIX, ...segments(trigger.route ?? trigger.name)];
    return wanted.every((segment, index) => index < path.length && (path[index] === segment.toLowerCase() || /^\{.*\}$/.test(path[index]) || path[index].startsWith('{*')));
  });
}

function segments(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0).map((segment) => segment.toLowerCase());
}
