// What one scan read and what it did not, with why: a clean report must mean "read and found
// nothing", never "did not look". Computed once per scan from the services read and the listing of
// the folder, as plain data that every report and the editor show.
import * as path from 'path';
import type { ApimService, ApiSource, RepositoryLayout } from './model';
import type { DocumentReader } from './parse/index';
import { declaresOpenApi } from './spec/openapi';
import { findApiopsRoots } from './workspace/apiops';
import { looksLikeApimTemplate } from './workspace/armTemplate';
import { BICEP_MENTIONS_APIM } from './workspace/bicep';
import { relativeOrSelf, type FileListing, type FileReader } from './workspace/files';
import { mayBeSpec } from './workspace/specsOnly';
import { TERRAFORM_MENTIONS_APIM } from './workspace/terraform';

export interface Coverage {
  /** False when one spec was scanned by request (`apim-posture scan openapi.yaml`): the files beside it were not looked at. */
  folderListed: boolean;
  /** Files the readers looked at. */
  filesRead: number;
  /** Each service read, its root relative to the scanned folder (`.` for the folder itself). */
  services: { root: string; layout: RepositoryLayout }[];
  /** APIs, their operations, and the policies attached to them, by what declared the APIs. */
  bySource: SourceCounts[];
  /** Policies of the global scope, workspaces, products and fragments: shared by APIs of any source. */
  sharedPolicies: number;
  /** APIM files no reader read, by path. */
  notRead: NotReadFile[];
  /** Values infrastructure code does not determine (`unresolved-value` problems): what depends on them is not analysed. */
  unresolvedValues: number;
  /** Paths the `exclude` setting left out, relative to the scanned folder (folders end with `/`). */
  excluded: string[];
  /** Folders and files not read by design (build output, dependencies, a second way to the same folder). */
  skipped: { path: string; reason: string }[];
  /** What the reading took for granted where no file says. */
  assumptions: string[];
}

export interface SourceCounts {
  source: ApiSource;
  apis: number;
  operations: number;
  policies: number;
}

/** Why an APIM file was not read; `reason` says it in words. */
export type NotReadKind =
  | 'policy-not-used' // a policy XML file no scope attaches
  | 'spec-not-used' // an OpenAPI file no API is defined by
  | 'definition-not-supported' // an API's definition in a format not analysed (GraphQL, WSDL)
  | 'folder-not-read' // an APIOps file in a folder of a kind the model does not use (loggers, tags, diagnostics)
  | 'service-not-read' // a file of an APIOps root that was not read
  | 'problem' // the file could not be read as intended: its problem says why
  | 'not-reached'; // an APIM file of infrastructure code that no reader reached

export interface NotReadFile {
  /** Relative to the scanned folder, `/`-separated. */
  file: string;
  kind: NotReadKind;
  reason: string;
}

export interface CoverageInput {
  root: string;
  services: readonly ApimService[];
  /** The files the services were read from; absent when one spec was scanned by request. */
  listing?: FileListing;
  /** Reads the files no reader read, to tell whether they are APIM files. */
  files: FileReader;
  documents: DocumentReader;
}

const SOURCES: readonly ApiSource[] = ['apiops', 'bicep', 'terraform', 'arm', 'spec'];
/** Extensions of the files that may be APIM files: policies, specs, APIOps files, templates, Bicep, Terraform. */
const CANDIDATE_EXTENSIONS: ReadonlySet<string> = new Set(['.xml', '.json', '.yaml', '.yml', '.bicep', '.tf']);
const APIOPS_INFORMATION = /Information\.json$/;
/** A Bicep resource type of API Management, whatever it is: `'Microsoft.ApiManagement/gateways@2024-05-01'`. */
const BICEP_NAMES_APIM_TYPES = /'Microsoft\.ApiManagement\//i;
/** A JSON value naming a resource type or id of an API Management service. */
const JSON_NAMES_APIM_SERVICE = /"Microsoft\.ApiManagement\/service/i;
/** The root element of an APIM policy or policy fragment, after an optional XML declaration and comments. */
const POLICY_ROOT = /<\s*(?:policies|fragment)[\s>/]/;

export function computeCoverage(input: CoverageInput): Coverage {
  const { root, services, listing } = input;
  const relative = (file: string) => relativeOrSelf(root, file);
  const read = new Set(services.flatMap((service) => service.filesRead));
  const problems = services.flatMap((service) => service.problems);
  const bySource = SOURCES.map((source) => {
    const apis = services.flatMap((service) => service.apis).filter((api) => api.source === source);
    const operations = apis.flatMap((api) => api.operations);
    const policies = apis.filter((api) => api.policy).length + operations.filter((operation) => operation.policy).length;
    return { source, apis: apis.length, operations: operations.length, policies };
  }).filter((counts) => counts.apis > 0);
  const sharedPolicies = services.reduce(
    (count, service) => count + (service.policy ? 1 : 0) + [...service.workspaces, ...service.products, ...service.fragments].filter((resource) => resource.policy).length,
    0,
  );

  const notRead: NotReadFile[] = [];
  if (listing) {
    const classify = notReadClassifier(input, problems);
    for (const file of listing.files) {
      if (read.has(file)) continue;
      const entry = classify(file);
      if (entry) notRead.push({ file: relative(file), ...entry });
    }
  }

  return {
    folderListed: listing !== undefined,
    filesRead: read.size,
    services: services.map((service) => ({ root: relative(service.root), layout: service.layout })),
    bySource,
    sharedPolicies,
    notRead,
    unresolvedValues: problems.filter((problem) => problem.kind === 'unresolved-value').length,
    excluded: listing?.excluded ?? [],
    skipped: problems.filter((problem) => problem.kind === 'skipped').map((problem) => ({ path: relative(problem.file), reason: problem.message })),
    assumptions: [...new Set(services.flatMap((service) => service.assumptions))],
  };
}

/** Whether a file no reader read is an APIM file, and why it was not read; undefined for other files. */
function notReadClassifier(input: CoverageInput, problems: ApimService['problems']): (file: string) => Omit<NotReadFile, 'file'> | undefined {
  const { root, services, listing, files, documents } = input;
  const problemOf = new Map<string, string>();
  for (const problem of problems) if (!problemOf.has(problem.file)) problemOf.set(problem.file, problem.message);
  const definitionOf = new Map(services.flatMap((service) => service.apis.flatMap((api) => (api.definitionFile ? [[api.definitionFile, api] as const] : []))));
  const serviceRoots = services.map((service) => service.root);
  const apiopsRoots = findApiopsRoots(root, listing?.files ?? []);
  const below = (folder: string, file: string) => file.startsWith(folder + path.sep);
  const apiopsRootOf = (file: string) => apiopsRoots.find((apiopsRoot) => below(apiopsRoot, file));
  const hasApiops = services.some((service) => service.layout === 'apiops' || service.layout === 'apiops-cli');

  return (file) => {
    const api = definitionOf.get(file);
    if (api) return { kind: 'definition-not-supported', reason: `API ${api.name} is defined by it, in a format not analysed (only OpenAPI and WADL are): its operations are not known.` };
    const read = files.read(file);
    // A file that cannot be read cannot tell what it is: said, whatever its extension.
    if (read.text === undefined) return read.problem && CANDIDATE_EXTENSIONS.has(path.extname(file).toLowerCase()) ? { kind: 'problem', reason: read.problem.message } : undefined;
    const kind = apimFileKind(file, read.text, documents);
    if (!kind) return undefined;
    const problem = problemOf.get(file);
    if (problem !== undefined) return { kind: 'problem', reason: problem };
    const apiopsRoot = apiopsRootOf(file);
    if (apiopsRoot !== undefined && !serviceRoots.includes(apiopsRoot)) {
      return { kind: 'service-not-read', reason: `It belongs to the APIOps folder ${relativeOrSelf(root, apiopsRoot)}, which was not read as a service.` };
    }
    switch (kind) {
      case 'policy':
        return { kind: 'policy-not-used', reason: 'No API, operation, product, fragment or the global scope uses this policy, so it is not part of any effective policy.' };
      case 'spec':
        return {
          kind: 'spec-not-used',
          reason: `No API is defined by this spec${hasApiops ? ' (APIOps takes an API’s spec from apis/<api>/specification.*)' : ''}, so its operations are not analysed.`,
        };
      case 'apiops':
        return apiopsRoot === undefined
          ? { kind: 'not-reached', reason: 'An APIOps file outside any APIOps folder (one holding apis/<api>/apiInformation.json): no reader reached it.' }
          : { kind: 'folder-not-read', reason: `APIOps ${apiopsKind(relativeOrSelf(apiopsRoot, file))} are not read: a kind of resource the analysis does not use.` };
      case 'infrastructure':
        return { kind: 'not-reached', reason: 'It mentions API Management, and no reader reached it.' };
      case 'no-service-resource':
        return { kind: 'not-reached', reason: 'It names API Management types but declares no resource of a service (Microsoft.ApiManagement/service/...), such as a workspace gateway: nothing the analysis reads.' };
      case 'not-a-template':
        return { kind: 'not-reached', reason: 'It names API Management resources but is not a deployment template (no $schema or contentVersion), such as a REST response kept as test data: no reader reads it.' };
    }
  };
}

/** The resource kind of an APIOps file by its path below the root: `loggers`, or `diagnostics` in `apis/<api>/diagnostics/...`. */
function apiopsKind(relative: string): string {
  const segments = relative.split('/');
  // The tags of APIs are read; those of products (`tags/<t>/products/...`) are not.
  if (segments[0] === 'tags' && segments.length > 3) return `tags of ${segments[2]}`;
  return (segments[0] === 'apis' || segments[0] === 'products') && segments.length > 3 ? segments[2] : segments[0];
}

/**
 * What kind of APIM file `file` is, by its name and its text; undefined when it is none. Besides the
 * files readers read: a `.bicep` file that names API Management types but no service resource (a
 * workspace gateway), and JSON that names service resources without being a template.
 */
export function apimFileKind(file: string, text: string, documents: DocumentReader): 'policy' | 'spec' | 'apiops' | 'infrastructure' | 'no-service-resource' | 'not-a-template' | undefined {
  const extension = path.extname(file).toLowerCase();
  if (!CANDIDATE_EXTENSIONS.has(extension)) return undefined;
  if (APIOPS_INFORMATION.test(path.basename(file))) return 'apiops';
  if (extension === '.xml') return POLICY_ROOT.test(text) ? 'policy' : undefined;
  if (extension === '.bicep') return BICEP_MENTIONS_APIM.test(text) ? 'infrastructure' : BICEP_NAMES_APIM_TYPES.test(text) ? 'no-service-resource' : undefined;
  if (extension === '.tf') return TERRAFORM_MENTIONS_APIM.test(text) ? 'infrastructure' : undefined;
  if (looksLikeApimTemplate(file, text)) return 'infrastructure';
  if (!mayBeSpec(file, text)) return JSON_NAMES_APIM_SERVICE.test(text) && extension === '.json' ? 'not-a-template' : undefined;
  // A nested `openapi` key (a code generator's settings) is no spec; one that does not parse may be.
  const parsed = documents.parse(file).document;
  return parsed === undefined || declaresOpenApi(parsed.value) ? 'spec' : undefined;
}
