// The repository's own settings: `.apim-posture.json` at the scanned root, and one in an APIOps root
// for that root's findings. The editor writes suppressions into the same file, so everything a team
// decides about findings lives in git.
import * as path from 'path';
import type { ExplicitMapping } from './azure/mapping';
import type { Severity } from './findings';
import type { Goal } from './goals/goal';
import { readGoals } from './goals/parse';
import { refusedPattern } from './linearPattern';
import type { DocumentReader } from './parse/index';
import type { InputProblem } from './problems';
import type { SourceLocation } from './text';

export const CONFIG_FILE_NAME = '.apim-posture.json';

export interface CustomInformationType {
  id: string;
  displayName: string;
  /** Case-insensitive regular expressions tested against parameter and property names. */
  namePatterns: string[];
  /** Regular expressions tested against examples and enum values. */
  valuePatterns: string[];
  /** `high` for data that must never appear in URLs (like national ids), `medium` otherwise. */
  sensitivity: 'high' | 'medium';
}

export interface SuppressionEntry {
  rule: string;
  /** Resource id, exact or with a trailing `*` (`apis/orders/*`). */
  resource: string;
  reason: string;
  /** ISO date; after it the suppression no longer applies and is itself reported. */
  expires?: string;
  /** The root whose findings it applies to (its path below the scanned folder, as findings name it); every root's when absent. */
  service?: string;
  location: SourceLocation;
}

/** The deployed service an APIOps root is compared with (`"services": {"envs/prod": "apim-prod"}`). */
export interface ServiceEntry {
  /** The root's path relative to the config file's folder, `/`-separated; `.` for that folder. */
  root: string;
  /** The deployed service's name or ARM id. */
  deployed: string;
  location: SourceLocation;
}

export interface PostureConfig {
  file?: string;
  /** Per rule: `off`, or a severity that replaces the rule's own. */
  rules: Record<string, 'off' | Severity>;
  customInformationTypes: CustomInformationType[];
  suppressions: SuppressionEntry[];
  /** Glob-like patterns (`**`, `*`) of paths relative to the root that are not read. */
  exclude: string[];
  /** Local API → deployed API mappings the user confirmed (`"mappings": [{"local": "orders", "deployed": "orders-v2"}]`). */
  mappings?: ExplicitMapping[];
  /** Days after which a snapshot of Azure is reported as stale (`"snapshotMaxAgeDays": 14`); `--snapshot-max-age` wins. */
  snapshotMaxAgeDays?: number;
  /** Which deployed service each APIOps root is, where a snapshot of Azure holds several. */
  services?: ServiceEntry[];
  /** What the team holds its APIs to, measured on every scan (goals/); undefined when the file has no "goals" (the baseline applies). */
  goals?: Goal[];
}

export const EMPTY_CONFIG: PostureConfig = { rules: {}, customInformationTypes: [], suppressions: [], exclude: [] };

/**
 * The keys the file and its entries may have; any other is reported, since a misspelt key would
 * otherwise be ignored in silence. schemas/apim-posture.schema.json lists the same (a test checks).
 */
export const CONFIG_KEYS = {
  file: ['$schema', 'rules', 'exclude', 'snapshotMaxAgeDays', 'sensitiveData', 'suppressions', 'mappings', 'services', 'goals'],
  sensitiveData: ['customTypes'],
  customType: ['id', 'displayName', 'namePatterns', 'valuePatterns', 'sensitivity'],
  suppression: ['rule', 'resource', 'reason', 'expires', 'service'],
  mapping: ['local', 'deployed'],
} as const;

const SEVERITIES = new Set(['high', 'medium', 'low', 'info', 'off']);

/** Settings about the whole scan, read from the scanned folder's file only. */
const REPOSITORY_ONLY = ['exclude', 'snapshotMaxAgeDays', 'goals'] as const;

/**
 * `.apim-posture.json` in `root`; `ofRoot` for an APIOps root's own file below the scanned folder,
 * where the settings about the whole scan are reported as not used.
 */
export function readConfig(root: string, documents: DocumentReader, exists: (file: string) => boolean, ofRoot = false): { config: PostureConfig; problems: InputProblem[] } {
  const file = path.join(root, CONFIG_FILE_NAME);
  if (!exists(file)) return { config: EMPTY_CONFIG, problems: [] };
  const parsed = documents.parse(file);
  const document = parsed.document;
  const problems = [...parsed.problems];
  if (!document) return { config: { ...EMPTY_CONFIG, file }, problems };
  const wrong = (at: readonly (string | number)[], message: string) =>
    problems.push({ file, kind: 'invalid-artifact', span: document.valueSpan(at), message: `${CONFIG_FILE_NAME}: ${message}` });
  const root_ = isObject(document.value) ? document.value : {};
  const unknownKeys = (value: unknown, at: readonly (string | number)[], known: readonly string[]) => {
    for (const key of isObject(value) ? Object.keys(value) : []) {
      if (!known.includes(key)) wrong([...at, key], `"${key}" is not a setting here (${known.filter((name) => name !== '$schema').join(', ')}); it is not used.`);
    }
  };
  unknownKeys(root_, [], CONFIG_KEYS.file);
  unknownKeys(root_.sensitiveData, ['sensitiveData'], CONFIG_KEYS.sensitiveData);
  if (ofRoot) {
    for (const key of REPOSITORY_ONLY.filter((name) => name in root_)) wrong([key], `"${key}" applies to the whole scan: it is read from the scanned folder's ${CONFIG_FILE_NAME} only, and not used here.`);
  }

  const rules: PostureConfig['rules'] = {};
  for (const [ruleId, setting] of Object.entries(isObject(root_.rules) ? root_.rules : {})) {
    if (typeof setting === 'string' && SEVERITIES.has(setting)) rules[ruleId] = setting as 'off' | Severity;
    else wrong(['rules', ruleId], `rule setting must be one of off, high, medium, low, info.`);
  }

  const customInformationTypes: CustomInformationType[] = [];
  const customTypes: unknown[] = isObject(root_.sensitiveData) && Array.isArray(root_.sensitiveData.customTypes) ? root_.sensitiveData.customTypes : [];
  for (const [index, entry] of customTypes.entries()) {
    const at = ['sensitiveData', 'customTypes', index];
    unknownKeys(entry, at, CONFIG_KEYS.customType);
    if (!isObject(entry) || typeof entry.id !== 'string') {
      wrong(at, 'a custom information type needs an "id".');
      continue;
    }
    const namePatterns = stringArray(entry.namePatterns);
    const valuePatterns = stringArray(entry.valuePatterns);
    const refused = refusedPattern([...namePatterns, ...valuePatterns]);
    if (refused) {
      problems.push({
        file,
        kind: 'unsafe-pattern',
        span: document.valueSpan(at),
        message: `${CONFIG_FILE_NAME}: "${refused.pattern.slice(0, 100)}" cannot be run in linear time (${refused.reason}); patterns use RE2 syntax, without backreferences or lookaround. The information type "${entry.id}" is not used.`,
      });
      continue;
    }
    customInformationTypes.push({
      id: entry.id,
      displayName: typeof entry.displayName === 'string' ? entry.displayName : entry.id,
      namePatterns,
      valuePatterns,
      sensitivity: entry.sensitivity === 'high' ? 'high' : 'medium',
    });
  }

  const suppressions: SuppressionEntry[] = [];
  for (const [index, entry] of (Array.isArray(root_.suppressions) ? (root_.suppressions as unknown[]) : []).entries()) {
    const at = ['suppressions', index];
    unknownKeys(entry, at, CONFIG_KEYS.suppression);
    if (!isObject(entry) || typeof entry.rule !== 'string' || typeof entry.resource !== 'string' || typeof entry.reason !== 'string' || !entry.reason.trim()) {
      wrong(at, 'a suppression needs "rule", "resource" and a non-empty "reason".');
      continue;
    }
    if (entry.expires !== undefined && (typeof entry.expires !== 'string' || Number.isNaN(Date.parse(entry.expires)))) {
      wrong([...at, 'expires'], '"expires" must be a date such as 2027-01-31.');
      continue;
    }
    if (entry.service !== undefined && typeof entry.service !== 'string') {
      wrong([...at, 'service'], '"service" must be the path of an APIOps root, such as envs/prod.');
      continue;
    }
    suppressions.push({
      rule: entry.rule,
      resource: entry.resource,
      reason: entry.reason,
      expires: entry.expires as string | undefined,
      ...(entry.service !== undefined ? { service: normalizeRoot(entry.service) } : {}),
      location: { file, span: document.valueSpan(at) ?? { start: 0, end: 0 } },
    });
  }

  const services: ServiceEntry[] = [];
  if (root_.services !== undefined && !isObject(root_.services)) wrong(['services'], '"services" must map APIOps roots to deployed services: {"envs/prod": "apim-prod"}.');
  for (const [rootPath, deployed] of Object.entries(isObject(root_.services) ? root_.services : {})) {
    if (typeof deployed === 'string' && deployed.trim()) services.push({ root: normalizeRoot(rootPath), deployed: deployed.trim(), location: { file, span: document.valueSpan(['services', rootPath]) ?? { start: 0, end: 0 } } });
    else wrong(['services', rootPath], 'a service must be named by its name or ARM id.');
  }

  const mappings: ExplicitMapping[] = [];
  for (const [index, entry] of (Array.isArray(root_.mappings) ? (root_.mappings as unknown[]) : []).entries()) {
    unknownKeys(entry, ['mappings', index], CONFIG_KEYS.mapping);
    if (isObject(entry) && typeof entry.local === 'string' && typeof entry.deployed === 'string') mappings.push({ local: entry.local, deployed: entry.deployed });
    else wrong(['mappings', index], 'a mapping needs "local" (the API in the repository) and "deployed" (the API in Azure).');
  }

  const maxAge = root_.snapshotMaxAgeDays;
  const snapshotMaxAgeDays = typeof maxAge === 'number' && Number.isInteger(maxAge) && maxAge >= 0 ? maxAge : undefined;
  if (maxAge !== undefined && snapshotMaxAgeDays === undefined) wrong(['snapshotMaxAgeDays'], 'snapshotMaxAgeDays must be a whole number of days.');

  const goals = ofRoot ? undefined : readGoals(root_.goals, file, document, wrong);

  const config: PostureConfig = { file, rules, customInformationTypes, suppressions, exclude: stringArray(root_.exclude), mappings, snapshotMaxAgeDays, services, goals };
  return { config: ofRoot ? { ...config, exclude: [], snapshotMaxAgeDays: undefined } : config, problems };
}

/** A date-only expiry (`2027-01-31`) still holds on that day, to its end (UTC). */
export function suppressionExpired(expires: string, now: Date): boolean {
  const end = Date.parse(expires) + (/^\d{4}-\d{2}-\d{2}$/.test(expires.trim()) ? 24 * 60 * 60 * 1000 : 0);
  return now.getTime() >= end;
}

/** `envs/prod`, `./envs/prod/` and `envs\\prod` are the same root; the config's own folder is `.`. */
export function normalizeRoot(rootPath: string): string {
  return rootPath.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '') || '.';
}

/**
 * The settings of an APIOps root: its own file's over the repository's. Rule settings and mappings
 * win, custom information types add up; `rootPath` is the root below the scanned folder (its own
 * suppressions hold for its findings only).
 */
export function rootConfig(repository: PostureConfig, own: PostureConfig, rootPath: string): PostureConfig {
  return {
    ...repository,
    file: own.file,
    rules: { ...repository.rules, ...own.rules },
    customInformationTypes: [...repository.customInformationTypes, ...own.customInformationTypes],
    suppressions: [...repository.suppressions, ...own.suppressions.map((suppression) => ({ ...suppression, service: rootPath }))],
    // Later explicit mappings of the same local API replace earlier ones.
    mappings: [...(repository.mappings ?? []), ...(own.mappings ?? [])],
  };
}

/** Turns the config's glob-like patterns into one predicate over root-relative posix paths. */
export function excludeMatcher(patterns: string[]): (relativePath: string) => boolean {
  if (patterns.length === 0) return () => false;
  const expressions = patterns.map((pattern) => {
    const source = pattern
      .replace(/\/\*\*$/, '') // `folder/**` is `folder` and everything below it
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*\/?/g, '\u0000')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')
      .replace(/\u0000/g, '(?:.*/)?');
    return new RegExp(`^${source}(?:/.*)?$`);
  });
  return (relativePath) => expressions.some((expression) => expression.test(relativePath.replace(/\/$/, '')));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
