// Where Defender's recommendations on the API endpoints of Function Apps and Logic Apps are in the
// repository: the HTTP trigger the assessment is about, at its exact range. The app is matched by the
// resource's name (the project mapped to it through azure.yaml, a deployment workflow or its
// declaration), the endpoint by the function's or trigger's name in the assessed resource's id, else in
// the assessment's details.
//
// What the assessment names is not published. Assumed, and both accepted: (1) the endpoint is a
// sub-resource of the assessed id (`…/Microsoft.Web/sites/<app>/functions/<function>`,
// `…/sites/<app>/workflows/<workflow>/triggers/<trigger>`, `…/Microsoft.Logic/workflows/<workflow>/triggers/<trigger>`);
// (2) the assessed id is the site or the workflow and `additionalData` names the endpoint, by name
// (`functionName`, `endpointName`, `workflowName`/`triggerName`…) or by URL or route (`/api/orders/{id}`).
// A workflow named without its trigger is placed on its one trigger (a workflow has a single trigger).
import type { ApimService, HostedProject, HttpTrigger } from '../model';
import type { DeployedAssessment } from './snapshot';

const SITE = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.web\/sites\/([^/]+)(?:\/slots\/[^/]+)?(?:\/(functions|workflows)\/([^/]+)(?:\/triggers\/([^/]+))?)?\/?$/i;
const WORKFLOW = /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.logic\/workflows\/([^/]+)(?:\/triggers\/([^/]+))?\/?$/i;

/** Keys of `additionalData` that name the endpoint, in the order they are trusted. */
const NAME_KEYS = ['functionname', 'function', 'endpointname', 'apiendpointname', 'triggername', 'operationname'];
const WORKFLOW_KEYS = ['workflowname', 'workflow'];
const ROUTE_KEYS = ['route', 'path', 'endpoint', 'apiendpoint', 'url', 'endpointurl', 'uri'];

/** The Function App or Logic App resource an assessment is on, and the endpoint it names, if any. */
export interface HostedTarget {
  /** `site` (Function App, Logic App Standard) or `workflow` (Consumption). */
  host: 'site' | 'workflow';
  /** The site's or the Consumption workflow's name. */
  app: string;
  /** A Logic App Standard workflow, or the Consumption workflow itself. */
  workflow?: string;
  /** The function's or the trigger's name. */
  endpoint?: string;
  /** A URL or route the details give instead of a name. */
  route?: string;
}

/** What an assessment's resource id and details say it is about; undefined for a resource that is not a site or a workflow. */
export function hostedTarget(assessment: Pick<DeployedAssessment, 'resourceId' | 'details'>): HostedTarget | undefined {
  const details = new Map(Object.entries(assessment.details ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
  const detail = (keys: readonly string[]) => keys.map((key) => details.get(key)).find((value) => value !== undefined && value !== '');
  const site = SITE.exec(assessment.resourceId);
  if (site) {
    const [, app, below, name, trigger] = site;
    if (below?.toLowerCase() === 'functions') return { host: 'site', app, endpoint: name };
    if (below?.toLowerCase() === 'workflows') return { host: 'site', app, workflow: name, endpoint: trigger ?? detail(NAME_KEYS) };
    return { host: 'site', app, workflow: detail(WORKFLOW_KEYS), endpoint: detail(NAME_KEYS), route: detail(ROUTE_KEYS) };
  }
  const workflow = WORKFLOW.exec(assessment.resourceId);
  if (workflow) return { host: 'workflow', app: workflow[1], workflow: workflow[1], endpoint: workflow[2] ?? detail(NAME_KEYS) };
  return undefined;
}

export type HostedPlacement = { trigger: HttpTrigger; project?: HostedProject } | { resource: string; why: string };

/** The trigger an assessment on a Function App or Logic App is about, or, when none is found, the resource it names and why. */
export function placeHosted(service: ApimService, target: HostedTarget): HostedPlacement {
  const app = target.app.toLowerCase();
  const resource = target.host === 'workflow' ? `workflows/${target.app}` : `sites/${target.app}${target.workflow ? `/workflows/${target.workflow}` : ''}${target.endpoint && !target.workflow ? `/functions/${target.endpoint}` : ''}`;
  const projects = service.hosted?.projects ?? [];
  if (target.host === 'workflow') {
    // A Consumption workflow's triggers are `workflows/<workflow>/triggers/<trigger>`, whatever project reads them.
    const triggers = projects.flatMap((project) => project.triggers.filter((trigger) => trigger.id.toLowerCase().startsWith(`workflows/${app}/triggers/`)).map((trigger) => ({ trigger, project })));
    if (triggers.length === 0) return { resource, why: `no Consumption workflow named ${target.app} with an HTTP trigger is in the repository` };
    return pick(triggers, target, resource);
  }
  const project = projects.find((candidate) => (candidate.appName ?? candidate.app?.name)?.toLowerCase() === app);
  if (!project) return { resource, why: `no code in the repository is mapped to the app ${target.app} (azure.yaml, a deployment workflow or its declaration)` };
  const triggers = project.triggers
    .filter((trigger) => !target.workflow || trigger.name.toLowerCase().startsWith(`${target.workflow.toLowerCase()}/`))
    .map((trigger) => ({ trigger, project }));
  if (triggers.length === 0) return { resource, why: `the code mapped to ${target.app} has no HTTP trigger${target.workflow ? ` in workflow ${target.workflow}` : ''}` };
  return pick(triggers, target, resource);
}

/** The trigger the endpoint's name (or route) names among `candidates`. */
function pick(candidates: { trigger: HttpTrigger; project: HostedProject }[], target: HostedTarget, resource: string): HostedPlacement {
  if (target.endpoint) {
    const wanted = target.endpoint.toLowerCase();
    const found = candidates.find(({ trigger }) => trigger.name.toLowerCase() === wanted || trigger.name.toLowerCase().endsWith(`/${wanted}`));
    return found ?? { resource, why: `the code mapped to ${target.app} has no HTTP trigger named ${target.endpoint}` };
  }
  if (target.route) {
    const wanted = routeSegments(target.route);
    // With the route prefix (`/api/orders/{id}`, host.json's default) or without it.
    const found = candidates.filter(({ trigger }) => {
      const route = routeSegments(`api/${trigger.route ?? trigger.name}`);
      return trigger.host === 'function-app' && (sameRoute(route, wanted) || sameRoute(route.slice(1), wanted));
    });
    if (found.length === 1) return found[0];
    return { resource, why: `${found.length === 0 ? 'no' : found.length} HTTP trigger${found.length === 1 ? '' : 's'} of ${target.app} answer${found.length === 1 ? 's' : ''} on ${target.route}` };
  }
  // A workflow has one trigger: naming the workflow names it.
  if (target.workflow && candidates.length === 1) return candidates[0];
  return { resource, why: `the assessment names no endpoint of ${target.app} (neither in its resource id nor in its details)` };
}

/** A route's segments without host and query: `https://x/api/orders/{id}?code=…` → api, orders, {}. */
function routeSegments(route: string): string[] {
  const path = route.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/[?#].*$/, '');
  return path
    .split('/')
    .filter(Boolean)
    .map((segment) => (/^\{.*\}$/.test(segment) ? '{}' : segment.toLowerCase()));
}

/** Routes alike, a `{parameter}` on either side matching any segment. */
function sameRoute(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, index) => segment === b[index] || segment === '{}' || b[index] === '{}');
}
