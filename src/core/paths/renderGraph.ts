// An attack graph as inline SVG: one column per step (Internet, gateway, APIs, operations, backends),
// edges coloured by how calls get through, Defender's observed paths drawn over the predicted ones.
// Colours are CSS classes, so the editor's webview takes its theme's and the HTML report its own.
import { escapeHtml, oneLine } from '../report/common';
import type { AttackGraph, GraphColumn, GraphNode } from './attackGraph';

const COLUMNS: GraphColumn[] = ['internet', 'gateway', 'api', 'operation', 'backend'];
const COLUMN_TITLES: Record<GraphColumn, string> = { internet: 'Internet', gateway: 'Gateway', api: 'APIs', operation: 'Operations', backend: 'Backends' };
const NODE_WIDTH = 200;
const NODE_HEIGHT = 58;
const COLUMN_GAP = 44;
const ROW_GAP = 14;
const TOP = 34;
/** Characters of a label or detail line that fit a node; longer ones are cut with an ellipsis (the title shows all). */
const LABEL_CHARS = 24;
const DETAIL_CHARS = 31;

export interface GraphSvgOptions {
  /** Nodes with a location carry `data-open="file#line"` and are focusable, for a page script to open them. */
  interactive?: boolean;
}

export function renderAttackGraphSvg(graph: AttackGraph, options: GraphSvgOptions = {}): string {
  const columns = COLUMNS.filter((column) => graph.nodes.some((node) => node.column === column));
  const positions = new Map<string, { x: number; y: number }>();
  let height = 0;
  columns.forEach((column, index) => {
    const x = 10 + index * (NODE_WIDTH + COLUMN_GAP);
    graph.nodes
      .filter((node) => node.column === column)
      .forEach((node, row) => {
        const y = TOP + row * (NODE_HEIGHT + ROW_GAP);
        positions.set(node.id, { x, y });
        height = Math.max(height, y + NODE_HEIGHT + 10);
      });
  });
  const width = 20 + columns.length * NODE_WIDTH + Math.max(0, columns.length - 1) * COLUMN_GAP;
  const headers = columns.map((column, index) => `<text class="column-title" x="${10 + index * (NODE_WIDTH + COLUMN_GAP)}" y="18">${COLUMN_TITLES[column]}</text>`);
  const edges = graph.edges.flatMap((edge) => {
    const from = positions.get(edge.from);
    const to = positions.get(edge.to);
    if (!from || !to) return [];
    const x1 = from.x + NODE_WIDTH;
    const y1 = from.y + NODE_HEIGHT / 2;
    const x2 = to.x;
    const y2 = to.y + NODE_HEIGHT / 2;
    const middle = (x1 + x2) / 2;
    const classes = ['edge', `exposure-${edge.exposure ?? 'none'}`, ...edge.sources];
    return [`<path class="${classes.join(' ')}" d="M${x1},${y1} C${middle},${y1} ${middle},${y2} ${x2},${y2}"/>`];
  });
  const nodes = graph.nodes.flatMap((node) => {
    const at = positions.get(node.id);
    return at ? [nodeSvg(node, at.x, at.y, options)] : [];
  });
  const summary = `${graph.title}: ${graph.nodes.length} steps, ${graph.openPaths.length} open way${graph.openPaths.length === 1 ? '' : 's'} in, ${graph.observed.length} attack path${graph.observed.length === 1 ? '' : 's'} from Defender.`;
  return [
    `<svg class="attack-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${Math.max(height, TOP + NODE_HEIGHT)}" width="${width}" role="img" aria-labelledby="attack-graph-title">`,
    `<title id="attack-graph-title">${escapeHtml(oneLine(summary))}</title>`,
    ...headers,
    ...edges,
    ...nodes,
    '</svg>',
  ].join('\n');
}

function nodeSvg(node: GraphNode, x: number, y: number, options: GraphSvgOptions): string {
  const classes = ['node', `column-${node.column}`, `exposure-${node.exposure ?? 'none'}`, ...(node.observed ? ['observed'] : []), ...(node.sensitive.length > 0 ? ['sensitive'] : [])];
  const worst = node.findings[0]?.severity;
  // Names and facts come from files: on one line each, without the controls that reorder what is shown.
  const label = oneLine(node.label);
  const facts = [...node.detail, ...(node.sensitive.length > 0 ? [`data: ${node.sensitive.join(', ')}`] : [])].map(oneLine);
  const tooltip = [label, ...facts, node.findings.length > 0 ? `${node.findings.length} finding${node.findings.length === 1 ? '' : 's'}` : '', node.observed ? "on Defender's attack path" : '']
    .filter(Boolean)
    .join('\n');
  const open = options.interactive && node.location ? ` data-open="${escapeHtml(`${node.location.file}#${node.location.startLine}`)}" tabindex="0" role="link"` : '';
  const lines = [
    `<g class="${classes.join(' ')}"${open} aria-label="${escapeHtml(tooltip.replace(/\n/g, '; '))}">`,
    `<title>${escapeHtml(tooltip)}</title>`,
    `<rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6"/>`,
    `<text class="label" x="${x + 10}" y="${y + 20}">${escapeHtml(cut(label, LABEL_CHARS))}</text>`,
  ];
  if (facts[0]) lines.push(`<text class="detail" x="${x + 10}" y="${y + 38}">${escapeHtml(cut(facts[0], DETAIL_CHARS))}</text>`);
  if (facts[1]) lines.push(`<text class="detail" x="${x + 10}" y="${y + 52}">${escapeHtml(cut(facts[1], DETAIL_CHARS))}</text>`);
  if (worst) {
    lines.push(`<circle class="badge severity-${worst}" cx="${x + NODE_WIDTH - 14}" cy="${y + 14}" r="10"/>`);
    lines.push(`<text class="badge-text" x="${x + NODE_WIDTH - 14}" y="${y + 18}" text-anchor="middle">${node.findings.length > 99 ? '99+' : node.findings.length}</text>`);
  }
  lines.push('</g>');
  return lines.join('');
}

function cut(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The graph's styles, in CSS custom properties a page sets (the webview from the theme, the report its palette). */
export const ATTACK_GRAPH_CSS = `
.attack-graph { max-width: 100%; height: auto; font-family: var(--graph-font, sans-serif); font-size: 12px; }
.attack-graph .column-title { fill: var(--graph-muted); font-weight: 600; }
.attack-graph .node rect { fill: var(--graph-node); stroke: var(--graph-border); stroke-width: 1; }
.attack-graph .node.exposure-open rect { stroke: var(--graph-open); stroke-width: 2; }
.attack-graph .node.exposure-conditional rect, .attack-graph .node.exposure-unknown rect { stroke: var(--graph-warn); stroke-width: 2; }
.attack-graph .node.observed rect { stroke-dasharray: 6 3; stroke-width: 3; }
.attack-graph .node[data-open] { cursor: pointer; }
.attack-graph .node[data-open]:focus rect, .attack-graph .node[data-open]:hover rect { stroke: var(--graph-focus); stroke-width: 3; }
.attack-graph .node:focus { outline: none; }
.attack-graph .label { fill: var(--graph-text); font-weight: 600; }
.attack-graph .detail { fill: var(--graph-muted); font-size: 11px; }
.attack-graph .edge { fill: none; stroke: var(--graph-border); stroke-width: 1.5; }
.attack-graph .edge.exposure-open { stroke: var(--graph-open); stroke-width: 2.5; }
.attack-graph .edge.exposure-conditional, .attack-graph .edge.exposure-unknown { stroke: var(--graph-warn); stroke-width: 2; }
.attack-graph .edge.exposure-token { stroke: var(--graph-safe); }
.attack-graph .edge.observed { stroke: var(--graph-observed); stroke-width: 3.5; stroke-dasharray: 8 4; }
.attack-graph .badge.severity-high { fill: var(--graph-open); }
.attack-graph .badge.severity-medium { fill: var(--graph-warn); }
.attack-graph .badge.severity-low, .attack-graph .badge.severity-info { fill: var(--graph-muted); }
.attack-graph .badge-text { fill: var(--graph-badge-text, #fff); font-size: 10px; font-weight: 700; }
`;
