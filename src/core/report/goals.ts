// Goal results as words, the same in every text report (the table, Markdown, SARIF's messages).
import type { GoalResult, GoalsSource } from '../goals/goal';
import type { ReportFinding, ReportGoal } from './contract';

/** At most this many violations per goal in text reports; the JSON report has them all. */
export const MAX_VIOLATIONS_SHOWN = 10;

export function goalValueText(goal: Pick<GoalResult, 'value' | 'unit'>): string {
  if (goal.value === undefined) return '–';
  return goal.unit === 'share' ? percent(goal.value) : String(goal.value);
}

/** `≥ 100%`, `≤ 70`, `≥ 90% and ≤ 100%`. */
export function goalTargetText(goal: Pick<GoalResult, 'target' | 'unit'>): string {
  const bound = (value: number) => (goal.unit === 'share' ? percent(value) : String(value));
  return [goal.target.min !== undefined && `≥ ${bound(goal.target.min)}`, goal.target.max !== undefined && `≤ ${bound(goal.target.max)}`].filter(Boolean).join(' and ');
}

export function goalStatusText(goal: Pick<GoalResult, 'status'>): string {
  return goal.status === 'met' ? 'met' : goal.status === 'not-met' ? 'NOT MET' : 'not evaluated';
}

/** One line after the status: the title, the value against the target, or why the goal was not evaluated. */
export function goalLine(goal: GoalResult): string {
  const measure = goal.status === 'not-evaluated' ? goal.reason : `${goalValueText(goal)} (target ${goalTargetText(goal)})`;
  return `${goal.title}${goal.blocking ? ' [blocking]' : ''}: ${measure}`;
}

/** Goals that fail the scan: the blocking ones (every one with `--fail-on-goals`) that are not met. */
export function failingGoals(goals: readonly GoalResult[] | undefined, everyGoalBlocks = false): GoalResult[] {
  return (goals ?? []).filter((goal) => (goal.blocking || everyGoalBlocks) && !goal.met);
}

/** What every surface says of where the goals come from, when it is not a list in `.apim-posture.json`. */
export function goalsOriginNote(source: GoalsSource | undefined, count: number): string | undefined {
  if (source === 'baseline') return 'No goals in .apim-posture.json: the built-in baseline applies (not blocking; --fail-on-goals makes it so). See "Posture goals" in the README.';
  if (source === 'repository' && count === 0) return '"goals": [] in .apim-posture.json: no goals are measured.';
  return undefined;
}

/** The line that says whether the goals fail the scan. */
export function goalsVerdict(goals: readonly GoalResult[], everyGoalBlocks = false): string {
  const failing = failingGoals(goals, everyGoalBlocks);
  if (failing.length > 0) return `${failing.length === 1 ? 'A blocking goal is' : `${failing.length} blocking goals are`} not met: ${failing.map((goal) => goal.id).join(', ')}.`;
  return goals.some((goal) => goal.blocking || everyGoalBlocks) ? 'Every blocking goal is met.' : 'No goal is blocking.';
}

/** A share as a percentage, to one decimal at most: `66.7%`. */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}

/**
 * Whether a finding is on what keeps a goal from being met: on a violation's resource or below it (an
 * operation of a violating API), in the same service. The editor groups its Findings view by goal with it.
 */
export function concernsGoal(goal: Pick<ReportGoal, 'violations'>, finding: Pick<ReportFinding, 'resource' | 'service'>): boolean {
  return goal.violations.some((violation) => violation.service === finding.service && (finding.resource === violation.resource || finding.resource.startsWith(`${violation.resource}/`)));
}
