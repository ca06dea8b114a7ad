// The diagnostics the engine sends after each analysis: only the files whose diagnostics changed, and
// what the editor shows once it applied them is every file's diagnostics, as if all had been sent.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fileURLToPath } from 'url';
import type { Diagnostic } from 'vscode-languageserver/node';
import { AnalysisMemo } from '../../../src/core/analysisMemo';
import { ParseCache } from '../../../src/core/parse/cache';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { scan } from '../../../src/core/scan';
import { FileIndex } from '../../../src/core/workspace/files';
import { PublishedDiagnostics, type DiagnosticOptions } from '../../../src/server/diagnostics';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples');
const SPEC = 'apis/orders/specification.yaml';
const TRACK_SHIPMENT_POLICY = 'apis/orders/operations/track-shipment/policy.xml';

describe('diagnostics sent after an analysis', function () {
  this.timeout(60_000);
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-diagnostics-'));
    fs.cpSync(SAMPLES, folder, { recursive: true });
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('are those of the files whose diagnostics changed; applied, they are every file\'s', () => {
    const cache = new ParseCache();
    const index = new FileIndex();
    const memo = new AnalysisMemo();
    const overlay = new Map<string, string>();
    const published = new PublishedDiagnostics();
    /** What the editor shows, by file below the folder. */
    const shown = new Map<string, Diagnostic[]>();
    const below = (file: string) => path.relative(folder, file).split(path.sep).join('/');
    const relative = (uri: string) => below(fileURLToPath(uri));
    const analyse = (): ScanResult => scan(folder, { cache, index, memo, overlay, snapshot: 'auto' });
    /** The files sent after an analysis; what the editor then shows is checked against all diagnostics built afresh. */
    const sent = (result: ScanResult, options: DiagnosticOptions = { highSeverityAs: 'error', showInfoFindings: true }): string[] => {
      const changes = published.changes(result, options);
      for (const [uri, diagnostics] of changes) {
        if (diagnostics.length > 0) shown.set(relative(uri), diagnostics);
        else shown.delete(relative(uri));
      }
      const all = new Map(new PublishedDiagnostics().changes(result, options).map(([uri, diagnostics]) => [relative(uri), diagnostics]));
      assert.deepStrictEqual(new Map([...shown].sort()), new Map([...all].sort()));
      return changes.map(([uri]) => relative(uri)).sort();
    };
    const edit = (file: string, change: (text: string) => string) => {
      const absolute = path.join(folder, file);
      const text = overlay.get(absolute) ?? fs.readFileSync(absolute, 'utf8');
      assert.notStrictEqual(change(text), text, file);
      overlay.set(absolute, change(text));
    };
    const endpointAuthentication = () => (shown.get(SPEC) ?? []).filter((diagnostic) => diagnostic.code === 'endpoint-authentication' && diagnostic.source === 'APIM Posture');

    const first = analyse();
    assert.deepStrictEqual(sent(first), [...new Set(first.findings.filter((finding) => !finding.suppression && !finding.properties?.unmapped).map((finding) => below(finding.location.file)))].sort());
    // track-shipment's policy has no <base /> in inbound: the API's validate-jwt does not run.
    assert.strictEqual(endpointAuthentication().length, 1);
    assert.deepStrictEqual(sent(analyse()), [], 'nothing changed');

    edit(TRACK_SHIPMENT_POLICY, (text) => text.replace('<inbound>', '<inbound>\n\t\t<base />'));
    assert.ok(sent(analyse()).includes(SPEC), 'the policy edit authenticates track-shipment, whose finding is in the spec');
    assert.deepStrictEqual(endpointAuthentication(), []);

    // A line typed near the top moves every finding below it in the spec, and the related locations in it of other files' findings.
    edit(SPEC, (text) => text.replace('info:\n', 'info:\n  x-note: typed\n'));
    const moved = analyse();
    const pointingIntoSpec = moved.findings.filter((finding) => finding.related.some((related) => related.location.file === path.join(folder, SPEC))).map((finding) => below(finding.location.file));
    assert.deepStrictEqual(sent(moved), [...new Set([SPEC, ...pointingIntoSpec])].sort());

    // loyalty's findings in its spec point at its policy's <choose>: a line break in place of a space above it (offsets stay, lines move) is sent for the spec too.
    edit('apis/loyalty/policy.xml', (text) => text.replace('Partner apps send', 'Partner apps\nsend'));
    assert.ok(sent(analyse()).includes('apis/loyalty/specification.yaml'));

    // Typed at the end, below every finding: the spec's diagnostics are built again, read the same, and are not sent.
    edit(SPEC, (text) => `${text}# typed at the end\n`);
    assert.deepStrictEqual(sent(analyse()), []);

    const withHigh = new Set(moved.findings.filter((finding) => finding.severity === 'high' && !finding.suppression && !finding.properties?.unmapped).map((finding) => below(finding.location.file)));
    assert.ok(withHigh.size > 0);
    assert.deepStrictEqual(sent(analyse(), { highSeverityAs: 'warning', showInfoFindings: true }), [...withHigh].sort(), 'high findings shown as warnings');

    // An API's folder deleted: its files' diagnostics are cleared.
    const storeLocator = [...shown.keys()].filter((file) => file.startsWith('apis/store-locator/'));
    assert.ok(storeLocator.length > 0);
    fs.rmSync(path.join(folder, 'apis/store-locator'), { recursive: true });
    index.created(path.join(folder, 'apis/store-locator'));
    const afterDeletion = sent(analyse(), { highSeverityAs: 'warning', showInfoFindings: true });
    for (const file of storeLocator) assert.ok(afterDeletion.includes(file) && !shown.has(file), file);
  });
});
