// Goal results as words, the same in every text report (the table, Markdown, SARIF's messages).
import type { GoalResult } from '../goals/goal';

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

/** A share as a percentage, to one decimal at most: `66.7%`. */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(1))}%`;
}
