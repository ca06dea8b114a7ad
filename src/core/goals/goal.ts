// Posture goals: what "secure" means for a team's APIs, written in `.apim-posture.json` ("goals")
// and measured on every scan. These are the goals as read, and what measuring one says.
import type { Severity } from '../findings';
import type { ApiResource, ApimService, ApiSource } from '../model';
import type { SourceLocation } from '../text';

/** What a goal measures; `requirements` is a goal written with `require`. */
export const GOAL_METRICS = [
  'authenticated-operations',
  'onboarded-apis',
  'defender-plan',
  'api-risk',
  'findings',
  'suppressions',
  'suppressions-without-expiry',
  'finding-age-days',
] as const;
export type GoalMetric = (typeof GOAL_METRICS)[number] | 'requirements';

/** What every selected operation (or its API) must do, in a `require` goal. */
export const REQUIREMENTS = ['token-authentication', 'https-only', 'no-sensitive-data-in-url', 'not-in-open-product', 'request-validated', 'no-all-apis-subscription'] as const;
export type Requirement = (typeof REQUIREMENTS)[number];

/** The keys a goal, its selection and its target may have: the JSON schema lists the same (a test checks). */
export const GOAL_KEYS = ['id', 'title', 'description', 'metric', 'require', 'select', 'rule', 'severity', 'target', 'blocking'] as const;
export const SELECTION_KEYS = ['api', 'tag', 'product', 'workspace', 'service', 'source', 'sensitivity', 'informationType', 'keyless'] as const;
export const TARGET_KEYS = ['min', 'max'] as const;

/**
 * Which APIs and operations a goal is about; every criterion given must hold. API names and
 * services are globs (`orders-*`); `sensitivity`, `informationType` and `keyless` select operations
 * (and the APIs that hold them).
 */
export interface GoalSelection {
  api?: string[];
  tag?: string[];
  product?: string[];
  workspace?: string[];
  /** APIOps roots below the scanned folder (`envs/prod`), as findings name them. */
  service?: string[];
  source?: ApiSource[];
  /** `high`: operations carrying highly sensitive data; `medium`: any sensitive data. */
  sensitivity?: 'high' | 'medium';
  /** Information type ids or display names (`payment-card`, `Email address`). */
  informationType?: string[];
  /** Operations callable without a subscription key (or, `false`, only those that need one). */
  keyless?: boolean;
}

export interface GoalTarget {
  min?: number;
  max?: number;
}

export interface Goal {
  id: string;
  title: string;
  metric: GoalMetric;
  require?: Requirement[];
  select?: GoalSelection;
  rule?: string;
  severity?: Severity;
  target: GoalTarget;
  blocking: boolean;
  /** The goal's object in `.apim-posture.json`; absent for a goal of the built-in baseline. */
  location?: SourceLocation;
  /** Why the goal as written cannot be measured (also reported as an input problem at its place). */
  invalid?: string;
}

export type GoalStatus = 'met' | 'not-met' | 'not-evaluated';

/** An API, operation, subscription or suppression that keeps a goal from being met. */
/** What one API adds to a goal measured operation by operation (authenticated operations, requirements). */
export interface ApiGoalPart {
  /** Its selected operations. */
  operations: number;
  /** Its violations, in order. */
  violations: GoalViolation[];
}

/** Where the parts of an API are kept by goal, with its results between the editor's analyses: those of an API left alone are not measured again. */
export type KeptGoalParts = (service: ApimService, api: ApiResource) => Map<string, ApiGoalPart> | undefined;

export interface GoalViolation {
  /** The APIM resource (`apis/orders/operations/get-order`), or what else it is (`suppressions/2`). */
  resource: string;
  /** The root it is in, when the repository holds several. */
  service?: string;
  message: string;
  location: SourceLocation;
}

export interface GoalResult {
  id: string;
  title: string;
  metric: GoalMetric;
  status: GoalStatus;
  /** `status === 'met'`; a goal that could not be evaluated is not met. */
  met: boolean;
  /** What was measured: a share from 0 to 1, a count, a risk score or days; absent when not evaluated. */
  value?: number;
  target: GoalTarget;
  unit: 'share' | 'count' | 'score' | 'days';
  blocking: boolean;
  /** Why the goal was not evaluated. */
  reason?: string;
  /** What the measure left out, and why (a root not compared with Azure, a plan that could not be read). */
  notes: string[];
  violations: GoalViolation[];
  /** The goal in `.apim-posture.json`; absent for a goal of the built-in baseline. */
  location?: SourceLocation;
}

/**
 * Where the goals measured come from: `.apim-posture.json`'s `"goals"` (`[]` there means none), or,
 * when it has no `"goals"` (or there is no file), the built-in baseline (baseline.ts).
 */
export type GoalsSource = 'repository' | 'baseline';

/** The commit in which a finding first appeared, and its date (ISO). */
export interface FirstAppearance {
  commit: string;
  date: string;
}

/**
 * When each finding first appeared in the repository's git history (by its id, which does not change
 * when lines move), as the history walk found it; `finding-age-days` goals are measured with it.
 */
export interface FindingHistory {
  firstSeen: ReadonlyMap<string, FirstAppearance>;
  /** What the walk left out (the commits before its limit), said beside the measure. */
  notes: string[];
}
