// The findings of a folder as LSP diagnostics, sent only for the files whose diagnostics changed since
// the last analysis. An edit changes the findings of a few files out of thousands: each file's
// diagnostics are built again only when what they are made of changed (its findings as the scan
// reported them, or the text of a file their lines and columns are counted in), and sent only when
// they then differ from what was sent.
import { pathToFileURL } from 'url';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding, RuleMetadata } from '../core/findings';
import { regionOf, type Region } from '../core/report/common';
import type { ScanResult } from '../core/report/scanResult';
import type { ServerSettings } from './protocol';

export type DiagnosticOptions = Pick<ServerSettings, 'highSeverityAs' | 'showInfoFindings'>;

const SEVERITIES = { high: DiagnosticSeverity.Error, medium: DiagnosticSeverity.Warning, low: DiagnosticSeverity.Information, info: DiagnosticSeverity.Hint };

/** What a file's diagnostics were last made of, and what was sent. */
interface Published {
  /** Its findings' fields that its diagnostics show, with the options. */
  key: string;
  /** The text of every file its diagnostics locate something in, as it was then. */
  texts: Map<string, string>;
  json: string;
}

/** One folder's diagnostics as last sent, by absolute file. */
export class PublishedDiagnostics {
  private published = new Map<string, Published>();
  private readonly uris = new Map<string, string>();

  /** The diagnostics of the files whose diagnostics differ from what was last sent (an empty list clears a file's). */
  changes(result: ScanResult, options: DiagnosticOptions): [string, Diagnostic[]][] {
    const rules = new Map(result.rules.map((rule) => [rule.id, rule]));
    const byFile = new Map<string, Finding[]>();
    for (const finding of result.findings) {
      // Defender findings on resources no local file declares stay in the Findings view only.
      if (finding.suppression || finding.properties?.unmapped || (!options.showInfoFindings && finding.severity === 'info')) continue;
      const list = byFile.get(finding.location.file);
      if (list) list.push(finding);
      else byFile.set(finding.location.file, [finding]);
    }
    const changed: [string, Diagnostic[]][] = [];
    const published = new Map<string, Published>();
    for (const [file, findings] of byFile) {
      const key = findingsKey(findings, rules, options);
      const texts = new Map<string, string>();
      for (const finding of findings) for (const location of [finding.location, ...finding.related.map((related) => related.location)]) texts.set(location.file, result.sourceText(location.file));
      const before = this.published.get(file);
      if (before && before.key === key && sameTexts(texts, before.texts)) {
        published.set(file, before);
        continue;
      }
      const diagnostics = findings.map((finding) => this.diagnostic(finding, result, rules.get(finding.ruleId), options));
      const json = JSON.stringify(diagnostics);
      published.set(file, { key, texts, json });
      if (before?.json !== json) changed.push([this.uriOf(file), diagnostics]);
    }
    for (const file of this.published.keys()) if (!published.has(file)) changed.push([this.uriOf(file), []]);
    this.published = published;
    return changed;
  }

  private diagnostic(finding: Finding, result: ScanResult, rule: RuleMetadata | undefined, options: DiagnosticOptions): Diagnostic {
    return {
      range: rangeOf(regionOf(result.lineIndex, finding.location)),
      severity: finding.severity === 'high' && options.highSeverityAs === 'warning' ? DiagnosticSeverity.Warning : SEVERITIES[finding.severity],
      // A prediction Defender confirms is one diagnostic of APIM Posture, its message saying Defender reports it too.
      source: finding.origin === 'observed' ? 'Defender for APIs' : 'APIM Posture',
      code: finding.ruleId,
      codeDescription: rule ? { href: rule.helpUri } : undefined,
      message: finding.message + (rule?.defender ? `\nDefender for Cloud: ${rule.defender.displayName}` : ''),
      relatedInformation: finding.related.map((related) => ({ location: { uri: this.uriOf(related.location.file), range: rangeOf(regionOf(result.lineIndex, related.location)) }, message: related.message })),
      data: { findingId: finding.id },
    };
  }

  private uriOf(file: string): string {
    let uri = this.uris.get(file);
    if (uri === undefined) this.uris.set(file, (uri = pathToFileURL(file).toString()));
    return uri;
  }
}

/** Every field of the findings that their diagnostics show, but lines and columns (the texts say those). */
function findingsKey(findings: readonly Finding[], rules: ReadonlyMap<string, RuleMetadata>, options: DiagnosticOptions): string {
  const parts: (string | number)[] = [options.highSeverityAs];
  for (const finding of findings) {
    const rule = rules.get(finding.ruleId);
    parts.push(finding.id, finding.ruleId, finding.severity, finding.origin, finding.message, finding.location.span.start, finding.location.span.end, rule?.helpUri ?? '', rule?.defender?.displayName ?? '');
    for (const related of finding.related) parts.push(related.location.file, related.location.span.start, related.location.span.end, related.message);
    parts.push('');
  }
  return parts.join('\u0000');
}

function sameTexts(now: ReadonlyMap<string, string>, before: ReadonlyMap<string, string>): boolean {
  if (now.size !== before.size) return false;
  for (const [file, text] of now) if (before.get(file) !== text) return false;
  return true;
}

function rangeOf(region: Region) {
  return { start: { line: region.startLine - 1, character: region.startColumn - 1 }, end: { line: region.endLine - 1, character: region.endColumn - 1 } };
}
