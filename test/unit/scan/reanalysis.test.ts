// The editor's loop: scans of the same folder with a ParseCache and unsaved buffers as overlay must
// give what a scan from scratch gives, while reusing what the edit left alone.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ParseCache } from '../../../src/core/parse/cache';
import type { SensitiveDataClassifier } from '../../../src/core/analysis/sensitiveData';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { scan } from '../../../src/core/scan';

function customersSpec(queryParameter: string): string {
  const paths: Record<string, unknown> = {};
  for (let index = 0; index < 5; index++) {
    paths[`/customers${index}`] = {
      get: {
        operationId: `get-customers-${index}`,
        description: `Lists customers ${index}.`,
        parameters: [{ name: queryParameter, in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Customer' } } } } },
      },
    };
  }
  const Customer = { type: 'object', properties: { email: { type: 'string' }, note: { type: 'string' } } };
  return JSON.stringify({ openapi: '3.0.3', info: { title: 'Customers', version: '1' }, paths, components: { schemas: { Customer } } }, null, 2);
}

const ORDERS_SPEC = JSON.stringify({ openapi: '3.0.3', info: { title: 'Orders', version: '1' }, paths: { '/orders': { get: { operationId: 'list-orders', parameters: [{ name: 'phone', in: 'query' }] } } } }, null, 2);

/** Everything a scan tells, spans included, as text: read before the next scan, as live documents move their spans to the newest text. */
function told(result: ScanResult): string {
  const operations = result.services[0].apis.flatMap((api) => api.operations.map((operation) => ({ api, operation })));
  return JSON.stringify({
    findings: result.findings,
    problems: result.services[0].problems,
    filesRead: result.services[0].filesRead,
    operations: operations.map(({ operation }) => [operation.id, operation.location, operation.specOperation?.parameters.map((parameter) => parameter.location)]),
    exposure: operations.map(({ api, operation }) => result.analyses.exposure(api, operation).inBodies.map((entry) => [entry.field.path, entry.field.location])),
  });
}

function classifierOf(result: ScanResult): SensitiveDataClassifier {
  return result.analyses.sensitiveData;
}

function findingsOf(result: ScanResult, api: string): string[] {
  return result.findings.filter((finding) => finding.resource.startsWith(`apis/${api}/`)).map((finding) => `${finding.ruleId} ${finding.resource} ${finding.message}`);
}

describe('scan: re-analysis with a parse cache', () => {
  let folder: string;
  let customers: string;
  const now = new Date('2026-01-01T00:00:00Z');

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-reanalysis-'));
    customers = path.join(folder, 'customers.json');
    fs.writeFileSync(customers, customersSpec('expand'));
    fs.writeFileSync(path.join(folder, 'orders.json'), ORDERS_SPEC);
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it("changes the edited API's findings, leaves nothing stale and tells what a scan from scratch tells", () => {
    const cache = new ParseCache();
    const before = scan(folder, { cache, now });
    assert.deepStrictEqual(findingsOf(before, 'customers').filter((finding) => finding.startsWith('sensitive-data-in-url')), []);

    const overlay = new Map([[customers, customersSpec('ssn')]]);
    const after = scan(folder, { cache, now, overlay });
    assert.strictEqual(findingsOf(after, 'customers').filter((finding) => finding.startsWith('sensitive-data-in-url')).length, 5);
    assert.deepStrictEqual(findingsOf(after, 'orders'), findingsOf(before, 'orders'));
    assert.strictEqual(told(after), told(scan(folder, { now, overlay })));

    const undone = scan(folder, { cache, now });
    assert.deepStrictEqual(findingsOf(undone, 'customers'), findingsOf(before, 'customers'));
    assert.strictEqual(told(undone), told(scan(folder, { now })));
  });

  it('keeps spans right after edits that move the rest of the file', () => {
    const cache = new ParseCache();
    scan(folder, { cache, now });
    let text = customersSpec('expand');
    for (const edit of ['Lists customers 0, all of them.', 'Lists customers 0.', 'Lists']) {
      text = text.replace(/Lists customers 0[^"]*/, edit);
      const overlay = new Map([[customers, text]]);
      assert.strictEqual(told(scan(folder, { cache, now, overlay })), told(scan(folder, { now, overlay })));
    }
  });

  it('reuses what an edit left alone: the document, the classifier, the operations and their exposure', () => {
    const cache = new ParseCache();
    const first = scan(folder, { cache, now });
    const customersOf = (result: ScanResult) => result.services[0].apis.find((api) => api.name === 'customers')!;
    const specOperations = (result: ScanResult) => customersOf(result).spec!.operations;
    const exposures = (result: ScanResult) => {
      const api = customersOf(result);
      return api.operations.map((operation) => result.analyses.exposure(api, operation));
    };
    const [firstOperations, firstExposures] = [specOperations(first), exposures(first)];
    const components = (customersOf(first).spec!.document.value as { components: unknown }).components;

    const second = scan(folder, { cache, now });
    assert.strictEqual(customersOf(second).spec!.document, customersOf(first).spec!.document);
    assert.strictEqual(classifierOf(second), classifierOf(first));
    assert.deepStrictEqual(specOperations(second), firstOperations);
    specOperations(second).forEach((operation, index) => assert.strictEqual(operation, firstOperations[index]));

    const edited = scan(folder, { cache, now, overlay: new Map([[customers, customersSpec('expand').replace('Lists customers 3.', 'Lists customers 3, edited.')]]) });
    assert.strictEqual((customersOf(edited).spec!.document.value as { components: unknown }).components, components);
    assert.deepStrictEqual(
      specOperations(edited).map((operation, index) => operation === firstOperations[index]),
      [true, true, true, false, true],
    );
    assert.deepStrictEqual(
      exposures(edited).map((exposure, index) => exposure === firstExposures[index]),
      [true, true, true, false, true],
    );
    assert.strictEqual(classifierOf(edited), classifierOf(first));
  });

  it('reads again the operations whose $refs lead to a schema that was edited', () => {
    const cache = new ParseCache();
    const before = scan(folder, { cache, now });
    const overlay = new Map([[customers, customersSpec('expand').replace('"note": {', '"ssn": {\n              "type": "string"\n            },\n            "note": {')]]);
    const after = scan(folder, { cache, now, overlay });
    const bodyFindings = (result: ScanResult) => findingsOf(result, 'customers').filter((finding) => finding.startsWith('sensitive-data-in-body'));
    assert.ok(bodyFindings(before).every((finding) => !finding.includes('National identification number')));
    assert.strictEqual(bodyFindings(after).filter((finding) => finding.includes('National identification number')).length, 5);
    assert.strictEqual(told(after), told(scan(folder, { now, overlay })));
  });

  it('classifies again when the custom information types change', () => {
    const cache = new ParseCache();
    const first = scan(folder, { cache, now });
    const customTypes = [{ id: 'loyalty', displayName: 'Loyalty number', sensitivity: 'high' as const, namePatterns: ['^expand$'], valuePatterns: [] }];
    const second = scan(folder, { cache, now, settings: { customInformationTypes: customTypes } });
    assert.notStrictEqual(classifierOf(second), classifierOf(first));
    assert.strictEqual(findingsOf(second, 'customers').filter((finding) => finding.includes('Loyalty number')).length, 5);
    assert.strictEqual(told(second), told(scan(folder, { now, settings: { customInformationTypes: customTypes } })));
  });

  it("parses the repository's snapshot of Azure once per text, and again when it changes", () => {
    const sample = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-reanalysis-snapshot-'));
    fs.cpSync(path.join(__dirname, '..', '..', '..', 'samples'), sample, { recursive: true });
    const snapshotFile = path.join(sample, '.apim-posture', 'snapshot.json');
    const cache = new ParseCache();
    const first = scan(sample, { cache, now, snapshot: 'auto' });
    const again = scan(sample, { cache, now, snapshot: 'auto' });
    assert.ok(first.deployed);
    assert.strictEqual(again.deployed?.[0].snapshot, first.deployed[0].snapshot);

    const text = fs.readFileSync(snapshotFile, 'utf8');
    const changed = scan(sample, { cache, now, snapshot: 'auto', overlay: new Map([[snapshotFile, text.replace('"pricingTier": "Standard"', '"pricingTier": "Free"')]]) });
    assert.notStrictEqual(changed.deployed?.[0].snapshot, first.deployed[0].snapshot);
    assert.strictEqual(changed.services[0].deployment?.defenderForApisEnabled, false);
    assert.strictEqual(JSON.stringify(again.findings), JSON.stringify(scan(sample, { now, snapshot: 'auto' }).findings));
    fs.rmSync(sample, { recursive: true, force: true });
  });
});
