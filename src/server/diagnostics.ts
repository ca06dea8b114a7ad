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
  /** Its findings, whose fields its diagnostics show (compared field by field), and the options. */
  findings: readonly Finding[];
  highSeverityAs: DiagnosticOptions['highSeverityAs'];
  /** The text of every file its diagnostics locate something in, as it was then. */
  texts: Map<string, string>;
  json: string;
}

/** One folder's diagnostics as last sent, by absolute file. */
export class PublishedDiagnostics {
  private published = new Map<string, Published>();
  /** The rules of the last analysis: every published entry is that analysis's. */
  private rules = new Map<string, RuleMetadata>();
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
      const texts = new Map<string, string>();
      // Most locations are in the file itself: looked up once each run of the same file, as a file has thousands in an estate.
      let last: string | undefined;
      const locatedIn = (located: string) => {
        if (located === last) return;
        last = located;
        if (!texts.has(located)) texts.set(located, result.sourceText(located));
      };
      for (const finding of findings) {
        locatedIn(finding.location.file);
        for (const related of finding.related) locatedIn(related.location.file);
      }
      const before = this.published.get(file);
      if (before && before.highSeverityAs === options.highSeverityAs && sameShown(findings, before.findings, rules, this.rules) && sameTexts(texts, before.texts)) {
        published.set(file, { ...before, findings });
        continue;
      }
      const diagnostics = findings.map((finding) => this.diagnostic(finding, result, rules.get(finding.ruleId), options));
      const json = JSON.stringify(diagnostics);
      published.set(file, { findings, highSeverityAs: options.highSeverityAs, texts, json });
      if (before?.json !== json) changed.push([this.uriOf(file), diagnostics]);
    }
    for (const file of this.published.keys()) if (!published.has(file)) changed.push([this.uriOf(file), []]);
    this.published = published;
    this.rules = rules;
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

/** Whether the findings show the same diagnostics but for lines and columns (the texts say those): every field a diagnostic shows. */
function sameShown(now: readonly Finding[], before: readonly Finding[], rules: ReadonlyMap<string, RuleMetadata>, rulesBefore: ReadonlyMap<string, RuleMetadata>): boolean {
  if (now.length !== before.length) return false;
  return now.every((finding, index) => {
    const then = before[index];
    const rule = rules.get(finding.ruleId);
    const ruleThen = rulesBefore.get(then.ruleId);
    return (
      finding.id === then.id &&
      finding.ruleId === then.ruleId &&
      finding.severity === then.severity &&
      finding.origin === then.origin &&
      finding.message === then.message &&
      finding.location.span.start === then.location.span.start &&
      finding.location.span.end === then.location.span.end &&
      rule?.helpUri === ruleThen?.helpUri &&
      rule?.defender?.displayName === ruleThen?.defender?.displayName &&
      finding.related.length === then.related.length &&
      finding.related.every((related, at) => {
        const other = then.related[at];
        return related.location.file === other.location.file && related.location.span.start === other.location.span.start && related.location.span.end === other.location.span.end && related.message === other.message;
      })
    );
  });
}

function sameTexts(now: ReadonlyMap<string, string>, before: ReadonlyMap<string, string>): boolean {
  if (now.size !== before.size) return false;
  for (const [file, text] of now) if (before.get(file) !== text) return false;
  return true;
}

function rangeOf(region: Region) {
  return { start: { line: region.startLine - 1, character: region.startColumn - 1 }, end: { line: region.endLine - 1, character: region.endColumn - 1 } };
}
