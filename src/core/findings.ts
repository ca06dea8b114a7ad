import type { ResourceId } from './model';
import type { Priority } from './priority/priority';
import type { FileEdit, SourceLocation } from './text';

export type Severity = 'high' | 'medium' | 'low' | 'info';

export const SEVERITY_ORDER: readonly Severity[] = ['high', 'medium', 'low', 'info'];

/** The Defender for Cloud recommendation a rule predicts (docs/rules.md names each rule's). */
export interface DefenderMapping {
  displayName: string;
  /** Assessment key (name of the `Microsoft.Security/assessments` resource), when known. */
  assessmentKey?: string;
  /** False where the key is marked unconfirmed: match observed data by display name too. */
  keyConfirmed: boolean;
  severity: 'High' | 'Medium' | 'Low';
}

export interface RuleMetadata {
  id: string;
  title: string;
  severity: Severity;
  /** What the rule checks and why it matters. */
  description: string;
  remediation: string;
  defender?: DefenderMapping;
  helpUri: string;
}

export interface Fix {
  /** Stable within a finding (`add-validate-jwt@api`). */
  id: string;
  title: string;
  /** The safest fix of a finding is preferred (the editor marks it `isPreferred`). */
  preferred?: boolean;
  /** An authentication policy the fix adds, and the scope it writes it at: the editor groups these behind a choice of scope. */
  adds?: { policy: string; scope: 'global' | 'workspace' | 'product' | 'api' | 'operation' };
  edits: FileEdit[];
}

export interface RelatedLocation {
  location: SourceLocation;
  message: string;
}

export interface Suppression {
  reason: string;
  expires?: string;
  /** Where the suppression is written. */
  location: SourceLocation;
}

/** What Defender for Cloud says of the problem a finding is about: its Unhealthy assessment in the snapshot. */
export interface DefenderView {
  assessmentKey: string;
  displayName?: string;
  /** ARM id of the assessed resource, as Resource Graph gives it. */
  azureResourceId: string;
  status: string;
  /** When Defender first assessed the resource, and when its status last changed (ISO times). */
  firstEvaluationDate?: string;
  statusChangeDate?: string;
  /** The recommendation in the Azure portal (https only). */
  portalUri?: string;
  remediation?: string;
  risk?: DefenderRisk;
}

/** Defender's risk of an assessment (api-version 2025-05-04): its level, what makes it (internet exposure, sensitive data…) and the attack paths it is on. */
export interface DefenderRisk {
  /** `Low`, `Medium`, `High` or `Critical`. */
  level?: string;
  riskFactors: string[];
  /** Names of the attack paths (`microsoft.security/attackpaths`) the assessed resource is on. */
  attackPathsReferences: string[];
  /** Whether the level comes from the resource's context (exposure, data) rather than the recommendation alone. */
  isContextualRisk?: boolean;
}

/** `Critical (Internet exposure, Sensitive data) on 1 attack path`: Defender's rating in words, the same on every surface. */
export function defenderRiskText(risk: DefenderRisk): string {
  const paths = risk.attackPathsReferences.length;
  return [risk.level ?? 'level not given', risk.riskFactors.length > 0 ? ` (${risk.riskFactors.join(', ')})` : '', paths > 0 ? ` on ${paths} attack path${paths === 1 ? '' : 's'}` : ''].join('');
}

/** Where a finding comes from: the files (`predicted`), Azure through the snapshot (`observed`), or both. */
export type FindingSource = 'predicted' | 'observed';

export interface Finding {
  /** Stable across runs and unrelated edits: derived from rule, resource and a rule-specific key, never from offsets. */
  id: string;
  ruleId: string;
  severity: Severity;
  resource: ResourceId;
  /**
   * The service the finding is about, as its root relative to the scanned folder (`envs/prod`), when
   * the repository holds several (APIOps roots of environments or instances); absent when it holds one.
   */
  service?: string;
  message: string;
  /** How to make it healthy: the rule's advice, or Defender's own remediation for observed findings. */
  remediation: string;
  location: SourceLocation;
  /** At most MAX_RELATED_LOCATIONS, each once. */
  related: RelatedLocation[];
  /** How many more related locations there were ("and N more"); absent when none were left out. */
  relatedOmitted?: number;
  fixes: Fix[];
  /**
   * `predicted` from the files; `observed` from Azure (Defender's assessment, or a deployment fact).
   * A predicted finding Defender confirms stays `predicted` and carries `defender`: one finding per problem.
   */
  origin: 'predicted' | 'observed';
  /** Defender's Unhealthy assessment of the same problem, when the snapshot has one. */
  defender?: DefenderView;
  suppression?: Suppression;
  /** Rule-specific facts for the editor (auth state, sensitivity labels, risk score). */
  properties?: Record<string, unknown>;
  /** Which findings to fix first: a score 0-100 and the factors it is made of (set by the scan once every finding is known). */
  priority?: Priority;
}

/** Every source that reports the finding: the files, Azure, or both when Defender confirms a prediction. */
export function findingSources(finding: Pick<Finding, 'origin' | 'defender'>): FindingSource[] {
  return finding.origin === 'predicted' && finding.defender ? ['predicted', 'observed'] : [finding.origin];
}
