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

/** Builds a predicted finding whose id depends only on what it is about, never on where it is. */
export function predicted(meta: RuleMetadata, draft: FindingDraft): Finding {
  const finding = {
    id: findingId(meta.id, draft.resource, draft.key ?? ''),
    ruleId: meta.id,
    severity: draft.severity ?? meta.severity,
    resource: draft.resource,
    message: draft.message,
    location: draft.location,
    related: draft.related ?? [],
    origin: 'predicted',
    properties: draft.properties,
  } as Omit<Finding, 'fixes'> as Finding;
  let fixes: Fix[] | undefined;
  Object.defineProperty(finding, 'fixes', {
    enumerable: true,
    configurable: true,
    get: () => (fixes ??= draft.fixes?.() ?? []),
    set: (value: Fix[]) => (fixes = value),
  });
  return finding;
}

export function findingId(ruleId: string, resource: ResourceId, key: string): string {
  return createHash('sha256').update(`${ruleId}\u0000${resource.toLowerCase()}\u0000${key}`).digest('hex').slice(0, 20);
}

export const DOCS_BASE = 'https://github.com/apim-posture/apim-posture/blob/main/docs/rules.md';

export function ruleHelpUri(ruleId: string): string {
  return `${DOCS_BASE}#${ruleId}`;
}
