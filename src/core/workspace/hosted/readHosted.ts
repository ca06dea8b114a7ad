// The Function Apps and Logic Apps of a repository: HTTP triggers read from code (one reader per
// format), grouped by project (the folder holding host.json), each project mapped to the app it is
// deployed to (azure.yaml, deployment workflows) and that app's declaration (Bicep, Terraform, ARM);
// Consumption workflows, declared by infrastructure code, bring their Request triggers with them.
import * as path from 'path';
import type { DeclaredApp, HostedAppDeclaration, HostedCode, HostedProject, HttpTrigger } from '../../model';
import type { ReadContext } from '../context';
import { relativeOrSelf } from '../files';
import { csharpTriggerReader } from './csharpTriggers';
import { readDeployments, type ProjectDeployment } from './deployments';
import { functionJsonReader } from './functionJson';
import { logicAppTriggerReader } from './logicAppTriggers';
import { nodeTriggerReader } from './nodeTriggers';
import { pythonTriggerReader } from './pythonTriggers';
import type { TriggerDraft, TriggerReader } from './triggers';

const TRIGGER_READERS: readonly TriggerReader[] = [nodeTriggerReader, functionJsonReader, csharpTriggerReader, pythonTriggerReader, logicAppTriggerReader];

/** The hosted code of `files`, mapped to the apps the infrastructure code declares, and what it takes for granted; undefined when the repository has none. */
export function readHostedCode(files: readonly string[], declared: readonly DeclaredApp[], ctx: ReadContext): { hosted: HostedCode; assumptions: string[] } | undefined {
  const projectFolders = new Set(files.filter((file) => path.basename(file).toLowerCase() === 'host.json').map((file) => path.dirname(file)));
  const projectOf = (file: string) => {
    for (let folder = path.dirname(file); folder.startsWith(ctx.files.rootFolder); folder = path.dirname(folder)) {
      if (projectFolders.has(folder)) return folder;
      if (folder === path.dirname(folder)) break;
    }
    return path.dirname(file);
  };
  const draftsByProject = new Map<string, { file: string; draft: TriggerDraft }[]>();
  const add = (file: string, drafts: readonly TriggerDraft[]) => {
    if (drafts.length === 0) return;
    const project = projectOf(file);
    draftsByProject.set(project, [...(draftsByProject.get(project) ?? []), ...drafts.map((draft) => ({ file, draft }))]);
  };
  for (const file of files) {
    for (const reader of TRIGGER_READERS) {
      if (reader.reads(file)) add(file, ctx.isolate(file, `The HTTP triggers of ${path.basename(file)}`, () => reader.read(file, ctx)) ?? []);
    }
  }
  for (const app of declared) add(app.location.file, app.requestTriggers ?? []);
  const apps = declared.flatMap((app) => (app.site ? [app.site] : []));
  if (draftsByProject.size === 0 && apps.length === 0) return undefined;
  const deployments = readDeployments(files, ctx);
  const assumptions: string[] = [];
  const projects = [...draftsByProject].map(([folder, drafts]): HostedProject => {
    const mapped = mapProject(folder, deployments, apps, ctx);
    // A Consumption workflow is its own resource, with no app to map it to.
    const consumptionOnly = drafts.every(({ file, draft }) => isConsumption(file, draft));
    if (mapped.appName === undefined && !mapped.app && !consumptionOnly) assumptions.push(`The function code in ${relativeOrSelf(ctx.files.rootFolder, folder)} is mapped to no app (${mapped.mapping}): its app is not known, and Azure's defaults are assumed for it (public network access, no App Service authentication).`);
    const appLabel = mapped.appName ?? mapped.app?.symbol ?? `(${relativeOrSelf(ctx.files.rootFolder, folder)})`;
    return { folder, ...mapped, triggers: drafts.map(({ file, draft }) => ({ ...draft, id: triggerId(appLabel, file, draft), project: folder })) };
  });
  return { hosted: { projects, apps }, assumptions };
}

function triggerId(app: string, file: string, draft: TriggerDraft): HttpTrigger['id'] {
  if (draft.host === 'function-app') return `sites/${app}/functions/${draft.name}`;
  const [workflow, trigger] = splitOnce(draft.name);
  // A Consumption workflow (in an ARM template or Bicep) is its own resource; a Standard one lives in its app.
  return isConsumption(file, draft) ? `workflows/${workflow}/triggers/${trigger}` : `sites/${app}/workflows/${workflow}/triggers/${trigger}`;
}

/** A Logic App trigger outside a Standard app's `workflow.json` is a Consumption workflow's. */
function isConsumption(file: string, draft: TriggerDraft): boolean {
  return draft.host === 'logic-app' && path.basename(file).toLowerCase() !== 'workflow.json';
}

function splitOnce(name: string): [string, string] {
  const slash = name.lastIndexOf('/');
  return slash === -1 ? [name, name] : [name.slice(0, slash), name.slice(slash + 1)];
}

/** The app a project is deployed to: the deployment naming its folder (or the closest one above it), then the site it names. */
function mapProject(folder: string, deployments: readonly ProjectDeployment[], apps: readonly HostedAppDeclaration[], ctx: ReadContext): Omit<HostedProject, 'folder' | 'triggers'> {
  const candidates = deployments.filter((deployment) => deployment.folder === folder || folder.startsWith(deployment.folder + path.sep));
  const deployment = candidates.sort((a, b) => b.folder.length - a.folder.length)[0];
  if (!deployment) return { mapping: 'no azure.yaml service or deployment workflow deploys its folder' };
  const where = (app: HostedAppDeclaration) => relativeOrSelf(ctx.files.rootFolder, app.location.file);
  if (deployment.azdService !== undefined) {
    const app = apps.find((candidate) => candidate.azdServiceName === deployment.azdService);
    if (!app) return { mapping: `${deployment.how}, and no site in the files carries the tag azd-service-name: ${deployment.azdService}`, mappedAt: deployment.location };
    return { appName: app.name, app, mapping: `${deployment.how}, deployed to the site tagged azd-service-name: ${deployment.azdService} in ${where(app)}${app.name === undefined ? `, whose name is not known from the files (${app.nameExpression})` : ''}`, mappedAt: deployment.location };
  }
  const app = apps.find((candidate) => candidate.name?.toLowerCase() === deployment.appName?.toLowerCase());
  return { appName: deployment.appName, app, mapping: `${deployment.how}${app ? `, declared in ${where(app)}` : ', which no infrastructure code in the files declares'}`, mappedAt: deployment.location };
}
