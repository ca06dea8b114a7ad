import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { checkSnapshot, readSnapshotFile } from '../../../src/core/azure/snapshot';

const SAMPLE_SNAPSHOT = path.join(__dirname, '..', '..', '..', 'samples', '.apim-posture', 'snapshot.json');
const header = { kind: 'apim-posture/deployed-snapshot', version: 1, createdAt: '2026-01-01T00:00:00Z', endpoint: 'https://management.azure.com' };

describe('snapshot schema', () => {
  it('accepts the sample snapshot whole', () => {
    const text = fs.readFileSync(SAMPLE_SNAPSHOT, 'utf8');
    const loaded = readSnapshotFile(SAMPLE_SNAPSHOT, text);
    assert.deepStrictEqual(loaded.problems, []);
    assert.deepStrictEqual(loaded.snapshot, JSON.parse(text));
  });

  it('drops an assessment without key, resource or status, and keeps the others', () => {
    const good = { key: '4e8c00a2-e8bc-42a8-9e12-99584a51ad10', resourceId: '/subscriptions/s/x', status: 'Unhealthy' };
    const { snapshot, dropped } = checkSnapshot({ ...header, assessments: [{}, good] });
    assert.deepStrictEqual(snapshot?.assessments, [good]);
    assert.deepStrictEqual(
      dropped.map((part) => part.path),
      [['assessments', 0]],
    );
  });

  it('drops an API whose name is a number, saying why, and keeps its service', () => {
    const service = { id: '/s/apim', name: 'apim', apis: [{ name: 5 }, { name: 'orders' }] };
    const { snapshot, dropped } = checkSnapshot({ ...header, services: [service] });
    assert.deepStrictEqual(snapshot?.services[0].apis.map((api) => api.name), ['orders']);
    assert.deepStrictEqual(dropped, [{ path: ['services', 0, 'apis', 0], message: '"name" name must be string' }]);
  });

  it('drops a wrongly typed optional property only, and fills missing lists', () => {
    const { snapshot, dropped } = checkSnapshot({ ...header, services: [{ id: '/s/apim', name: 'apim', apis: [{ name: 'orders', protocols: 'https', subscriptionRequired: 'no' }] }] });
    const api = snapshot!.services[0].apis[0];
    assert.deepStrictEqual(api, { name: 'orders', operations: [] });
    assert.deepStrictEqual(snapshot!.services[0].products, []);
    assert.deepStrictEqual(dropped.map((part) => part.path).sort(), [
      ['services', 0, 'apis', 0, 'protocols'],
      ['services', 0, 'apis', 0, 'subscriptionRequired'],
    ]);
  });

  it('empties a list that is not a list', () => {
    const { snapshot, dropped } = checkSnapshot({ ...header, services: 'x', subscriptions: [{ id: 5 }] });
    assert.deepStrictEqual(snapshot?.services, []);
    assert.deepStrictEqual(snapshot?.subscriptions, []);
    assert.deepStrictEqual(
      dropped.map((part) => part.path.join('.')).sort(),
      ['services', 'subscriptions.0'],
    );
  });

  it('refuses assessment keys that would not make a rule id', () => {
    const { snapshot, dropped } = checkSnapshot({ ...header, assessments: [{ key: 'a b#c', resourceId: '/x', status: 'Unhealthy' }] });
    assert.deepStrictEqual(snapshot?.assessments, []);
    assert.strictEqual(dropped.length, 1);
  });

  it('names each dropped part of a file at its place, by its JSON path', () => {
    const text = JSON.stringify({ ...header, services: [{ id: '/s/apim', name: 'apim', apis: [{ name: 'ok' }, { name: 7 }] }] }, null, 2);
    const loaded = readSnapshotFile('/repo/.apim-posture/snapshot.json', text);
    assert.strictEqual(loaded.problems.length, 1);
    const [problem] = loaded.problems;
    assert.strictEqual(problem.kind, 'invalid-artifact');
    assert.match(problem.message, /\/services\/0\/apis\/1 was left out/);
    assert.strictEqual(text.slice(problem.span!.start, problem.span!.end).replace(/\s/g, ''), '{"name":7}');
  });

  it('refuses a root that is not a snapshot', () => {
    assert.throws(() => readSnapshotFile('/repo/s.json', JSON.stringify({ ...header, version: 2 })), /version 2/);
    assert.throws(() => readSnapshotFile('/repo/s.json', '[1]'), /not an APIM Posture snapshot/);
  });
});
