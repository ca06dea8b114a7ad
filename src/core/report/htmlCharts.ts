// The HTML report's charts, as inline SVG: no script, no external asset, colours from the page's CSS
// classes (so that dark mode and VS Code themes restyle them). Each chart is an image with a text
// alternative (role="img", aria-label and <title>) that says what the chart shows in words.
import { SEVERITY_ORDER, type Severity } from '../findings';
import type { TrendPoint } from './contract';
import { escapeHtml, oneLine, severityLabel } from './common';
import { percent } from './goals';

function svg(width: number, height: number, label: string, body: string, className = ''): string {
  const text = escapeHtml(oneLine(label));
  return `<svg class="chart ${className}" role="img" aria-label="${text}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${text}</title>${body}</svg>`;
}

/** A ring filled to `part` of `whole`; a grey ring with a dash when `whole` is 0 (nothing to measure). */
export function gauge(label: string, part: number, whole: number, fillClass: string): string {
  const radius = 46;
  const circumference = 2 * Math.PI * radius;
  const share = whole > 0 ? part / whole : undefined;
  const arc =
    share === undefined || share === 0
      ? ''
      : `<circle class="${fillClass}" cx="60" cy="60" r="${radius}" fill="none" stroke-width="14" stroke-dasharray="${(share * circumference).toFixed(2)} ${circumference.toFixed(2)}" transform="rotate(-90 60 60)"/>`;
  const centre = share === undefined ? '–' : percent(share);
  const description = share === undefined ? `${label}: not known` : `${label}: ${part} of ${whole} (${centre})`;
  return svg(
    120,
    120,
    description,
    `<circle class="track" cx="60" cy="60" r="${radius}" fill="none" stroke-width="14"/>${arc}<text class="gauge-value" x="60" y="66" text-anchor="middle">${escapeHtml(centre)}</text>`,
    'gauge',
  );
}

/** The findings by severity as one stacked bar, each severity its own colour, widths in proportion. */
export function severityBar(counts: Record<Severity, number>): string {
  const total = SEVERITY_ORDER.reduce((sum, severity) => sum + counts[severity], 0);
  const width = 480;
  const label = total === 0 ? 'No findings' : `Findings by severity: ${SEVERITY_ORDER.map((severity) => `${counts[severity]} ${severity}`).join(', ')}`;
  let x = 0;
  const bars = SEVERITY_ORDER.filter((severity) => counts[severity] > 0).map((severity) => {
    const barWidth = (counts[severity] / total) * width;
    const bar = `<rect class="sev-${severity}" x="${x.toFixed(2)}" y="0" width="${barWidth.toFixed(2)}" height="18"><title>${severityLabel(severity)}: ${counts[severity]}</title></rect>`;
    x += barWidth;
    return bar;
  });
  return svg(width, 18, label, total === 0 ? `<rect class="track-fill" x="0" y="0" width="${width}" height="18"/>` : bars.join(''), 'severity-bar');
}

/** A share against its target: the bar filled to the value, a tick at each bound of the target. */
export function shareBar(label: string, value: number, target: { min?: number; max?: number }, met: boolean): string {
  const width = 240;
  const ticks = [target.min, target.max]
    .filter((bound): bound is number => bound !== undefined)
    .map((bound) => `<rect class="target-tick" x="${Math.min(width - 2, Math.max(0, bound * width - 1)).toFixed(2)}" y="0" width="2" height="14"/>`);
  return svg(
    width,
    14,
    label,
    `<rect class="track-fill" x="0" y="3" width="${width}" height="8"/><rect class="${met ? 'good-fill' : 'bad-fill'}" x="0" y="3" width="${(Math.min(1, Math.max(0, value)) * width).toFixed(2)}" height="8"/>${ticks.join('')}`,
    'share-bar',
  );
}

export type Exposure = 'keyless' | 'key' | 'token';
export const EXPOSURES: readonly Exposure[] = ['keyless', 'key', 'token'];
export const EXPOSURE_LABEL: Record<Exposure, string> = { keyless: 'Keyless', key: 'Subscription key', token: 'Token' };

/** One row of the heat map: per exposure, how many operations, and the highest sensitivity of the data they carry. */
export interface HeatRow {
  label: string;
  cells: Record<Exposure, { operations: number; sensitivity?: 'high' | 'medium' }>;
}

export function sensitivityWord(sensitivity: 'high' | 'medium' | undefined): string {
  return sensitivity === 'high' ? 'highly sensitive data' : sensitivity === 'medium' ? 'sensitive data' : 'no sensitive data';
}

/** APIs down, exposure across; a cell's colour is the sensitivity of the data its operations carry, its number how many operations. */
export function heatMap(rows: readonly HeatRow[]): string {
  const labelWidth = 220;
  const cellWidth = 120;
  const rowHeight = 26;
  const header = 40;
  const width = labelWidth + cellWidth * EXPOSURES.length;
  const height = header + rowHeight * rows.length;
  const clip = (text: string) => (text.length > 30 ? `${text.slice(0, 29)}…` : text);
  const columns = EXPOSURES.map(
    (exposure, index) => `<text class="heat-head" x="${labelWidth + cellWidth * index + cellWidth / 2}" y="26" text-anchor="middle">${EXPOSURE_LABEL[exposure]}</text>`,
  ).join('');
  const body = rows
    .map((row, rowIndex) => {
      const y = header + rowHeight * rowIndex;
      const cells = EXPOSURES.map((exposure, index) => {
        const cell = row.cells[exposure];
        const x = labelWidth + cellWidth * index;
        const tone = cell.operations === 0 ? 'heat-empty' : `heat-${cell.sensitivity ?? 'none'}`;
        const title = `${row.label}, ${EXPOSURE_LABEL[exposure].toLowerCase()}: ${cell.operations} operation${cell.operations === 1 ? '' : 's'}${cell.operations > 0 ? `, ${sensitivityWord(cell.sensitivity)}` : ''}`;
        return `<g><title>${escapeHtml(title)}</title><rect class="${tone}" x="${x + 2}" y="${y + 2}" width="${cellWidth - 4}" height="${rowHeight - 4}" rx="3"/><text class="heat-count" x="${x + cellWidth / 2}" y="${y + 18}" text-anchor="middle">${cell.operations === 0 ? '' : cell.operations}</text></g>`;
      }).join('');
      return `<text class="heat-label" x="${labelWidth - 8}" y="${y + 18}" text-anchor="end">${escapeHtml(clip(row.label))}<title>${escapeHtml(row.label)}</title></text>${cells}`;
    })
    .join('');
  const highKeyless = rows.filter((row) => row.cells.keyless.operations > 0 && row.cells.keyless.sensitivity === 'high').map((row) => row.label);
  const label = `Heat map of ${rows.length} APIs by exposure and data sensitivity${highKeyless.length > 0 ? `; keyless operations with highly sensitive data in ${highKeyless.join(', ')}` : ''}`;
  return svg(width, height, label, columns + body, 'heat-map');
}

/** Lines over the trend's points, oldest left, on one count axis from 0 to `max`; the first and last dates below. */
function lineChart(points: readonly TrendPoint[], series: { className: string; values: number[] }[], max: number, label: string, height: number): string {
  const width = 640;
  const left = 40;
  const right = 16;
  const top = 12;
  const bottom = 36;
  const x = (index: number) => left + (points.length === 1 ? (width - left - right) / 2 : ((width - left - right) * index) / (points.length - 1));
  const y = (value: number) => top + (height - top - bottom) * (1 - value / max);
  const line = ({ className, values }: { className: string; values: number[] }) =>
    `<polyline class="${className}" fill="none" stroke-width="2.5" points="${values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(' ')}"/>` +
    values.map((value, index) => `<circle class="${className}-dot" cx="${x(index).toFixed(1)}" cy="${y(value).toFixed(1)}" r="3"/>`).join('');
  const axis = `<line class="axis" x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}"/><text class="axis-text" x="${left - 6}" y="${y(max) + 4}" text-anchor="end">${max}</text><text class="axis-text" x="${left - 6}" y="${y(0) + 4}" text-anchor="end">0</text>`;
  const dates = [0, points.length - 1]
    .filter((index, position, all) => all.indexOf(index) === position)
    .map((index) => `<text class="axis-text" x="${x(index).toFixed(1)}" y="${height - 12}" text-anchor="${points.length === 1 ? 'middle' : index === 0 ? 'start' : 'end'}">${escapeHtml(points[index].date.slice(0, 10))}</text>`)
    .join('');
  return svg(width, height, label, axis + series.map(line).join('') + dates, 'trend');
}

const day = (point: TrendPoint) => point.date.slice(0, 10);

/** Unsuppressed findings per severity over the points. */
export function findingsTrend(points: readonly TrendPoint[]): string {
  const total = (point: TrendPoint) => SEVERITY_ORDER.reduce((sum, severity) => sum + point.findings[severity], 0);
  const first = points[0];
  const last = points[points.length - 1];
  const max = Math.max(1, ...points.flatMap((point) => SEVERITY_ORDER.map((severity) => point.findings[severity])));
  const series = SEVERITY_ORDER.map((severity) => ({ className: `trend-${severity}`, values: points.map((point) => point.findings[severity]) }));
  return lineChart(points, series, max, `Findings over ${points.length} commits from ${day(first)} to ${day(last)}: ${total(first)} to ${total(last)}`, 220);
}

/** Goals met over the points, against the most goals measured at any of them. */
export function goalsTrend(points: readonly TrendPoint[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  const max = Math.max(1, ...points.map((point) => Math.max(point.goalsMet, point.goals ?? 0)));
  return lineChart(points, [{ className: 'trend-goals', values: points.map((point) => point.goalsMet) }], max, `Goals met over ${points.length} commits from ${day(first)} to ${day(last)}: ${first.goalsMet} to ${last.goalsMet}`, 140);
}
