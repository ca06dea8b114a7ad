// One scan: read the repository, run every rule, apply the repository's settings and suppressions.
// The CLI calls it once; the editor calls it again on each change, with unsaved buffers as overlay.
import * as path from 'path';
import { analyzeOperationAuth } from './analysis/authentication';
import type { AnalysisMemo, ApiResults, MemoScan } from './analysisMemo';
import { operationExposure } from './analysis/dataExposure';
import { SensitiveDataClassifier } from './analysis/sensitiveData';
import { BackendResolver, type BackendSources } from './backends/resolve';
import { mapApis, type ApiMapping } from './azure/mapping';
import { observedAttackPaths } from './azure/attackPaths';
import { annotateDrift, drift } from './azure/drift';
import { applySnapshot } from './azure/facts';
import { mappedService } from './azure/mapping';
import { mergeObserved, observedFindings } from './azure/observed';
import { findService, matchRoots } from './azure/roots';
import { unreadParts } from './azure/unread';
import { DEFAULT_SNAPSHOT_PATH, readSnapshotFile, type DeployedService, type LoadedSnapshot } from './azure/snapshot';
import { snapshotStatus } from './azure/status';
import { computeCoverage } from './coverage';
import { CONFIG_FILE_NAME, excludeMatcher, readConfig, rootConfig, suppressionExpired, type PostureConfig, type ServiceEntry, type SuppressionEntry } from './config';
import type { Finding, RuleMetadata } from './findings';
import { version } from '../../package.json';
import type { ParseCache } from './parse/cache';
import { createDocumentReader, type DocumentReader } from './parse/index';
import { withGoals } from './goals/evaluate';
import type { FindingHistory } from './goals/goal';
import { TimeBudget } from './limits';
import { refusedPattern } from './linearPattern';
import type { ApiResource, ApimService, BackendResource, OperationResource } from './model';
import { apiRiskSummary, findingPriority, operationIdsUnique, operationRisk, weighsOneOperationOf } from './priority/priority';
import { analysisError, type InputProblem } from './problems';
import { serviceLabel } from './report/common';
import type { DeployedComparison, ScanResult } from './report/scanResult';
import { ALL_RULES } from './rules/catalog';
import { driftFindings, POLICY_DRIFT_RULE } from './rules/deployedPolicyDiffers';
import { INPUT_PROBLEM_RULE, problemFinding } from './rules/inputProblem';
import { observedRules } from './rules/observedRecommendation';
import { copyFinding, findingId, isApiRule, type ApiRule, type Rule, type RuleContext } from './rules/rule';
import { EXPIRED_SUPPRESSION_RULE, expiredSuppressionFinding } from './rules/suppressionExpired';
import { LineIndex } from './text';
import { publisherServiceName } from './workspace/apiopsConfiguration';
import { FileReader, listFiles, relativeOrSelf, type FileIndex, type FileSource } from './workspace/files';
import { readServices } from './workspace/readService';

export const TOOL_VERSION: string = version;

export interface ScanOptions {
  /** Unsaved editor contents by absolute path; they win over the disk. */
  overlay?: ReadonlyMap<string, string>;
  /** "Today", for suppression expiry. */
  now?: Date;
  rules?: readonly Rule[];
  /** Parses kept between scans of the same folder (the editor's live analysis). */
  cache?: ParseCache;
  /** Files read and listed by earlier scans of the same folder, kept current by file events (the language server's). */
  index?: FileIndex;
  /** Settings from outside the repository (the editor's), applied over `.apim-posture.json`. */
  settings?: Partial<Pick<PostureConfig, 'rules' | 'customInformationTypes' | 'exclude'>>;
  /**
   * A snapshot of Azure (a file, or one already read) whose Defender findings and drift join the
   * predicted findings; `auto`: `.apim-posture/snapshot.json` below the root, when there is one.
   */
  snapshot?: string | LoadedSnapshot;
  /** Days after which the snapshot is reported as stale; over `.apim-posture.json`'s `snapshotMaxAgeDays` (default 7). */
  snapshotMaxAgeDays?: number;
  /** How long the scan may take before it stops reading and analysing, and says what it left out. */
  budget?: TimeBudget;
  /** Keep the stack of unexpected errors on their findings (`--verbose`). */
  verbose?: boolean;
  /** Scan only this OpenAPI file below the root, and what it `$ref`s, as the one API. */
  spec?: string;
  /** The per-API results of earlier scans of the same folder, reused for the APIs whose files did not change (the language server's). */
  memo?: AnalysisMemo;
  /** Where the files are read from (default: the disk); the history walk reads each commit's. */
  source?: FileSource;
  /** When each finding first appeared in the repository's git history, for `finding-age-days` goals (the CLI walks it; the editor does not). */
  history?: FindingHistory;
}

export function scan(root: string, options: ScanOptions = {}): ScanResult {
  const started = performance.now();
  const absoluteRoot = path.resolve(root);
  const files = new FileReader(absoluteRoot, options.overlay, undefined, options.index, options.source);
  const documents = createDocumentReader(files, options.cache);
  const { config: repositoryConfig, problems: configProblems } = readConfig(absoluteRoot, documents, (file) => files.exists(file));
  const settings = checkedSettings(options.settings, absoluteRoot, configProblems);
  const config = withSettings(repositoryConfig, settings);
  const budget = options.budget ?? new TimeBudget();
  const isExcluded = excludeMatcher(config.exclude);
  // Listed here, not only by the readers: coverage compares what was read with everything there is.
  const list = () => listFiles(files, isExcluded);
  const listing = options.spec !== undefined ? undefined : options.index ? options.index.listing(JSON.stringify(config.exclude), list) : list();
  const keptApis = options.memo && listing ? options.memo.keptApis(files, listing.files) : undefined;
  const services = readServices(absoluteRoot, { files, documents, isExcluded, parseCache: options.cache, budget, spec: options.spec, listing, keptApis });
  const coverage = computeCoverage({ root: absoluteRoot, services, listing, files, documents });
  // A stopped scan did not ask for everything: what it left unread keeps its parse for the next one.
  if (!budget.stopped) options.cache?.prune();
  // A repository of several services (environments, instances) names each finding's; one of one service needs no name.
  const labelOf = (service: ApimService) => serviceLabel(absoluteRoot, services, service);
  const roots = rootSettings(absoluteRoot, services, repositoryConfig, settings, documents, files);
  const configOf = (service: ApimService | undefined) => (service && roots.get(service)?.config) ?? config;
  // What went wrong analysing one part: reported, while the other parts are analysed as usual.
  const analysisProblems: InputProblem[] = [];
  const findings: Finding[] = [];
  const serviceOfFinding = new Map<Finding, ApimService>();
  const add = (more: Iterable<Finding>, service?: ApimService) => {
    const label = service && labelOf(service);
    const ruleSettings = configOf(service).rules;
    for (const finding of more) {
      const override = ruleSettings[finding.ruleId];
      // Mutated, not copied: a finding's fixes are computed lazily by its class, which a copy would lose.
      if (override && override !== 'off') finding.severity = override;
      if (label !== undefined) inService(finding, label);
      if (service) serviceOfFinding.set(finding, service);
      findings.push(finding);
    }
  };
  for (const [service, { problems }] of roots) add(problems.map((problem) => problemFinding(problem, options.verbose ?? false)), service);
  const rootPaths = new Set(services.map((service) => rootPathOf(absoluteRoot, service)));
  for (const suppression of config.suppressions) {
    if (suppression.service !== undefined && !rootPaths.has(suppression.service)) {
      configProblems.push({ ...suppression.location, kind: 'invalid-artifact', message: `${CONFIG_FILE_NAME}: the suppression names the service ${suppression.service}, which is not a root of this repository (${[...rootPaths].join(', ')}); it suppresses nothing.` });
    }
  }

  let snapshot = readDeployed(absoluteRoot, options.snapshot, files, configProblems, options.cache);
  const compared: Compared[] = [];
  // Deployment facts first, so that rules may use them.
  if (snapshot) {
    const loaded = snapshot;
    const targets = deployedTargets(absoluteRoot, services, roots, repositoryConfig, loaded, listing?.files ?? [], documents, configProblems);
    for (const { local, deployed, reason } of targets) {
      if (!deployed && reason !== undefined) {
        add([problemFinding({ file: loaded.file, kind: 'not-compared', message: `The snapshot of Azure is not compared with ${labelOf(local) ?? 'the repository'}: ${reason}. It is predicted from its files alone.` }, false)], local);
        continue;
      }
      try {
        // A root matched with one deployed service sees only it: its mappings and drift cannot land in another environment's.
        const view = deployed ? { ...loaded, snapshot: { ...loaded.snapshot, services: [deployed] } } : loaded;
        const mappings = mapApis(local, view.snapshot, configOf(local).mappings ?? []);
        applySnapshot(local, view.snapshot, mappings);
        compared.push({ local, deployed, matchedBy: deployed && reason, view, mappings });
      } catch (error) {
        analysisProblems.push(analysisError(loaded.file, `The snapshot of Azure${services.length > 1 ? ` (compared with ${labelOf(local)})` : ''}`, error));
        if (services.length === 1) snapshot = undefined;
      }
    }
  }

  const allRules = options.rules ?? ALL_RULES;
  const memo = options.memo && listing ? options.memo.begin(files, services, listing.files, [JSON.stringify(options.settings), allRules, snapshot]) : undefined;
  // An API taken as read before must have its analyses reused too (AnalysisMemo.keptApis); when one has not (the settings or the snapshot changed), the scan reads everything again.
  if (options.memo && memo && keptApis && !memo.reusesAll(services, keptApis.reused)) {
    options.memo.forgetReads();
    return scan(root, options);
  }
  const rulesOf = (service: ApimService) => allRules.filter((rule) => configOf(service).rules[rule.meta.id] !== 'off');
  const classifierOf = sensitiveDataClassifiers(options.cache);
  const contexts = new Map<ApimService, RuleContext>();
  const resultsOf = new Map<ApimService, Map<ApiResource, ApiResultsInScan>>();
  const toRecord: (() => void)[] = [];
  const backendSources: BackendSources = { readText: (file) => files.read(file).text };
  for (const service of services) {
    const serviceConfig = configOf(service);
    const classifier = classifierOf(serviceConfig);
    const results = apiResults(service, memo);
    const context = ruleContext(service, serviceConfig, classifier, analysesByApi(results), backendSources);
    contexts.set(service, context);
    resultsOf.set(service, results);
    const serviceProblems: InputProblem[] = [];
    const specProblemsBefore = new Map(service.apis.flatMap((api) => (api.spec ? [[api.spec.problems, api.spec.problems.length] as const] : [])));
    for (const rule of rulesOf(service)) {
      if (budget.exceeded) {
        serviceProblems.push({ file: service.root, kind: 'over-budget', message: `The analysis took longer than its ${budget.milliseconds} ms budget; rule ${rule.meta.id} and the rules after it did not run.` });
        break;
      }
      add(
        isApiRule(rule) ? checkApis(rule, context, results, serviceProblems) : checkIsolated(rule, context, (apis) => ruleContext({ ...service, apis }, serviceConfig, classifier, undefined, backendSources), serviceProblems),
        service,
      );
    }
    // Walking schemas for the rules may have found more in the specs (a broken or too deep $ref chain); a reused API's walk found it before.
    const foundByRules: InputProblem[] = [];
    for (const api of service.apis) {
      const { reused, results: ofApi } = results.get(api)!;
      if (!reused) {
        const problems = api.spec?.problems;
        const before = problems && specProblemsBefore.get(problems);
        // Several APIs may share a spec: its problems once.
        if (problems && before !== undefined) specProblemsBefore.delete(problems);
        ofApi.specProblems = before === undefined ? [] : problems!.slice(before);
      }
      foundByRules.push(...ofApi.specProblems);
    }
    // Kept once the priorities are known (they add their analyses), and only when every rule ran: the results of a stopped scan are incomplete.
    for (const [api, { reused, results: ofApi, copies }] of results) {
      if (reused || !memo) continue;
      toRecord.push(() => {
        keepPriorities(service, api, copies);
        memo.record(service, api, ofApi);
      });
    }
    for (const problems of [service.problems, foundByRules, serviceProblems]) add(problems.map((problem) => problemFinding(problem, options.verbose ?? false)), service);
  }
  // The rules that ran on at least one service.
  const rules = allRules.filter((rule) => services.some((service) => configOf(service).rules[rule.meta.id] !== 'off'));
  let deployed: ScanResult['deployed'];
  let snapshotState: ScanResult['snapshot'];
  const extraRules: RuleMetadata[] = [];
  if (snapshot) {
    const comparisons: DeployedComparison[] = [];
    // A repository of one root whose comparison failed is reported as if it had no snapshot, as it always was.
    let failedAlone = false;
    for (const { local, deployed: service, matchedBy, view, mappings } of compared) {
      try {
        const rootRules = configOf(local).rules;
        const predictedFindings = findings.filter((finding) => serviceOfFinding.get(finding) === local);
        const observed = observedFindings(local, view, mappings, absoluteRoot, ALL_RULES.map((rule) => rule.meta)).filter((finding) => rootRules[finding.ruleId] !== 'off');
        const driftItems = drift(local, view.snapshot, mappings, predictedFindings, observed);
        // A problem the files predict and Defender confirms is one finding; the rest say how git and Azure disagree.
        const label = labelOf(local);
        const observedAlone = mergeObserved(predictedFindings, observed, (finding) => idInService(finding, label));
        annotateDrift(observedAlone, driftItems);
        add(observedAlone, local);
        add(driftFindings(driftItems), local);
        add(unreadParts(local, view, mappings).map((problem) => problemFinding(problem, false)), local);
        comparisons.push({ local, service: service ?? mappedService(view.snapshot, mappings), matchedBy, snapshot, mappings, drift: driftItems, attackPaths: observedAttackPaths(local, view, mappings) });
      } catch (error) {
        analysisProblems.push(analysisError(snapshot.file, `The snapshot of Azure${services.length > 1 ? ` (compared with ${labelOf(local)})` : ''}`, error));
        failedAlone = services.length === 1;
      }
    }
    if (!failedAlone) deployed = comparisons;
    if (comparisons.length > 0) {
      const known = new Set(rules.map((rule) => rule.meta.id));
      extraRules.push(...[...observedRules(snapshot.snapshot, ALL_RULES.map((rule) => rule.meta)), POLICY_DRIFT_RULE].filter((rule) => !known.has(rule.id)));
    }
    if (deployed) snapshotState = snapshotStatus(snapshot, options.now ?? new Date(), options.snapshotMaxAgeDays ?? config.snapshotMaxAgeDays);
  }
  for (const problems of [configProblems, analysisProblems]) add(problems.map((problem) => problemFinding(problem, options.verbose ?? false)));
  const suppressions = [...config.suppressions, ...[...roots.values()].flatMap((root) => root.ownSuppressions)];
  add(applySuppressions(findings, suppressions, (finding) => rootPathOf(absoluteRoot, serviceOfFinding.get(finding)), options.now ?? new Date()));
  findings.sort(byLocation);
  // Every finding is known now, Defender's and the problems' too: each gets its priority once, for every surface.
  for (const finding of findings) {
    const service = serviceOfFinding.get(finding) ?? (services.length === 1 ? services[0] : undefined);
    // A finding of an API whose results are reused comes with the priority kept with them (keepPriorities), when it weighs one operation of that
    // API alone: it holds while no two operations share an id (an edited API may add one) and Defender rates no finding of it.
    if (finding.priority && !finding.defender && service && operationIdsUnique(service)) continue;
    finding.priority = findingPriority(finding, service && contexts.get(service), service);
  }

  const lineIndexes = new Map<string, LineIndex>();
  const sourceText = (file: string) => files.read(file).text ?? '';
  const result = withGoals({
    root: absoluteRoot,
    services,
    findings,
    rules: [...rules.map((rule) => rule.meta), ...extraRules, INPUT_PROBLEM_RULE, EXPIRED_SUPPRESSION_RULE],
    lineIndex(file) {
      let index = lineIndexes.get(file);
      if (!index) {
        index = new LineIndex(sourceText(file));
        lineIndexes.set(file, index);
      }
      return index;
    },
    sourceText,
    analyses: analysesOf(contexts, classifierOf(config)),
    durationMs: performance.now() - started,
    toolVersion: TOOL_VERSION,
    deployed,
    snapshot: snapshotState,
    coverage,
  }, config.goals, suppressions, options.now ?? new Date(), options.history, memo && ((service, api) => resultsOf.get(service)?.get(api)?.results.goals));
  if (!budget.stopped) for (const record of toRecord) record();
  return result;
}

/** The snapshot to merge, if any; one that cannot be read is an input problem, not a failed scan. */
function readDeployed(root: string, option: ScanOptions['snapshot'], files: FileReader, problems: InputProblem[], cache: ParseCache | undefined): LoadedSnapshot | undefined {
  if (option === undefined) return undefined;
  if (typeof option !== 'string') {
    for (const problem of option.problems) problems.push(problem);
    return option;
  }
  const file = option === 'auto' ? path.join(root, DEFAULT_SNAPSHOT_PATH) : path.resolve(option);
  if (option === 'auto' && !files.exists(file)) return undefined;
  // A snapshot named by the caller (`--snapshot`) is theirs to choose; the repository's own stays confined to it.
  const read = option === 'auto' || files.isInside(file) ? files.read(file) : new FileReader(path.dirname(file)).read(file);
  if (read.text === undefined) {
    problems.push(read.problem ?? { file, kind: 'unreadable', message: `The snapshot ${file} could not be read.` });
    return undefined;
  }
  try {
    // Parsed once per text: the editor re-analyses on every edit, and a snapshot of a large estate is megabytes.
    const text = read.text;
    const loaded = cache ? cache.get('snapshot', file, text, () => readSnapshotFile(file, text)) : readSnapshotFile(file, text);
    for (const problem of loaded.problems) problems.push(problem);
    return loaded;
  } catch (error) {
    problems.push({ file, kind: 'invalid-artifact', message: (error as Error).message });
    return undefined;
  }
}

/** The editor's settings, their patterns checked like the config's: workspace settings come with the repository, and must run in linear time too. */
function checkedSettings(settings: ScanOptions['settings'], root: string, problems: InputProblem[]): ScanOptions['settings'] {
  if (!settings) return undefined;
  const customInformationTypes = (settings.customInformationTypes ?? []).filter((type) => {
    const refused = refusedPattern([...type.namePatterns, ...type.valuePatterns]);
    if (refused === undefined) return true;
    problems.push({
      file: root,
      kind: 'unsafe-pattern',
      message: `The setting apimPosture.sensitiveData.customTypes: "${refused.pattern.slice(0, 100)}" cannot be run in linear time (${refused.reason}); the information type "${type.id}" is not used.`,
    });
    return false;
  });
  return { ...settings, customInformationTypes };
}

/** A config with the editor's (checked) settings over it. */
function withSettings(config: PostureConfig, settings: ScanOptions['settings']): PostureConfig {
  if (!settings) return config;
  return {
    ...config,
    rules: { ...config.rules, ...settings.rules },
    customInformationTypes: [...config.customInformationTypes, ...(settings.customInformationTypes ?? [])],
    exclude: [...config.exclude, ...(settings.exclude ?? [])],
  };
}

/** A root's path below the scanned folder (`.` for the folder itself): how configs and suppressions name it. */
function rootPathOf(scanRoot: string, service: ApimService | undefined): string | undefined {
  return service && relativeOrSelf(scanRoot, service.root);
}

interface RootSettings {
  /** The root's own `.apim-posture.json` over the repository's, the editor's settings over both. */
  config: PostureConfig;
  /** The root's own file, when it has one. */
  own?: PostureConfig;
  /** Its own suppressions, which hold for its findings only. */
  ownSuppressions: SuppressionEntry[];
  problems: InputProblem[];
}

/** The settings of each service read from an APIOps root below the scanned folder that has its own `.apim-posture.json`. */
function rootSettings(scanRoot: string, services: readonly ApimService[], repository: PostureConfig, settings: ScanOptions['settings'], documents: DocumentReader, files: FileReader): Map<ApimService, RootSettings> {
  const roots = new Map<ApimService, RootSettings>();
  for (const service of services) {
    if (service.root === scanRoot) continue;
    const { config: own, problems } = readConfig(service.root, documents, (file) => files.exists(file), true);
    if (own.file === undefined) continue;
    const merged = rootConfig(repository, own, rootPathOf(scanRoot, service)!);
    roots.set(service, { config: withSettings(merged, settings), own, ownSuppressions: merged.suppressions.slice(repository.suppressions.length), problems });
  }
  return roots;
}

/** A root compared with Azure: the deployed service it was matched with (none: the single root's usual choice), the snapshot as it sees it, its mappings. */
interface Compared {
  local: ApimService;
  deployed?: DeployedService;
  matchedBy?: string;
  view: LoadedSnapshot;
  mappings: ApiMapping[];
}

/**
 * The deployed service each root is compared with, or why it is not. A repository of one root is
 * compared as always (mapping picks the service) unless `.apim-posture.json` names one; the roots of
 * a repository of several are matched with the services of the snapshot (`matchRoots`).
 */
function deployedTargets(
  scanRoot: string,
  services: readonly ApimService[],
  roots: ReadonlyMap<ApimService, RootSettings>,
  repository: PostureConfig,
  snapshot: LoadedSnapshot,
  listed: readonly string[],
  documents: DocumentReader,
  problems: InputProblem[],
): { local: ApimService; deployed?: DeployedService; reason?: string }[] {
  const named = new Map<ApimService, { deployed: string; source: string }>();
  const byPath = new Map(services.map((service) => [rootPathOf(scanRoot, service)!, service]));
  const source = (entry: ServiceEntry) => relativeOrSelf(scanRoot, entry.location.file);
  for (const entry of repository.services ?? []) {
    const service = byPath.get(entry.root);
    if (service) named.set(service, { deployed: entry.deployed, source: source(entry) });
    else problems.push({ ...entry.location, kind: 'invalid-artifact', message: `${CONFIG_FILE_NAME}: "services" names ${entry.root}, which is not a root of this repository (${[...byPath.keys()].join(', ')}).` });
  }
  for (const [service, { own }] of roots) {
    for (const entry of own?.services ?? []) {
      if (entry.root === '.') named.set(service, { deployed: entry.deployed, source: source(entry) });
      else problems.push({ ...entry.location, kind: 'invalid-artifact', message: `${CONFIG_FILE_NAME}: in a root's own file, "services" names the root itself, as ".".` });
    }
  }
  if (services.length === 1) {
    const [local] = services;
    const given = named.get(local);
    if (!given) return [{ local }];
    const found = findService(snapshot.snapshot, given.deployed);
    return ['service' in found ? { local, deployed: found.service, reason: `named in ${given.source}` } : { local, reason: `${given.source} names ${given.deployed} for it, but ${found.why}` }];
  }
  const toMatch = services.map((service) => ({
    service,
    label: rootPathOf(scanRoot, service)!,
    named: named.get(service),
    declared: publisherServiceName(scanRoot, service.root, listed, documents),
  }));
  return matchRoots(toMatch, snapshot.snapshot).map((match) => ({ local: match.root.service, deployed: match.deployed, reason: match.reason }));
}

/**
 * Per scan, the classifier of each set of information types (a root may add its own); kept with the
 * editor's parse cache while the types stay the same, so that the schema objects an edit left alone
 * (the parse shares them) are not classified again.
 */
const classifiersByCache = new WeakMap<ParseCache, Map<string, SensitiveDataClassifier>>();

function sensitiveDataClassifiers(cache: ParseCache | undefined): (config: PostureConfig) => SensitiveDataClassifier {
  const kept = cache && classifiersByCache.get(cache);
  const used = new Map<string, SensitiveDataClassifier>();
  if (cache) classifiersByCache.set(cache, used);
  return (config) => {
    const customTypes = JSON.stringify(config.customInformationTypes);
    let classifier = used.get(customTypes) ?? kept?.get(customTypes);
    if (!classifier) classifier = new SensitiveDataClassifier(config.customInformationTypes);
    used.set(customTypes, classifier);
    return classifier;
  };
}

/** The analyses of each service's operations, asked for by API and operation whatever service they are in. */
function analysesOf(contexts: ReadonlyMap<ApimService, RuleContext>, sensitiveData: SensitiveDataClassifier): ScanResult['analyses'] {
  const byApi = new Map<ApiResource, RuleContext>();
  for (const [service, context] of contexts) for (const api of service.apis) byApi.set(api, context);
  const [first] = contexts.values();
  const contextOf = (api: ApiResource) => byApi.get(api) ?? first;
  const contextOfBackend = (backend: BackendResource) => [...contexts.values()].find((context) => context.service.backends.includes(backend)) ?? first;
  return {
    sensitiveData,
    auth: (api, operation) => contextOf(api).auth(api, operation),
    exposure: (api, operation) => contextOf(api).exposure(api, operation),
    backends: (api, operation) => contextOf(api).backends(api, operation),
    backend: (backend) => contextOfBackend(backend).backend(backend),
    risk: (api, operation) => contextOf(api).risk(api, operation),
    riskSummary: (api) => contextOf(api).riskSummary(api),
  };
}

/**
 * Names the service (its root, relative to the scanned folder) a finding of a repository of several
 * belongs to; its id then differs from the same finding's in another root, and stays stable.
 */
function inService(finding: Finding, label: string): void {
  finding.service = label;
  finding.id = idInService(finding, label);
}

function idInService(finding: Finding, label: string | undefined): string {
  return label === undefined ? finding.id : findingId(finding.ruleId, `${label}:${finding.resource}`, finding.id);
}

/** The analyses of one API's operations, by operation id (the API's own id when it has none): kept with its results, reused with them. */
type ApiAnalyses = Pick<ApiResults, 'auth' | 'exposure' | 'backends' | 'risk' | 'riskSummary'>;

function emptyAnalyses(): ApiAnalyses {
  return { auth: new Map(), exposure: new Map(), backends: new Map(), risk: new Map() };
}

/** Each API's analyses, made empty when first asked for. */
function analysesPerApi(): (api: ApiResource) => ApiAnalyses {
  const byApi = new Map<ApiResource, ApiAnalyses>();
  return (api) => {
    let analyses = byApi.get(api);
    if (!analyses) byApi.set(api, (analyses = emptyAnalyses()));
    return analyses;
  };
}

/** The analyses held by each API's results (an API the results do not know, such as another service's, gets its own). */
function analysesByApi(results: ReadonlyMap<ApiResource, { results: ApiResults }>): (api: ApiResource) => ApiAnalyses {
  const others = analysesPerApi();
  return (api) => results.get(api)?.results ?? others(api);
}

/** The analyses rules share, each computed once per operation (`analysesOf` may hold some already). */
export function ruleContext(
  service: ApimService,
  config: PostureConfig,
  sensitiveData = new SensitiveDataClassifier(config.customInformationTypes),
  analysesOf: (api: ApiResource) => ApiAnalyses = analysesPerApi(),
  backendSources: BackendSources = { readText: (file) => new FileReader(service.root).read(file).text },
): RuleContext {
  const resolver = new BackendResolver(service, backendSources);
  const authOf = (api: ApiResource, operation: OperationResource) => {
    const { auth } = analysesOf(api);
    let result = auth.get(operation.id);
    if (!result) auth.set(operation.id, (result = analyzeOperationAuth(service, api, operation)));
    return result;
  };
  const context: RuleContext = {
    service,
    config,
    sensitiveData,
    auth: authOf,
    exposure(api, operation) {
      const { exposure } = analysesOf(api);
      let result = exposure.get(operation.id);
      if (!result) exposure.set(operation.id, (result = operationExposure(operation, sensitiveData)));
      return result;
    },
    backends(api, operation) {
      const { backends } = analysesOf(api);
      let result = backends.get(operation.id);
      if (!result) backends.set(operation.id, (result = resolver.operation(api, authOf(api, operation).effective)));
      return result;
    },
    backend: (backend) => resolver.backend(backend),
    serviceUrl: (api) => resolver.serviceUrl(api),
    risk(api, operation) {
      const { risk } = analysesOf(api);
      let result = risk.get(operation.id);
      if (!result) risk.set(operation.id, (result = operationRisk(context, service, api, operation)));
      return result;
    },
    riskSummary(api) {
      const analyses = analysesOf(api);
      return (analyses.riskSummary ??= apiRiskSummary(context, api));
    },
  };
  return context;
}

/** One API's per-API results in a scan; `copies` pairs each finding a per-API rule reported with the one kept in the results, when this scan computed them. */
interface ApiResultsInScan {
  reused: boolean;
  results: ApiResults;
  copies: [reported: Finding, kept: Finding][];
}

/** Each API's per-API results: an earlier scan's when its files did not change (its analyses known already), else filled in by this scan. */
function apiResults(service: ApimService, memo: MemoScan | undefined): Map<ApiResource, ApiResultsInScan> {
  const results = new Map<ApiResource, ApiResultsInScan>();
  for (const api of service.apis) {
    const kept = memo?.reusable(service, api);
    results.set(api, kept ? { reused: true, results: kept, copies: [] } : { reused: false, results: { findings: new Map(), failures: new Map(), specProblems: [], ...emptyAnalyses(), goals: new Map() }, copies: [] });
  }
  return results;
}

/**
 * Keeps on the kept findings of an API the priorities their reported copies got, when they weigh one
 * operation of the API alone and Defender rates none of them: a later scan that reuses the API's
 * results reports copies that carry it, instead of weighing the operations again.
 */
function keepPriorities(service: ApimService, api: ApiResource, copies: ApiResultsInScan['copies']): void {
  for (const [reported, kept] of copies) if (reported.priority && !reported.defender && weighsOneOperationOf(reported.resource, service, api)) kept.priority = reported.priority;
}

/**
 * A per-API rule's findings, API by API: an API's earlier findings when its results are reused,
 * else the rule's (kept in its results); an API the rule fails on is a problem naming it.
 */
function checkApis(rule: ApiRule, context: RuleContext, results: ReadonlyMap<ApiResource, ApiResultsInScan>, problems: InputProblem[]): Finding[] {
  const findings: Finding[] = [];
  const id = rule.meta.id;
  for (const api of context.service.apis) {
    const { reused, results: ofApi, copies } = results.get(api)!;
    if (!reused) {
      try {
        ofApi.findings.set(id, rule.checkApi(context, api));
      } catch (error) {
        ofApi.failures.set(id, [analysisError(api.declaration.file, `Rule ${id} on API ${api.name}`, error)]);
      }
    }
    // Copies: the scan changes the findings it reports, and the kept ones may be reported again.
    for (const finding of ofApi.findings.get(id) ?? []) {
      const copy = copyFinding(finding);
      if (!reused) copies.push([copy, finding]);
      findings.push(copy);
    }
    problems.push(...(ofApi.failures.get(id) ?? []));
  }
  return findings;
}

/**
 * A rule's findings. When the rule throws, it runs again API by API, so that only the APIs it fails on
 * are lost, each named by a problem; findings about the whole service come once, by their ids.
 */
function checkIsolated(rule: Rule, context: RuleContext, contextFor: (apis: ApiResource[]) => RuleContext, problems: InputProblem[]): Finding[] {
  try {
    return rule.check(context);
  } catch (error) {
    const byId = new Map<string, Finding>();
    let failures = 0;
    for (const api of context.service.apis) {
      try {
        for (const finding of rule.check(contextFor([api]))) byId.set(finding.id, finding);
      } catch (apiError) {
        failures++;
        problems.push(analysisError(api.declaration.file, `Rule ${rule.meta.id} on API ${api.name}`, apiError));
      }
    }
    if (failures === 0) problems.push(analysisError(context.service.policy?.file ?? context.service.root, `Rule ${rule.meta.id}`, error));
    return [...byId.values()];
  }
}

/** Marks suppressed findings, and returns a finding for each suppression past its expiry date; one naming a root holds for that root's findings. */
function applySuppressions(findings: Finding[], suppressions: SuppressionEntry[], rootOf: (finding: Finding) => string | undefined, now: Date): Finding[] {
  const expired: Finding[] = [];
  for (const suppression of suppressions) {
    if (suppression.expires && suppressionExpired(suppression.expires, now)) {
      expired.push(expiredSuppressionFinding(suppression));
      continue;
    }
    for (const finding of findings) {
      if (!finding.suppression && finding.ruleId === suppression.rule && resourceMatches(suppression.resource, finding.resource) && (suppression.service === undefined || rootOf(finding) === suppression.service)) {
        finding.suppression = { reason: suppression.reason, expires: suppression.expires, location: suppression.location };
      }
    }
  }
  return expired;
}

function resourceMatches(pattern: string, resource: string): boolean {
  const lowerPattern = pattern.toLowerCase();
  const lowerResource = resource.toLowerCase();
  return lowerPattern.endsWith('*') ? lowerResource.startsWith(lowerPattern.slice(0, -1)) : lowerPattern === lowerResource;
}

function byLocation(a: Finding, b: Finding): number {
  return a.location.file < b.location.file ? -1 : a.location.file > b.location.file ? 1 : a.location.span.start - b.location.span.start || a.ruleId.localeCompare(b.ruleId);
}
