// What one scan of a folder keeps for the next scan of it, so that the editor's re-analysis after an
// edit redoes the per-API work (authentication and effective policies, data exposure, the per-API
// rules) only for the APIs whose files changed. An API's results are kept with the text of every file
// they came from (its declaration, its spec and what that $refs, its and its operations' policies, the
// fragments those include) and reused while all of them read the same. Anything else the scan read
// (the global, workspace and product policies, products, subscriptions, named values, backends,
// `.apim-posture.json`, the Bicep, Terraform and ARM files that declare APIs), the listing, the
// settings, the rules and the snapshot are shared by every API: when one of them changes, or a file
// is created or deleted (the model's shape may change in ways no API's files say: a spec that now
// resolves, a fragment that now exists), nothing is reused and the scan is a full one. The rest of a
// scan (reading, the service-wide rules, the snapshot, suppressions, goals) always runs, so that the
// result is the one a full scan gives; what of it follows from one API's results alone is kept with
// them too (the priorities of its findings about one of its operations, its riskiest operations as
// findings about several APIs weigh them, its part of the goals measured operation by operation).
import { fragmentsByName } from './analysis/effectivePolicy';
import type { OperationAuth } from './analysis/authentication';
import type { OperationExposure } from './analysis/dataExposure';
import type { ResolvedBackend } from './backends/resolve';
import type { Finding } from './findings';
import type { ApiGoalPart } from './goals/goal';
import type { ApiResource, ApimService, ApiTag, PolicyAttachment } from './model';
import { fragmentIncludes } from './policy/xml';
import type { ApiRiskSummary, OperationRisk } from './priority/priority';
import type { InputProblem } from './problems';
import type { KeptApis, ReadContext, ReadTrace } from './workspace/context';
import type { FileReader, ReadResult } from './workspace/files';

/** The per-API results of one scan, as the next one may reuse them. */
export interface ApiResults {
  /** By rule id, as the rule returned them: a scan reports copies, since it changes the findings it reports (severities, ids, messages). */
  findings: Map<string, Finding[]>;
  /** By rule id: the rule's failure on this API. */
  failures: Map<string, InputProblem[]>;
  /** What the rules' walk of the API's spec found (a broken or too deep $ref chain). */
  specProblems: InputProblem[];
  /** By operation id. */
  auth: Map<string, OperationAuth>;
  exposure: Map<string, OperationExposure>;
  backends: Map<string, ResolvedBackend[]>;
  /** The priorities' factors of the operations (the API's own when it has none). */
  risk: Map<string, OperationRisk>;
  /** Its operations as findings about several APIs weigh them, once asked for. */
  riskSummary?: ApiRiskSummary;
  /** What the API adds to the goals measured operation by operation, by goal. */
  goals: Map<string, ApiGoalPart>;
}

interface KeptApi {
  inputs: Map<string, ReadResult>;
  results: ApiResults;
  /** The scan that computed it: its findings' lazily computed fixes hold on to that scan's model. */
  generation: number;
}

/** An API as an earlier scan read it from its APIOps folder, with what reading it used. */
interface KeptRead {
  api: ApiResource;
  /** Its tags as read: the tag folders add to them and name them once every API is read. */
  tags?: ApiTag[];
  /** Its folder's files, by path inside it. */
  files: ReadonlyMap<string, string>;
  trace: ReadTrace;
  /** The scan that read it: its spec holds on to that scan's readers. */
  generation: number;
}

/**
 * How many earlier scans' models the kept results may hold on to (each reused result keeps the model
 * of the scan that computed it) before a full analysis starts afresh.
 */
const MAX_GENERATIONS = 8;

export class AnalysisMemo {
  private shared?: { values: readonly unknown[]; files: Map<string, ReadResult>; listing: readonly string[] };
  private readonly apis = new Map<string, KeptApi>();
  /** The APIs of APIOps folders as earlier scans read them, by root and folder. */
  private readonly reads = new Map<string, KeptRead>();
  private generation = 0;

  /**
   * Before a scan reads the services: the APIs earlier scans read that it may take as they were. An
   * API is taken only when its analyses will be reused too (a model analysed again would walk its
   * spec again with the resolver that already reported what the walk finds), so nothing is taken
   * when the listing or a file all APIs share changed, as the analyses are then all done again.
   */
  keptApis(files: FileReader, listing: readonly string[]): KeptApisScan {
    const previous = this.shared;
    const sharedSame = previous !== undefined && sameListing(listing, previous.listing) && [...previous.files].every(([file, read]) => sameRead(files.read(file), read));
    const tooMany = (generations: Iterable<{ generation: number }>) => new Set([...generations].map((kept) => kept.generation)).size > MAX_GENERATIONS;
    if (!sharedSame || tooMany(this.reads.values())) this.reads.clear();
    return new KeptApisScan(this.reads, sharedSame && !tooMany(this.apis.values()) ? this.apis : new Map(), this.generation + 1);
  }

  /** Reading takes no API from earlier scans until they are kept again (after a scan whose analyses could not reuse one it took). */
  forgetReads(): void {
    this.reads.clear();
  }

  /**
   * Starts a scan, once its services are read: what it may reuse, and where it records what it
   * computes. `values` are the scan's inputs that are not files (settings, rules, the snapshot),
   * compared with `===`.
   */
  begin(files: FileReader, services: readonly ApimService[], listing: readonly string[], values: readonly unknown[]): MemoScan {
    const filesOf = new Map(services.flatMap((service) => service.apis.map((api) => [api, apiFiles(service, api)] as const)));
    const shared = sharedFiles(files, services, filesOf);
    const previous = this.shared;
    const unchanged =
      previous !== undefined &&
      values.length === previous.values.length &&
      values.every((value, index) => value === previous.values[index]) &&
      sameListing(listing, previous.listing) &&
      sameReads(shared, previous.files);
    const generations = new Set([...this.apis.values()].map((kept) => kept.generation));
    if (!unchanged || generations.size > MAX_GENERATIONS) this.apis.clear();
    // What is kept from now on was computed with these shared inputs, even if this scan is cancelled.
    this.shared = { values, files: shared, listing };
    return new MemoScan(this.apis, ++this.generation, files, services, filesOf);
  }
}

/** One scan's reading of the APIs that earlier scans read. */
export class KeptApisScan implements KeptApis {
  /** The APIs taken as they were. */
  readonly reused = new Set<ApiResource>();

  constructor(
    private readonly reads: Map<string, KeptRead>,
    /** The analyses that may be reused, by API: none when nothing may be. */
    private readonly analysed: ReadonlyMap<string, KeptApi>,
    private readonly generation: number,
  ) {}

  reuse(root: string, folder: string, files: ReadonlyMap<string, string>, ctx: ReadContext): ApiResource | undefined {
    const kept = this.reads.get(readKey(root, folder));
    if (!kept || !sameFolder(kept.files, files) || !ctx.readsSame(kept.trace)) return undefined;
    // Its analyses' inputs beyond what reading it read (the fragments its policies include) read the same too.
    const analysed = this.analysed.get(apiKey(root, kept.api));
    if (!analysed || ![...analysed.inputs].every(([file, read]) => kept.trace.reads.has(file) || sameRead(ctx.files.read(file), read))) return undefined;
    ctx.replay(kept.trace);
    kept.api.tags = kept.tags?.map((tag) => ({ ...tag }));
    this.reused.add(kept.api);
    return kept.api;
  }

  keep(root: string, folder: string, files: ReadonlyMap<string, string>, api: ApiResource, trace: ReadTrace): void {
    this.reads.set(readKey(root, folder), { api, tags: api.tags?.map((tag) => ({ ...tag })), files, trace, generation: this.generation });
  }
}

/** One scan's use of the memo. */
export class MemoScan {
  /** APIs whose id another API of their service has too: neither is reused nor kept. */
  private readonly ambiguous = new Set<string>();
  private readonly reusableResults = new Map<ApiResource, ApiResults | undefined>();

  constructor(
    private readonly apis: Map<string, KeptApi>,
    private readonly generation: number,
    private readonly files: FileReader,
    services: readonly ApimService[],
    /** Each API's files when the scan began. */
    private readonly filesOf: ReadonlyMap<ApiResource, ReadonlySet<string>>,
  ) {
    for (const service of services) {
      const seen = new Set<string>();
      for (const api of service.apis) {
        const key = apiKey(service.root, api);
        if (seen.has(key)) this.ambiguous.add(key);
        seen.add(key);
      }
    }
  }

  /** Whether the results of every API taken as an earlier scan read it are reused too (see `AnalysisMemo.keptApis`). */
  reusesAll(services: readonly ApimService[], taken: ReadonlySet<ApiResource>): boolean {
    return services.every((service) => service.apis.every((api) => !taken.has(api) || this.reusable(service, api) !== undefined));
  }

  /** The results of an earlier scan for `api`, when none of its files changed since. */
  reusable(service: ApimService, api: ApiResource): ApiResults | undefined {
    if (!this.reusableResults.has(api)) this.reusableResults.set(api, this.findReusable(service, api));
    return this.reusableResults.get(api);
  }

  private findReusable(service: ApimService, api: ApiResource): ApiResults | undefined {
    const key = apiKey(service.root, api);
    const kept = this.ambiguous.has(key) ? undefined : this.apis.get(key);
    if (!kept) return undefined;
    // A file it reads now that it did not then (a policy added): its shape changed.
    for (const file of this.filesOf.get(api) ?? []) if (!kept.inputs.has(file)) return undefined;
    for (const [file, read] of kept.inputs) if (!sameRead(this.files.read(file), read)) return undefined;
    return kept.results;
  }

  /** Keeps what this scan computed for `api`; called once its rules ran, so that the files its spec walk read are among its inputs. */
  record(service: ApimService, api: ApiResource, results: ApiResults): void {
    const key = apiKey(service.root, api);
    if (this.ambiguous.has(key)) return void this.apis.delete(key);
    // The documents its spec's $refs led to as well: one may be another API's spec, which is that API's own, not shared.
    const files = [...apiFiles(service, api), ...(api.spec?.documents.map((document) => document.file) ?? [])];
    const inputs = new Map(files.map((file) => [file, this.files.read(file)]));
    this.apis.set(key, { inputs, results, generation: this.generation });
  }
}

function apiKey(root: string, api: ApiResource): string {
  return `${root}\u0000${api.id}`;
}

function readKey(root: string, folder: string): string {
  return `${root}\u0000${folder}`;
}

function sameFolder(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [name, file] of a) if (b.get(name) !== file) return false;
  return true;
}

/** The files the API's model and analyses come from. */
function apiFiles(service: ApimService, api: ApiResource): Set<string> {
  const files = new Set<string>([api.declaration.file]);
  if (api.definitionFile !== undefined) files.add(api.definitionFile);
  // Only the documents reading the API parsed: the ones its analysis follows later (`$ref`s) are shared,
  // so that the API's files are the same whether this scan read it or took it as an earlier one read it.
  if (api.spec) files.add(api.spec.file);
  const policies: PolicyAttachment[] = [];
  const add = (attachment: PolicyAttachment | undefined) => {
    if (attachment) policies.push(attachment);
  };
  add(api.policy);
  if (api.unreadPolicy) files.add(api.unreadPolicy.file);
  for (const operation of api.operations) {
    files.add(operation.location.file);
    if (operation.specOperation) files.add(operation.specOperation.document.file);
    add(operation.policy);
    if (operation.unreadPolicy) files.add(operation.unreadPolicy.file);
  }
  for (const file of policyFiles(service, policies, api.workspace)) files.add(file);
  return files;
}

/** The files of `attachments` and of the fragments they include, however deep. */
function policyFiles(service: ApimService, attachments: readonly PolicyAttachment[], workspace: string | undefined): Set<string> {
  const fragments = fragmentsByName(service, workspace);
  const files = new Set<string>();
  const seen = new Set<string>();
  const pending = [...attachments];
  for (let attachment = pending.pop(); attachment; attachment = pending.pop()) {
    files.add(attachment.file);
    for (const { fragmentId: name } of fragmentIncludes(attachment.xml)) {
      const fragment = name !== undefined && !seen.has(name) ? fragments.get(name) : undefined;
      if (!fragment) continue;
      seen.add(fragment.name);
      files.add(fragment.declaration.file);
      if (fragment.policy) pending.push(fragment.policy);
    }
  }
  return files;
}

/**
 * What the scan read so far (its configuration, snapshot and services; the APIs' spec walks come
 * later) that is not one API's own: what every API's analysis may depend on. The policies above the
 * APIs and the fragments they include are shared even when an API's policy includes the same fragment.
 */
function sharedFiles(files: FileReader, services: readonly ApimService[], filesOf: ReadonlyMap<ApiResource, ReadonlySet<string>>): Map<string, ReadResult> {
  const own = new Set<string>();
  const above = new Set<string>();
  for (const apiFilesOf of filesOf.values()) for (const file of apiFilesOf) own.add(file);
  for (const service of services) {
    for (const workspace of [undefined, ...service.workspaces.map((candidate) => candidate.name)]) {
      const attachments = [
        ...(workspace === undefined ? [service.policy] : service.workspaces.filter((candidate) => candidate.name === workspace).map((candidate) => candidate.policy)),
        ...service.products.filter((product) => product.workspace === workspace).map((product) => product.policy),
      ].filter((attachment): attachment is PolicyAttachment => attachment !== undefined);
      for (const file of policyFiles(service, attachments, workspace)) above.add(file);
    }
    for (const api of service.apis) for (const file of codeFiles(api)) above.add(file);
  }
  const shared = new Map<string, ReadResult>();
  for (const [file, read] of files.reads()) if (!own.has(file) || above.has(file)) shared.set(file, read);
  return shared;
}

/**
 * The Bicep, Terraform and ARM files that declare an API: shared, since what an API is declared with
 * may come from elsewhere in them (a module's or linked template's parameters, a variable), which its
 * files do not say. APIOps folders and specs declare one API each, from its own files.
 */
function codeFiles(api: ApiResource): string[] {
  if (api.source === 'apiops' || api.source === 'spec') return [];
  const attachments = [api.policy, ...api.operations.map((operation) => operation.policy)];
  const declaredOperations = api.operations.filter((operation) => !operation.specOperation);
  return [api.declaration.file, ...declaredOperations.map((operation) => operation.location.file), ...attachments.flatMap((attachment) => (attachment?.inline ? [attachment.file] : []))];
}

function sameRead(a: ReadResult, b: ReadResult): boolean {
  return a === b || (a.text === b.text && a.problem?.message === b.problem?.message);
}

function sameReads(now: ReadonlyMap<string, ReadResult>, before: ReadonlyMap<string, ReadResult>): boolean {
  if (now.size !== before.size) return false;
  for (const [file, read] of before) {
    const current = now.get(file);
    if (!current || !sameRead(current, read)) return false;
  }
  return true;
}

function sameListing(a: readonly string[], b: readonly string[]): boolean {
  return a === b || (a.length === b.length && a.every((file, index) => file === b[index]));
}
