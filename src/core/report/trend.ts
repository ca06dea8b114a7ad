// The posture over the git history as text: one row per point, oldest first, in the terminal or Markdown.
import type { TrendPoint } from './contract';
import { markdownText } from './markdown';

const COLUMNS = ['date', 'commit', 'high', 'medium', 'low', 'info', 'goals met'];

function cells(point: TrendPoint): string[] {
  const { high, medium, low, info } = point.findings;
  return [point.date.slice(0, 10), point.commit.slice(0, 12), String(high), String(medium), String(low), String(info), point.goals !== undefined ? `${point.goalsMet}/${point.goals}` : '-'];
}

function heading(root: string, points: readonly TrendPoint[]): string {
  if (points.length === 0) return `No commit of the history of ${root} was walked (none in the period asked for).`;
  const first = points[0].date.slice(0, 10);
  const last = points[points.length - 1].date.slice(0, 10);
  return `Posture over the git history of ${root}: ${points.length} point${points.length === 1 ? '' : 's'}, ${first} to ${last} (unsuppressed findings by severity).`;
}

export function formatTrendTable(root: string, points: readonly TrendPoint[], notes: readonly string[]): string {
  const rows = [COLUMNS, ...points.map(cells)];
  const widths = COLUMNS.map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const lines = points.length === 0 ? [] : rows.map((row) => row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd());
  return [heading(root, points), '', ...lines, ...notes.map((note) => `Note: ${note}`)].join('\n') + '\n';
}

export function formatTrendMarkdown(root: string, points: readonly TrendPoint[], notes: readonly string[]): string {
  const lines = [`## ${markdownText(heading(root, points))}`, ''];
  if (points.length > 0) {
    lines.push(`| ${COLUMNS.join(' | ')} |`, `|${COLUMNS.map((_, column) => (column < 2 ? '---' : '---:')).join('|')}|`);
    for (const point of points) lines.push(`| ${cells(point).join(' | ')} |`);
    lines.push('');
  }
  for (const note of notes) lines.push(`**Note:** ${markdownText(note)}`, '');
  return lines.join('\n');
}
