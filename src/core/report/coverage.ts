// Coverage in words, shared by every report and the editor: a few lines by default, every file not
// read on request, and lists cut to a bound where a report must stay small (SARIF, Markdown).
import type { Coverage, NotReadKind } from '../coverage';
import { MAX_COVERAGE_ENTRIES } from '../limits';
import type { ApiSource } from '../model';
import { oneLine } from './common';

const SOURCE_LABEL: Record<ApiSource, string> = { apiops: 'APIOps', bicep: 'Bicep', terraform: 'Terraform', arm: 'ARM templates', spec: 'specs' };

/** Per kind, how a count of files not read is said: singular, plural. */
const NOT_READ_LABEL: Record<NotReadKind, [string, string]> = {
  'policy-not-used': ['policy file no scope uses', 'policy files no scope uses'],
  'spec-not-used': ['spec no API uses', 'specs no API uses'],
  'definition-not-supported': ['API definition in a format not analysed', 'API definitions in a format not analysed'],
  'folder-not-read': ['APIOps file of a kind not read', 'APIOps files of kinds not read'],
  'service-not-read': ['file of an APIOps folder not read', 'files of APIOps folders not read'],
  problem: ['file that could not be read', 'files that could not be read'],
  'not-reached': ['file no reader reached', 'files no reader reached'],
};

/**
 * Coverage in two lines: what was read, and what was not (the table's footer, the editor's output
 * channel and tooltip); `whereListed` says where the files not read are listed, when some are.
 */
export function coverageSummary(coverage: Coverage, whereListed = ''): string[] {
  return [readLine(coverage), notReadLine(coverage, whereListed)];
}

/** Coverage in full (`--coverage`): every file not read with its reason, every path excluded or skipped. */
export function coverageDetail(coverage: Coverage): string[] {
  const lines = [readLine(coverage), `${plural(coverage.filesRead, 'file', 'files')} read.`];
  if (!coverage.folderListed) lines.push(ONE_SPEC);
  const section = (title: string, entries: string[]) => {
    if (entries.length > 0) lines.push(`${title} (${entries.length}):`, ...entries.map((entry) => `  ${entry}`));
  };
  const width = Math.max(0, ...coverage.notRead.map((entry) => oneLine(entry.file).length));
  section(
    'Not read',
    coverage.notRead.map((entry) => `${oneLine(entry.file).padEnd(width)}  ${oneLine(entry.reason)}`),
  );
  if (coverage.notRead.length === 0 && coverage.folderListed) lines.push('Every APIM file found was read.');
  if (coverage.unresolvedValues > 0) lines.push(`${unresolvedText(coverage.unresolvedValues)}; each is an input problem above.`);
  section('Excluded by the exclude setting', coverage.excluded.map(oneLine));
  section('Skipped', coverage.skipped.map((entry) => `${oneLine(entry.path)}  ${oneLine(entry.reason)}`));
  return lines;
}

/** The coverage a bounded report keeps: each list cut to `limit` entries, with the count of those left out. */
export function boundedCoverage(coverage: Coverage, limit = MAX_COVERAGE_ENTRIES) {
  const cut = <T>(entries: readonly T[]) => ({ entries: entries.slice(0, limit), omitted: entries.length > limit ? entries.length - limit : undefined });
  const notRead = cut(coverage.notRead);
  const excluded = cut(coverage.excluded);
  const skipped = cut(coverage.skipped);
  return {
    ...coverage,
    notRead: notRead.entries,
    notReadOmitted: notRead.omitted,
    notReadByKind: countByKind(coverage),
    excluded: excluded.entries,
    excludedOmitted: excluded.omitted,
    skipped: skipped.entries,
    skippedOmitted: skipped.omitted,
  };
}

const ONE_SPEC = 'Only the spec named and what it $refs were read; the files beside it were not looked at.';

function readLine(coverage: Coverage): string {
  const services = coverage.services.map((service) => `${service.layout} at ${oneLine(service.root)}`).join(', ');
  const sources = coverage.bySource.map(
    (counts) =>
      `${plural(counts.apis, 'API', 'APIs')}, ${plural(counts.operations, 'operation', 'operations')}, ${plural(counts.policies, 'policy', 'policies')} from ${SOURCE_LABEL[counts.source]}`,
  );
  if (sources.length === 0) sources.push('no API');
  return `Read: ${plural(coverage.services.length, 'service', 'services')} (${services}); ${sources.join('; ')}; ${plural(coverage.sharedPolicies, 'shared policy', 'shared policies')} (global, workspaces, products, fragments).`;
}

function notReadLine(coverage: Coverage, whereListed: string): string {
  const parts = Object.entries(countByKind(coverage)).map(([kind, count]) => {
    const [one, many] = NOT_READ_LABEL[kind as NotReadKind];
    return plural(count, one, many);
  });
  if (coverage.unresolvedValues > 0) parts.push(unresolvedText(coverage.unresolvedValues));
  if (coverage.excluded.length > 0) parts.push(`${plural(coverage.excluded.length, 'path', 'paths')} excluded`);
  if (coverage.skipped.length > 0) parts.push(`${plural(coverage.skipped.length, 'path', 'paths')} skipped`);
  if (!coverage.folderListed) return parts.length > 0 ? `Not read: ${parts.join(', ')}. ${ONE_SPEC}` : ONE_SPEC;
  return parts.length > 0 ? `Not read: ${parts.join(', ')}${whereListed}.` : 'Not read: nothing; every APIM file found was read.';
}

function countByKind(coverage: Coverage): Partial<Record<NotReadKind, number>> {
  const counts: Partial<Record<NotReadKind, number>> = {};
  for (const entry of coverage.notRead) counts[entry.kind] = (counts[entry.kind] ?? 0) + 1;
  return counts;
}

function unresolvedText(count: number): string {
  return `${plural(count, 'value', 'values')} not known from the files`;
}

function plural(count: number, singular: string, pluralForm: string): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
