// Reads `"goals"` of `.apim-posture.json`. A goal written wrongly is never dropped in silence: the
// mistake is an input problem at its place in the file, and the goal stays in the results as not
// evaluated, so that a blocking goal with a typo fails rather than passes.
import { SEVERITY_ORDER, type Severity } from '../findings';
import type { ApiSource } from '../model';
import type { JsonPath, ParsedDocument } from '../parse/document';
import { GOAL_KEYS, GOAL_METRICS, REQUIREMENTS, SELECTION_KEYS, TARGET_KEYS, type Goal, type GoalMetric, type GoalSelection, type GoalTarget, type Requirement } from './goal';

const API_SOURCES: readonly ApiSource[] = ['apiops', 'bicep', 'terraform', 'arm', 'spec'];

/** Metrics measured as a share of 0 to 1. */
export const SHARE_METRICS: ReadonlySet<GoalMetric> = new Set(['authenticated-operations', 'onboarded-apis', 'defender-plan']);
/** Metrics about the repository's findings or suppressions, which a selection narrows only by root. */
const SERVICE_ONLY_SELECTION: ReadonlySet<GoalMetric> = new Set(['defender-plan', 'suppressions', 'suppressions-without-expiry']);
const RULE_METRICS: ReadonlySet<GoalMetric> = new Set(['findings', 'finding-age-days']);

/** The goals as written; undefined when there is no `"goals"` (the built-in baseline applies), `[]` when it lists none. */
export function readGoals(value: unknown, file: string, document: ParsedDocument, wrong: (at: JsonPath, message: string) => void): Goal[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    wrong(['goals'], '"goals" must be a list of goals, such as [{"id": "all-authenticated", "metric": "authenticated-operations", "target": {"min": 1}}].');
    return [];
  }
  const goals: Goal[] = [];
  const ids = new Set<string>();
  for (const [index, entry] of value.entries()) {
    const at: JsonPath = ['goals', index];
    const location = { file, span: document.valueSpan(at) ?? { start: 0, end: 0 } };
    const mistakes: string[] = [];
    const mistake = (path: JsonPath, message: string) => {
      wrong(path, message);
      mistakes.push(message);
    };
    if (!isObject(entry)) {
      mistake(at, 'a goal must be an object with an "id".');
      goals.push({ id: `goals[${index}]`, title: `goals[${index}]`, metric: 'findings', target: {}, blocking: false, location, invalid: mistakes[0] });
      continue;
    }
    for (const key of Object.keys(entry)) if (!(GOAL_KEYS as readonly string[]).includes(key)) mistake([...at, key], `a goal has no "${key}" (it may have ${GOAL_KEYS.join(', ')}).`);
    const id = typeof entry.id === 'string' && entry.id.trim() ? entry.id.trim() : `goals[${index}]`;
    if (id !== entry.id) mistake([...at, 'id'], 'a goal needs an "id": a short name such as "all-authenticated".');
    else if (ids.has(id)) mistake([...at, 'id'], `another goal is already named "${id}".`);
    ids.add(id);
    if (entry.title !== undefined && typeof entry.title !== 'string') mistake([...at, 'title'], '"title" must be text.');
    if (entry.description !== undefined && typeof entry.description !== 'string') mistake([...at, 'description'], '"description" must be text.');
    if (entry.blocking !== undefined && typeof entry.blocking !== 'boolean') mistake([...at, 'blocking'], '"blocking" must be true or false.');

    let metric: GoalMetric = 'findings';
    let require: Requirement[] | undefined;
    if (entry.require !== undefined) {
      metric = 'requirements';
      if (entry.metric !== undefined) mistake([...at, 'metric'], 'a goal has either a "metric" or "require", not both.');
      const listed = Array.isArray(entry.require) ? entry.require : [];
      require = listed.filter((item): item is Requirement => (REQUIREMENTS as readonly unknown[]).includes(item));
      if (listed.length === 0 || require.length !== listed.length) mistake([...at, 'require'], `"require" must list one or more of ${REQUIREMENTS.join(', ')}.`);
    } else if (typeof entry.metric === 'string' && (GOAL_METRICS as readonly string[]).includes(entry.metric)) {
      metric = entry.metric as GoalMetric;
    } else {
      mistake(entry.metric === undefined ? at : [...at, 'metric'], `a goal needs a "metric" (${GOAL_METRICS.join(', ')}) or "require" (a list of requirements).`);
    }

    let rule: string | undefined;
    let severity: Severity | undefined;
    for (const key of ['rule', 'severity'] as const) {
      if (entry[key] !== undefined && !RULE_METRICS.has(metric)) mistake([...at, key], `"${key}" narrows the findings of a "findings" or "finding-age-days" goal; this goal measures ${metric}.`);
    }
    if (entry.rule !== undefined) {
      if (typeof entry.rule === 'string' && entry.rule.trim()) rule = entry.rule.trim();
      else mistake([...at, 'rule'], '"rule" must be a rule id, such as subscription-all-apis (apim-posture rules lists them).');
    }
    if (entry.severity !== undefined) {
      if ((SEVERITY_ORDER as readonly unknown[]).includes(entry.severity)) severity = entry.severity as Severity;
      else mistake([...at, 'severity'], `"severity" must be one of ${SEVERITY_ORDER.join(', ')}.`);
    }

    const select = entry.select === undefined ? undefined : readSelection(entry.select, [...at, 'select'], metric, mistake);
    const target = readTarget(entry.target, [...at, 'target'], metric, mistake);
    goals.push({
      id,
      title: typeof entry.title === 'string' && entry.title.trim() ? entry.title : id,
      metric,
      require,
      select,
      rule,
      severity,
      target,
      blocking: entry.blocking === true,
      location,
      invalid: mistakes.length > 0 ? mistakes.join(' ') : undefined,
    });
  }
  return goals;
}

function readSelection(value: unknown, at: JsonPath, metric: GoalMetric, mistake: (path: JsonPath, message: string) => void): GoalSelection {
  if (!isObject(value)) {
    mistake(at, '"select" must be an object, such as {"sensitivity": "high"} or {"api": "orders-*"}.');
    return {};
  }
  const selection: GoalSelection = {};
  const names = (key: 'api' | 'tag' | 'product' | 'workspace' | 'service' | 'informationType') => {
    const given = value[key];
    const list = typeof given === 'string' ? [given] : Array.isArray(given) ? given : [];
    if (list.length === 0 || !list.every((item) => typeof item === 'string' && item.trim())) {
      mistake([...at, key], `"${key}" must be a name or a list of names.`);
      return undefined;
    }
    return list.map((item: string) => item.trim());
  };
  for (const key of Object.keys(value)) {
    if (!(SELECTION_KEYS as readonly string[]).includes(key)) {
      mistake([...at, key], `a selection has no "${key}" (it may have ${SELECTION_KEYS.join(', ')}).`);
      continue;
    }
    if (SERVICE_ONLY_SELECTION.has(metric) && key !== 'service') {
      mistake([...at, key], `a ${metric} goal is about the whole repository or a root of it: it is selected by "service" only.`);
      continue;
    }
    switch (key) {
      case 'sensitivity':
        if (value.sensitivity === 'high' || value.sensitivity === 'medium') selection.sensitivity = value.sensitivity;
        else mistake([...at, key], '"sensitivity" must be "high" (highly sensitive data) or "medium" (any sensitive data).');
        break;
      case 'keyless':
        if (typeof value.keyless === 'boolean') selection.keyless = value.keyless;
        else mistake([...at, key], '"keyless" must be true (operations callable without a subscription key) or false.');
        break;
      case 'source': {
        const list = typeof value.source === 'string' ? [value.source] : Array.isArray(value.source) ? value.source : [];
        if (list.length > 0 && list.every((item) => (API_SOURCES as readonly unknown[]).includes(item))) selection.source = list as ApiSource[];
        else mistake([...at, key], `"source" must be one or more of ${API_SOURCES.join(', ')}.`);
        break;
      }
      default:
        selection[key as 'api'] = names(key as 'api');
    }
  }
  return selection;
}

function readTarget(value: unknown, at: JsonPath, metric: GoalMetric, mistake: (path: JsonPath, message: string) => void): GoalTarget {
  // A requirement holds for every selected item: no item may fail it.
  if (value === undefined && metric === 'requirements') return { max: 0 };
  if (!isObject(value) || (value.min === undefined && value.max === undefined)) {
    mistake(value === undefined ? at.slice(0, -1) : at, `a ${metric} goal needs a "target" with "min" or "max", such as {"${SHARE_METRICS.has(metric) ? 'min": 1' : 'max": 0'}}.`);
    return {};
  }
  const target: GoalTarget = {};
  for (const key of Object.keys(value)) {
    if (!(TARGET_KEYS as readonly string[]).includes(key)) {
      mistake([...at, key], `a target has "min" and "max" only, not "${key}".`);
      continue;
    }
    const bound = value[key];
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound < 0) mistake([...at, key], `"${key}" must be a number of 0 or more.`);
    else if (SHARE_METRICS.has(metric) && bound > 1) mistake([...at, key], `${metric} is a share from 0 to 1 (0.95 for 95%).`);
    else target[key as 'min' | 'max'] = bound;
  }
  return target;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
