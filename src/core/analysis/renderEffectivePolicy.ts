// The effective policy as one readable XML document: what the gateway runs for an operation, each
// statement followed by where it is written. The editor shows it read-only.
import * as path from 'path';
import { POLICY_SECTIONS } from '../policy/xml';
import type { EffectivePolicy, EffectiveSection, EffectiveStatement } from './effectivePolicy';

export function renderEffectivePolicy(effective: EffectivePolicy, root: string, text: (file: string) => string): string {
  const lines = [
    `<!-- Effective policy of ${effective.operation}${effective.product ? ` for calls with a ${effective.product} key` : ' for calls without a product key'} -->`,
    '<!-- Each statement is followed by the file and scope it comes from. Read-only: edit the files themselves. -->',
    '<policies>',
  ];
  for (const name of POLICY_SECTIONS) {
    const section = effective.sections[name];
    lines.push(`\t<${name}>`, ...chainNote(section));
    for (const statement of section.statements) {
      lines.push(...indent(text(statement.file).slice(statement.element.span.start, statement.element.span.end), '\t\t'));
      lines.push(`\t\t<!-- ↑ ${origin(statement, root)} -->`);
    }
    lines.push(`\t</${name}>`);
  }
  lines.push('</policies>', '');
  return lines.join('\n');
}

function chainNote(section: EffectiveSection): string[] {
  const reached = section.scopesReached.map((scope) => scope.kind).join(' → ') || 'no policy';
  const cut = section.inheritanceCutAt.map((scope) => `${scope.kind} (no <base />)`).join(', ');
  return [`\t\t<!-- runs: ${reached}${cut ? `; inheritance stops at ${cut}` : ''} -->`];
}

function origin(statement: EffectiveStatement, root: string): string {
  const via = statement.viaFragments.length > 0 ? ` via fragment ${statement.viaFragments.join(' → ')}` : '';
  return `${statement.scope.kind} scope, ${path.relative(root, statement.file).split(path.sep).join('/')}${via}`;
}

/** Re-indents an element's source text: its first line has no indentation of its own in the file text. */
function indent(source: string, prefix: string): string[] {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  const common = Math.min(...lines.slice(1).filter((line) => line.trim()).map((line) => /^\s*/.exec(line)![0].length), Infinity);
  return lines.map((line, index) => prefix + (index === 0 || !Number.isFinite(common) ? line.trimStart() : line.slice(Math.max(0, common - 1))));
}
