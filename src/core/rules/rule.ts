import { createHash } from 'crypto';
import type { OperationAuth } from '../analysis/authentication';
import type { OperationExposure } from '../analysis/dataExposure';
import type { SensitiveDataClassifier } from '../analysis/sensitiveData';
import type { ResolvedBackend } from '../backends/resolve';
import type { ApiRiskSummary, OperationRisk } from '../priority/priority';
import type { PostureConfig } from '../config';
import type { Finding, Fix, RelatedLocation, RuleMetadata, Severity } from '../findings';
import type { ApiResource, ApimService, BackendResource, OperationResource, ResourceId } from '../model';
import { MAX_RELATED_LOCATIONS } from '../limits';
import type { SourceLocation } from '../text';

/** What every rule gets: the model and the analyses that several rules share (computed once). */
export interface RuleContext {
  service: ApimService;
  config: PostureConfig;
  auth(api: ApiResource, operation: OperationResource): OperationAuth;
  exposure(api: ApiResource, operation: OperationResource): OperationExposure;
  /** Where the operation's calls go (its API's serviceUrl, set-backend-service), each resolved to the kind of resource behind it. */
  backends(api: ApiResource, operation: OperationResource): ResolvedBackend[];
  /** An APIM backend resource's target, resolved. */
  backend(backend: BackendResource): ResolvedBackend;
  /** The API's serviceUrl, resolved, when it is written (whether or not a policy sends the calls elsewhere). */
  serviceUrl(api: ApiResource): ResolvedBackend | undefined;
  /** The exploitability and impact of calls to the operation, which the findings' priorities weigh. */
  risk(api: ApiResource, operation: OperationResource): OperationRisk;
  /** What findings about several APIs weigh of the API's operations. */
  riskSummary(api: ApiResource): ApiRiskSummary;
  sensitiveData: SensitiveDataClassifier;
}

export interface Rule {
  meta: RuleMetadata;
  check(context: RuleContext): Finding[];
}

/**
 * A rule whose findings on an API depend on that API (its files) and on what the whole service
 * shares, never on the other APIs: the editor's re-analysis runs it again only on the APIs an edit
 * touched (see analysisMemo.ts).
 */
export interface ApiRule extends Rule {
  checkApi(context: RuleContext, api: ApiResource): Finding[];
}

/** A rule checked API by API. */
export function apiRule(meta: RuleMetadata, checkApi: ApiRule['checkApi']): ApiRule {
  return { meta, checkApi, check: (context) => context.service.apis.flatMap((api) => checkApi(context, api)) };
}

export function isApiRule(rule: Rule): rule is ApiRule {
  return 'checkApi' in rule;
}

/**
 * A rule that reads only what Azure told (`service.deployment`: the Defender for APIs plan, onboarding, unused endpoints).
 * The Azure layer asks it what it reports, so that Defender's own assessment of the same resource is
 * not shown a second time beside it.
 */
export interface DeploymentFactRule extends Rule {
  reportedResources(service: ApimService): ResourceId[];
}

/** Where a finding about the whole service points: the global policy's `<policies>` tag, when the repository has one. */
export function globalPolicyLocation(service: ApimService): SourceLocation | undefined {
  const root = service.policy?.xml.root;
  return service.policy && root ? { file: service.policy.file, span: root.startTagSpan } : undefined;
}

export interface FindingDraft {
  resource: ResourceId;
  /** What distinguishes this finding from others of the same rule on the same resource (a parameter name, ...). */
  key?: string;
  message: string;
  location: SourceLocation;
  related?: RelatedLocation[];
  /** Computed on first read: most findings are never asked for their fixes, and fixes cost text and memory. */
  fixes?: () => Fix[];
  properties?: Record<string, unknown>;
  severity?: Severity;
}

/**
 * A rule's finding; its fixes are computed when first read (a getter on the prototype, so findings
 * stay plain, fast objects). Copy one with `Object.assign`, not a spread, which would drop the fixes.
 */
class RuleFinding implements Finding {
  related: RelatedLocation[] = [];
  relatedOmitted?: number;
  service?: string;
  suppression?: Finding['suppression'];
  properties?: Record<string, unknown>;
  private computedFixes?: Fix[];

  constructor(
    public id: string,
    readonly ruleId: string,
    public severity: Severity,
    readonly resource: ResourceId,
    public message: string,
    readonly remediation: string,
    readonly location: SourceLocation,
    readonly origin: Finding['origin'],
    draft: FindingDraft,
    private readonly computeFixes: (() => Fix[]) | undefined,
  ) {
    this.keepRelated(draft.related ?? []);
    this.properties = draft.properties;
  }

  /** Each related location once, and the first MAX_RELATED_LOCATIONS of them: a report stays readable whatever the policies repeat. */
  private keepRelated(related: RelatedLocation[]): void {
    const seen = new Set<string>();
    let omitted = 0;
    for (const candidate of related) {
      const key = `${candidate.location.file}\0${candidate.location.span.start}\0${candidate.location.span.end}\0${candidate.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (this.related.length < MAX_RELATED_LOCATIONS) this.related.push(candidate);
      else omitted++;
    }
    if (omitted > 0) this.relatedOmitted = omitted;
  }

  get fixes(): Fix[] {
    return (this.computedFixes ??= this.fixesOrNone());
  }

  /** Fixes are computed when a report or the editor asks: one that cannot be computed on a broken file is left out, never a failed report. */
  private fixesOrNone(): Fix[] {
    try {
      return this.computeFixes?.() ?? [];
    } catch {
      return [];
    }
  }

  set fixes(fixes: Fix[]) {
    this.computedFixes = fixes;
  }

  /** What JSON sees: the Finding's fields, fixes included, without the machinery. */
  toJSON(): Finding {
    const { computeFixes: _computeFixes, computedFixes: _computedFixes, ...fields } = this;
    return { ...fields, fixes: this.fixes };
  }
}

/** A copy of a finding that keeps its class, and so its fixes, computed when first read. */
export function copyFinding(finding: Finding): Finding {
  return Object.assign(Object.create(Object.getPrototypeOf(finding) as object) as Finding, finding);
}

/** Builds a predicted finding whose id depends only on what it is about, never on where it is. */
export function predicted(meta: RuleMetadata, draft: FindingDraft): Finding {
  return ruleFinding(meta, draft, 'predicted');
}

/** A finding of a `DeploymentFactRule`: what Azure told, not a prediction from the files, so of origin `observed` like Defender's own. */
export function observedFact(meta: RuleMetadata, draft: FindingDraft): Finding {
  return ruleFinding(meta, draft, 'observed');
}

/** `workspaces/<ws>/apis/...`: an API of an APIM workspace, or a part of one. */
const WORKSPACE_API = /^workspaces\/([^/]+)\/apis\//;

export const WORKSPACE_API_NOTE = 'Defender for APIs does not assess APIs in workspaces, so this prediction is the only check it gets.';

function ruleFinding(meta: RuleMetadata, draft: FindingDraft, origin: Finding['origin']): Finding {
  const workspace = WORKSPACE_API.exec(draft.resource)?.[1];
  // Said on every finding about a workspace API: nothing in Defender's own findings will repeat it.
  const message = workspace === undefined ? draft.message : `${draft.message} ${WORKSPACE_API_NOTE}`;
  const properties = workspace === undefined ? draft.properties : { ...draft.properties, workspace, assessedByDefenderForApis: false };
  return new RuleFinding(findingId(meta.id, draft.resource, draft.key ?? ''), meta.id, draft.severity ?? meta.severity, draft.resource, message, meta.remediation, draft.location, origin, { ...draft, properties }, draft.fixes);
}

/** Ids already hashed: the editor re-analyses on every edit and asks for the same thousands again. */
const knownIds = new Map<string, string>();
const KNOWN_IDS_LIMIT = 100_000;

export function findingId(ruleId: string, resource: ResourceId, key: string): string {
  const input = `${ruleId}\u0000${resource.toLowerCase()}\u0000${key}`;
  let id = knownIds.get(input);
  if (id === undefined) {
    if (knownIds.size >= KNOWN_IDS_LIMIT) knownIds.clear();
    id = createHash('sha256').update(input).digest('hex').slice(0, 20);
    knownIds.set(input, id);
  }
  return id;
}

export const DOCS_BASE = 'https://github.com/apim-posture/apim-posture/blob/main/docs/rules.md';

/** A rule's section in docs/rules.md, whose heading is the rule's id. */
export function ruleHelpUri(ruleId: string): string {
  return `${DOCS_BASE}#${headingAnchor(ruleId)}`;
}

/** The anchor GitHub gives a Markdown heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}
