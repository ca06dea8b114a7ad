// Which app a project's code is deployed to, as the repository says: azd's `azure.yaml`
// (`services.<name>.project` with `host: function`, the site carrying the tag `azd-service-name: <name>`)
// and GitHub workflows (`azure/functions-action`'s `app-name` and `package`).
import * as path from 'path';
import type { SourceLocation } from '../../text';
import type { ReadContext } from '../context';
import { isObject, isString } from '../declaration';

export interface ProjectDeployment {
  /** The project's folder, absolute. */
  folder: string;
  /** azd's service name: the site tagged with it is the app. */
  azdService?: string;
  /** The app's name, as a workflow step names it. */
  appName?: string;
  how: string;
  location: SourceLocation;
}

/** azd's hosts that deploy to App Service sites running Functions or Logic Apps. */
const AZD_HOSTS = new Set(['function', 'functionapp']);
const WORKFLOW_FOLDER = `${path.sep}.github${path.sep}workflows${path.sep}`;
const FUNCTIONS_ACTION = /^azure\/functions-action@/i;
/** `${{ env.NAME }}`: a workflow's own env value. */
const ENV_REFERENCE = /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

export function readDeployments(files: readonly string[], ctx: ReadContext): ProjectDeployment[] {
  const deployments: ProjectDeployment[] = [];
  for (const file of files) {
    const base = path.basename(file).toLowerCase();
    if (base === 'azure.yaml' || base === 'azure.yml') deployments.push(...azdServices(file, ctx));
    else if (file.includes(WORKFLOW_FOLDER) && /\.ya?ml$/i.test(base)) deployments.push(...functionsActions(file, ctx));
  }
  return deployments;
}

function azdServices(file: string, ctx: ReadContext): ProjectDeployment[] {
  const document = ctx.parseDocument(file);
  const services = isObject(document?.value) ? document.value.services : undefined;
  if (!document || !isObject(services)) return [];
  return Object.entries(services).flatMap(([name, service]) => {
    if (!isObject(service) || !isString(service.host) || !AZD_HOSTS.has(service.host.toLowerCase())) return [];
    const project = isString(service.project) ? service.project : '.';
    const span = document.valueSpan(['services', name, 'project']) ?? document.keySpan(['services', name]) ?? { start: 0, end: 0 };
    return [{ folder: path.resolve(path.dirname(file), project), azdService: name, how: `azure.yaml's service ${name} (host: ${service.host})`, location: { file, span } }];
  });
}

function functionsActions(file: string, ctx: ReadContext): ProjectDeployment[] {
  const text = ctx.files.read(file).text;
  if (text === undefined || !text.toLowerCase().includes('azure/functions-action')) return [];
  const document = ctx.parseDocument(file);
  const workflow = document?.value;
  if (!document || !isObject(workflow) || !isObject(workflow.jobs)) return [];
  const deployments: ProjectDeployment[] = [];
  for (const [jobName, job] of Object.entries(workflow.jobs)) {
    if (!isObject(job) || !Array.isArray(job.steps)) continue;
    const env = { ...(isObject(workflow.env) ? workflow.env : {}), ...(isObject(job.env) ? job.env : {}) };
    const resolve = (value: unknown): string | undefined => {
      if (!isString(value)) return undefined;
      const reference = ENV_REFERENCE.exec(value.trim());
      const resolved = reference ? env[reference[1]] : value;
      return isString(resolved) && !resolved.includes('${{') ? resolved : undefined;
    };
    job.steps.forEach((step, index) => {
      if (!isObject(step) || !isString(step.uses) || !FUNCTIONS_ACTION.test(step.uses) || !isObject(step.with)) return;
      const appName = resolve(step.with['app-name']);
      const span = document.valueSpan(['jobs', jobName, 'steps', index, 'with', 'app-name']) ?? document.valueSpan(['jobs', jobName, 'steps', index]) ?? { start: 0, end: 0 };
      const location = { file, span };
      if (appName === undefined) {
        ctx.report([{ file, span, kind: 'unresolved-value', message: `The app-name of azure/functions-action in job ${jobName} is not known from the files (${String(step.with['app-name']).slice(0, 80)}): the code it deploys is not mapped to an app by it.` }]);
        return;
      }
      const packagePath = resolve(step.with.package) ?? '.';
      // A workflow runs in the repository's root: its package path is relative to it.
      deployments.push({ folder: path.resolve(ctx.files.rootFolder, packagePath), appName, how: `workflow ${path.basename(file)}, job ${jobName}: azure/functions-action deploys ${packagePath} to ${appName}`, location });
    });
  }
  return deployments;
}
