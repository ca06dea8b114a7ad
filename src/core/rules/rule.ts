import { createHash } from 'crypto';
import type { OperationAuth } from '../analysis/authentication';
import type { OperationExposure } from '../analysis/dataExposure';
import type { SensitiveDataClassifier } from '../analysis/sensitiveData';
import type { PostureConfig } from '../config';
import type { Finding, Fix, RelatedLocation, RuleMetadata, Severity } from '../findings';
import type { ApiResource, ApimService, OperationResource, ResourceId } from '../model';
import type { SourceLocation } from '../text';

/** What every rule gets: the model and the analyses that several rules share (computed once). */
export interface RuleContext {
  service: ApimService;
  config: PostureConfig;
  auth(api: ApiResource, operation: OperationResource): OperationAuth;
  exposure(operation: OperationResource): OperationExposure;
  sensitiveData: SensitiveDataClassifier;
}

export interface Rule {
  meta: RuleMetadata;
  check(context: RuleContext): Finding[];
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
 * A predicted finding; its fixes are computed when first read (a getter on the prototype, so findings
 * stay plain, fast objects). Copy one with `Object.assign`, not a spread, which would drop the fixes.
 */
class PredictedFinding implements Finding {
  readonly origin = 'predicted';
  related: RelatedLocation[];
  suppression?: Finding['suppression'];
  properties?: Record<string, unknown>;
  private computedFixes?: Fix[];

  constructor(
    readonly id: string,
    readonly ruleId: string,
    public severity: Severity,
    readonly resource: ResourceId,
    readonly message: string,
    readonly remediation: string,
    readonly location: SourceLocation,
    draft: FindingDraft,
    private readonly computeFixes: (() => Fix[]) | undefined,
  ) {
    this.related = draft.related ?? [];
    this.properties = draft.properties;
  }

  get fixes(): Fix[] {
    return (this.computedFixes ??= this.computeFixes?.() ?? []);
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

/** Builds a predicted finding whose id depends only on what it is about, never on where it is. */
export function predicted(meta: RuleMetadata, draft: FindingDraft): Finding {
  return new PredictedFinding(findingId(meta.id, draft.resource, draft.key ?? ''), meta.id, draft.severity ?? meta.severity, draft.resource, draft.message, meta.remediation, draft.location, draft, draft.fixes);
}

export function findingId(ruleId: string, resource: ResourceId, key: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${resource.toLowerCase()}\u0000${key}`).digest('hex').slice(0, 20);
}

export const DOCS_BASE = 'https://github.com/apim-posture/apim-posture/blob/main/docs/rules.md';

export function ruleHelpUri(ruleId: string): string {
  return `${DOCS_BASE}#${ruleId}`;
}
