// The one plain-data contract between the engine and every surface: the CLI's JSON report, the
// language server's answers to the editor (diagnostics, trees, code lens, hovers, the effective policy)
// and the later dashboard all read these types. Plain JSON values only (no closures, no classes), so it
// crosses a process boundary as it is; `docs/report.schema.json` describes it, generated from these types.
import type { AuthState } from '../analysis/authentication';
import type { ExposureFact } from '../backends/azureFacts';
import type { BackendKind } from '../backends/resolve';
import type { PriorityFactor } from '../priority/priority';
import type { Coverage } from '../coverage';
import type { DriftKind } from '../azure/drift';
import type { SnapshotError, SnapshotPart } from '../azure/snapshot';
import type { DefenderView, FindingSource, Severity } from '../findings';
import type { ApiSource, RepositoryLayout } from '../model';
import type { ReportSummary } from './common';

/**
 * Raised when a field changes meaning or disappears; new optional fields keep the version. 3: a finding
 * Defender confirms is one finding with `sources` and `defender` (Defender's facts left `properties`).
 */
export const CONTRACT_VERSION = 3;

/** A place in a file: the file relative to the report's `root` (`/`-separated; absolute when outside it) and a 1-based region, `endColumn` exclusive, columns in UTF-16 code units. */
export interface ReportLocation {
  file: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface ReportRule {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  remediation: string;
  helpUri: string;
  defender?: {
    displayName: string;
    assessmentKey?: string;
    keyConfirmed: boolean;
    severity: 'High' | 'Medium' | 'Low';
  };
}

/**
 * A fix as a typed descriptor: what it does, not its edits. The edits are computed on request (the
 * language server's `apimPosture/fixEdits`, or the CLI), against the text the analysis read.
 */
export interface ReportFix {
  /** Stable within its finding. */
  id: string;
  title: string;
  preferred: boolean;
  /** `add-policy`: adds an authentication policy at `scope`; `edit`: changes the declaration or policy in place. */
  kind: 'add-policy' | 'edit';
  /** The policy an `add-policy` fix adds (`validate-jwt`). */
  policy?: string;
  /** Where an `add-policy` fix writes it. */
  scope?: 'global' | 'workspace' | 'product' | 'api' | 'operation';
}

export interface ReportFinding {
  /** Stable across runs and unrelated edits. */
  id: string;
  ruleId: string;
  severity: Severity;
  /** `predicted` from the files, `observed` from Azure; a prediction Defender confirms stays `predicted` (see `sources`). */
  origin: 'predicted' | 'observed';
  /** Everything that reports the problem: `['predicted', 'observed']` when Defender confirms a prediction, one finding with the prediction's id. */
  sources: FindingSource[];
  /** Defender's Unhealthy assessment of the problem: its status, first evaluation and last status change, portal link. */
  defender?: DefenderView;
  resource: string;
  /** The service's root relative to the scanned folder, when the repository holds several. */
  service?: string;
  message: string;
  remediation: string;
  location: ReportLocation;
  related: { location: ReportLocation; message: string }[];
  relatedOmitted?: number;
  fixes: ReportFix[];
  suppression?: { reason: string; expires?: string; location: ReportLocation };
  /** Rule-specific facts (auth state, sensitivity labels); `unmapped` marks a Defender finding no local file declares; `drift` how git and Azure disagree on it. */
  properties?: Record<string, unknown>;
  /** Which findings to fix first: 100 × severity × exploitability × impact, with each factor's share. */
  priority?: ReportPriority;
}

/**
 * A score from 0 to 100 (higher first) and the factors it is the product of: the finding's severity,
 * the exploitability and the impact of the operation it is about (its riskiest one when several).
 * Each factor's `contribution` is its share of the score; the contributions add up to it.
 */
export interface ReportPriority {
  score: number;
  factors: PriorityFactor[];
  /** The operation the factors are those of. */
  operation?: string;
  /** What the factors could not weigh in, and why (an unresolved backend, no operation concerned). */
  notes: string[];
}

/** What stands behind an operation or an APIM backend, resolved from its URL's host and the repository's declarations. */
export interface ReportBackend {
  kind: BackendKind;
  host?: string;
  via: 'service-url' | 'backend' | 'set-backend-service';
  /** The APIM backend resource, when one is named. */
  backend?: string;
  /** Where the URL or policy is written. */
  location: ReportLocation;
  /** The repository's declaration of the resource behind it, and what it says about reaching it without the gateway. */
  resource?: {
    name: string;
    type: string;
    declaredAt: ReportLocation;
    publicNetworkAccess?: 'Enabled' | 'Disabled';
    accessRestricted?: boolean;
    privateEndpoint?: boolean;
    appServiceAuth?: boolean;
    managedIdentity?: boolean;
    /** Exposure properties written as expressions the files do not determine. */
    notKnown: string[];
  };
  /** Reachable from the internet without the gateway, as far as Azure (with a snapshot) or else the declaration says. */
  callableDirectly: boolean;
  /** Why the kind or the resource is not known. */
  unresolved?: string;
  /** With a snapshot: the Azure resource behind the backend and what Azure says of it, or why the snapshot does not tell. */
  azure?: ReportAzureBackend;
  /** Each exposure fact known, and its source: Azure's (a snapshot) preferred over the repository's declaration. */
  exposure: ExposureFact[];
}

/** The Azure resource behind a backend, from a snapshot's Resource Graph and ARM reads. */
export interface ReportAzureBackend {
  found: boolean;
  /** Why the snapshot does not tell (not found, not looked up, not read). */
  why?: string;
  resourceId?: string;
  name?: string;
  type?: string;
  kind?: string;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  accessRestricted?: boolean;
  /** Every rule that admits calls admits API Management only. */
  onlyApiManagement?: boolean;
  privateEndpoint?: boolean;
  appServiceAuth?: boolean;
  managedIdentity?: boolean;
  localAuthDisabled?: boolean;
  /** Facts not read from Azure, each with why. */
  notRead?: string[];
}

export interface ReportSnapshot {
  file: string;
  createdAt: string;
  ageDays?: number;
  maxAgeDays: number;
  stale: boolean;
  unread: SnapshotError[];
  unreadOmitted?: number;
  /** Each part of Azure (assessments, Healthy assessments, per subscription its services, plan and onboarding): read, failed with its error, or not asked for with why. Conclusions come from read parts only. */
  parts: SnapshotPart[];
  partsOmitted?: number;
  notices: string[];
}

/** How calls without a subscription key reach an operation, and what authenticates them. */
export interface ReportAuthentication {
  state: AuthState;
  keyless: boolean;
  /** One line: `validate-jwt (api scope)`, `subscription key required`, `conditional: validate-jwt inside <choose>`. */
  summary: string;
  /** The authentication policies on the keyless path, each with the scope it runs at and whether a `<choose>` branch holds it. */
  policies: { policy: string; scope: string; conditional: boolean; viaFragments: string[]; location: ReportLocation }[];
  /** Policies on that path that were declared but could not be read. */
  unreadScopes: string[];
  openProduct?: string;
}

/** One statement of the effective policy, in execution order. */
export interface ReportPolicyStatement {
  /** The element's name (`validate-jwt`, `rate-limit-by-key`). */
  name: string;
  scope: string;
  viaFragments: string[];
  location: ReportLocation;
}

export interface ReportEffectivePolicy {
  /** Per section (`inbound`, `backend`, `outbound`, `on-error`): the scopes that ran, outermost first, and the statements. */
  sections: Record<string, { scopesReached: string[]; inheritanceCutAt: string[]; statements: ReportPolicyStatement[] }>;
}

export interface ReportOperation {
  id: string;
  /** How commands name the operation: its id, after its service's root when the folder holds several. */
  key: string;
  name: string;
  method?: string;
  urlTemplate?: string;
  location: ReportLocation;
  /** The operation object in the spec, where code lenses go. */
  specLocation?: ReportLocation;
  authentication: ReportAuthentication;
  /** Display names of the sensitive information types the operation carries. */
  sensitiveTypes: string[];
  /** The highest sensitivity of those types; absent when the operation carries none. */
  sensitivity?: 'high' | 'medium';
  sensitiveInUrl: boolean;
  /** Defender saw no traffic for 30 days (from the snapshot). */
  unused: boolean;
  /** Present when asked for (the CLI's JSON report); the editor asks the server for one operation's. */
  effectivePolicy?: ReportEffectivePolicy;
  /** Where its calls go: the API's serviceUrl and each set-backend-service, resolved. */
  backends: ReportBackend[];
}

export interface ReportApi {
  id: string;
  name: string;
  displayName?: string;
  source: ApiSource;
  /** Where the API is declared. */
  location: ReportLocation;
  path?: string;
  type: string;
  revision?: string;
  apiVersion?: string;
  protocols?: string[];
  subscriptionRequired?: boolean;
  workspace?: string;
  products: string[];
  /** With a snapshot: the deployed API it maps to, and whether Defender for APIs onboarded it. */
  azure?: { deployedApi?: string; reason: string; confidence: string; detail: string; onboarded?: boolean };
  /** The API's risk: its riskiest operation's exploitability × impact (what a flaw of high severity there would rank), with the factors. */
  risk: ReportPriority;
  operations: ReportOperation[];
}

/** A product, subscription, backend, named value or fragment, as the inventory lists it. */
export interface ReportResource {
  id: string;
  label: string;
  description?: string;
  icon: 'package' | 'key' | 'server' | 'lock' | 'unlock' | 'symbol-constant' | 'symbol-snippet' | 'cloud';
  location: ReportLocation;
  /** A backend's target, resolved. */
  backend?: ReportBackend;
}

export interface ReportService {
  /** Its root relative to the scanned folder when the folder holds several services; absent when one. */
  label?: string;
  root: string;
  layout: RepositoryLayout;
  /** No APIs, products or global policy: nothing to list. */
  empty: boolean;
  apis: ReportApi[];
  products: ReportResource[];
  subscriptions: ReportResource[];
  backends: ReportResource[];
  namedValues: ReportResource[];
  fragments: ReportResource[];
  /** Deployed APIs (from the snapshot) that no local API maps to, located in the snapshot file. */
  onlyInAzure: ReportResource[];
}

export interface ReportDrift {
  kind: DriftKind;
  /** The root whose comparison with Azure showed it, when the folder holds several services. */
  service?: string;
  resource: string;
  message: string;
  location: ReportLocation;
  findingId?: string;
  /** `policy-differs`: the repository has a policy there (which can be pushed); false when only Azure has one. */
  inRepository?: boolean;
}

/** One step of an attack path: a resource Defender names, placed on the repository where it declares it. */
export interface ReportAttackPathStep {
  name?: string;
  /** What Defender says it is (`microsoft.apimanagement/service/apis`, `Internet`). */
  type?: string;
  resourceId?: string;
  /** The local resource (`apis/payments/operations/get-saved-card`) and its declaration. */
  resource?: string;
  location?: ReportLocation;
}

/** An attack path from the internet through the gateway: Defender's (`observed`), from the snapshot. */
export interface ReportAttackPath {
  id: string;
  source: 'observed';
  /** The root whose service it goes through, when the folder holds several. */
  service?: string;
  title: string;
  description?: string;
  /** `Low`, `Medium`, `High` or `Critical`, as Defender rates it. */
  riskLevel?: string;
  riskFactors: string[];
  remediation?: string;
  steps: ReportAttackPathStep[];
  /** The path in the snapshot file. */
  location: ReportLocation;
}

/** One posture goal, of `.apim-posture.json` or of the built-in baseline, as measured on this analysis. */
export interface ReportGoal {
  id: string;
  title: string;
  /** What it measures (`authenticated-operations`, `api-risk`, …); `requirements` for a goal written with `require`. */
  metric: string;
  status: 'met' | 'not-met' | 'not-evaluated';
  /** `status === 'met'`: a goal that could not be evaluated is not met. */
  met: boolean;
  /** The measure: a share from 0 to 1, a count, a risk score or days (`unit`); absent when not evaluated. */
  value?: number;
  target: { min?: number; max?: number };
  unit: 'share' | 'count' | 'score' | 'days';
  /** A blocking goal that is not met fails the CLI's scan (exit code 1). */
  blocking: boolean;
  /** Why the goal was not evaluated. */
  reason?: string;
  /** What the measure left out, and why. */
  notes: string[];
  /** The items that keep it from being met, each with the resource and where it is. */
  violations: { resource: string; service?: string; message: string; location: ReportLocation }[];
  /** The goal in `.apim-posture.json`; absent for a goal of the built-in baseline. */
  location?: ReportLocation;
}

/** What was read and what was not, with why (plain data already). */
export type ReportCoverage = Coverage;

/** The posture at one commit of the repository's history, as `apim-posture trend` measures it. */
export interface TrendPoint {
  /** When the commit was made (ISO 8601). */
  date: string;
  commit: string;
  /** Unsuppressed findings at that commit, by severity. */
  findings: Record<Severity, number>;
  /** Goals met at that commit. */
  goalsMet: number;
  /** Goals measured at that commit (met or not); absent when it declared none. */
  goals?: number;
}

/** Everything one analysis of one folder says. The CLI's `--format json` writes it whole. */
export interface AnalysisReport {
  contractVersion: number;
  tool: string;
  version: string;
  /** Absolute path of the scanned folder. */
  root: string;
  summary: ReportSummary;
  assumptions?: string[];
  coverage: ReportCoverage;
  snapshot?: ReportSnapshot;
  rules: ReportRule[];
  findings: ReportFinding[];
  /** The inventory: services, their APIs and operations with authentication, and what else they declare. */
  services: ReportService[];
  /** Differences between the repository and the snapshot of Azure. */
  drift: ReportDrift[];
  /** Defender's attack paths through the compared services (with a snapshot that read them). */
  attackPaths?: ReportAttackPath[];
  /**
   * Where `goals` come from: `repository`, the `"goals"` of `.apim-posture.json` (`[]` there: no goals);
   * `baseline`, the built-in goals (non-blocking), because the file has no `"goals"` or there is no file.
   */
  goalsSource?: 'repository' | 'baseline';
  /** The posture goals, each measured (see `goalsSource`); absent only in a report no scan made. */
  goals?: ReportGoal[];
  /** The posture over the repository's history, oldest first; absent when not measured. */
  trend?: TrendPoint[];
}
