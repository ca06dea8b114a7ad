import type { ResolvedBackend } from '../backends/resolve';
import type { HostedProject } from '../model';

/**
 * The project whose app a resolved backend is: the declared site the backend resolver matched the
 * URL to, else (an app no file declares) the app a deployment of the code names, by its default host
 * name (`<app>.azurewebsites.net`).
 */
export function projectServing(backend: ResolvedBackend, projects: readonly HostedProject[]): HostedProject | undefined {
  const site = backend.app?.site;
  if (site) return projects.find((project) => project.app === site);
  const host = backend.host;
  return host === undefined ? undefined : projects.find((project) => !project.app && project.appName !== undefined && host === `${project.appName.toLowerCase()}.azurewebsites.net`);
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
