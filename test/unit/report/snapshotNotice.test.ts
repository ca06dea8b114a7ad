// Every report says when the merged snapshot of Azure was taken, whether it is stale, and what Azure did not answer.
import * as assert from 'assert';
import * as path from 'path';
import { emptySnapshot, readSnapshotFile, serializeSnapshot, type SnapshotError } from '../../../src/core/azure/snapshot';
import { snapshotStatus } from '../../../src/core/azure/status';
import { formatJson, formatMarkdown, formatSarif, formatTable } from '../../../src/core/report';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { sampleScan } from '../../fixtures/report/sampleScan';

const TAKEN = '2026-05-04T09:30:00.000Z';
const ASSESSMENTS_FAILED: SnapshotError = { operation: 'assessments', scope: 'Microsoft.ResourceGraph/resources', status: 500, message: 'Something went wrong' };

/** The sample report with a snapshot taken at TAKEN, whose reads in `errors` failed, merged at `now`. */
function withSnapshot(now: string, errors: SnapshotError[] = [], serviceErrors: SnapshotError[] = []): ScanResult {
  const result = sampleScan([]);
  const snapshot = emptySnapshot('https://management.azure.com', TAKEN);
  snapshot.errors.push(...errors);
  snapshot.subscriptions.push({ id: 's', errors: serviceErrors });
  const loaded = readSnapshotFile(path.join(result.root, '.apim-posture', 'snapshot.json'), serializeSnapshot(snapshot));
  return { ...result, snapshot: snapshotStatus(loaded, new Date(now)) };
}

const STALE_NOTICES = [
  `Snapshot of Azure: .apim-posture/snapshot.json, taken ${TAKEN} (12 days ago).`,
  "The snapshot is stale (older than 7 days): Defender's findings and the drift may have changed since; run apim-posture snapshot export again.",
  "Not read from Azure when the snapshot was taken: Defender's assessments; what depends on them is missing from this report or unknown.",
];

describe('the snapshot notice of the reports', () => {
  const stale = withSnapshot('2026-05-16T10:00:00Z', [ASSESSMENTS_FAILED]);

  it('the table ends with when it was taken, that it is stale, and what was not read', () => {
    const table = formatTable(stale);
    assert.ok(table.endsWith(STALE_NOTICES.join('\n') + '\n'), table);
  });

  it('JSON has a snapshot section with the status and the same notices', () => {
    const report = JSON.parse(formatJson(stale));
    const graph = 'Microsoft.ResourceGraph/resources';
    assert.deepStrictEqual(report.snapshot, {
      file: '.apim-posture/snapshot.json',
      createdAt: TAKEN,
      ageDays: 12,
      maxAgeDays: 7,
      stale: true,
      unread: [ASSESSMENTS_FAILED],
      // The assessments failed; the one subscription's parts were read; Healthy assessments were not asked for.
      parts: [
        { part: 'assessments', scope: graph, state: 'failed', error: ASSESSMENTS_FAILED },
        { part: 'healthyAssessments', scope: graph, state: 'not-asked', reason: 'Unhealthy assessments only (snapshot export --include-healthy asks for the others)' },
        { part: 'attackPaths', scope: graph, state: 'not-asked', reason: 'the snapshot was taken by a version that did not read attack paths' },
        { part: 'backendResources', scope: graph, state: 'not-asked', reason: 'the snapshot was taken by a version that did not read the resources behind the backends' },
        { part: 'services', scope: '/subscriptions/s', state: 'read' },
        { part: 'plan', scope: '/subscriptions/s', state: 'read' },
        { part: 'onboarding', scope: '/subscriptions/s', state: 'read' },
      ],
      notices: STALE_NOTICES,
    });
  });

  it('SARIF carries it in the run properties', () => {
    const log = JSON.parse(formatSarif(stale));
    assert.strictEqual(log.runs[0].properties.snapshot.stale, true);
    assert.deepStrictEqual(log.runs[0].properties.snapshot.notices, STALE_NOTICES);
  });

  it('Markdown says it under the summary', () => {
    assert.ok(formatMarkdown(stale).includes(STALE_NOTICES.join('  \n')));
  });

  it('a fresh, complete snapshot says only when it was taken; failed reads are counted by kind', () => {
    assert.deepStrictEqual(JSON.parse(formatJson(withSnapshot('2026-05-05T09:00:00Z'))).snapshot.notices, [`Snapshot of Azure: .apim-posture/snapshot.json, taken ${TAKEN} (less than a day ago).`]);
    const policy = (scope: string): SnapshotError => ({ operation: 'policy', scope, message: 'timeout' });
    const partial = withSnapshot('2026-05-05T09:00:00Z', [], [policy('a'), policy('b'), { operation: 'apiCollections', scope: 's', message: 'no' }]);
    assert.deepStrictEqual(JSON.parse(formatJson(partial)).snapshot.notices.slice(1), [
      'Not read from Azure when the snapshot was taken: policies (2), onboarding (apiCollections); what depends on them is missing from this report or unknown.',
    ]);
  });

  it('no snapshot, no notice', () => {
    assert.strictEqual(JSON.parse(formatJson(sampleScan([]))).snapshot, undefined);
    assert.ok(!formatTable(sampleScan([])).includes('Snapshot of Azure'));
  });
});
