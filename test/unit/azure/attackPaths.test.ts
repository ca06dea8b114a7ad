// Defender's attack paths and assessment risks: both row shapes mapped, read through the real SDK
// clients from the ARM emulator, and placed on the sample's files.
import * as assert from 'assert';
import * as path from 'path';
import { attackPath, defenderRisk } from '../../../src/core/azure/defenderQueries';
import { loadDeployedState } from '../../../src/core/azure/load';
import { ruleContext, scan } from '../../../src/core/scan';
import { findingPriority } from '../../../src/core/priority/priority';
import { EMPTY_CONFIG } from '../../../src/core/config';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import { formatMarkdown } from '../../../src/core/report/markdown';
import { formatTable } from '../../../src/core/report/table';
import { fixedTokenCredential, withEmulator } from '../../azure/emulator';
import { CONTOSO_SERVICE_ID, CONTOSO_SUBSCRIPTION, contosoState, SAMPLES } from '../../azure/contoso';

const SERVICE = CONTOSO_SERVICE_ID;

describe('Defender attack paths', function () {
  this.timeout(60000);

  describe('attackPath (a Resource Graph row)', () => {
    it("orders the classic shape's entities from the entry point along the connections to the target", () => {
      const mapped = attackPath({
        id: '/subscriptions/s/providers/Microsoft.Security/attackPaths/p1',
        name: 'p1',
        properties: {
          displayName: 'Internet exposed APIs that are unauthenticated carry sensitive data',
          potentialImpact: 'High',
          riskCategories: ['Exposure'],
          manualRemediationSteps: ['Add validate-jwt.', 'Redeploy.'],
          entryPointEntityInternalID: 'a',
          targetEntityInternalID: 'c',
          graphComponent: {
            // Listed out of order: the connections give the order.
            entities: [
              { entityInternalId: 'c', entityName: 'op', entityType: 'operation', entityIdentifiers: { azureResourceId: `${SERVICE}/apis/x/operations/op` } },
              { entityInternalId: 'a', entityName: 'Internet', entityType: 'Internet' },
              { entityInternalId: 'b', entityName: 'x', entityType: 'api', entityIdentifiers: { azureResourceId: `${SERVICE}/apis/x` } },
            ],
            connections: [
              { sourceEntityInternalId: 'b', targetEntityInternalId: 'c' },
              { sourceEntityInternalId: 'a', targetEntityInternalId: 'b' },
            ],
          },
        },
      });
      assert.deepStrictEqual(mapped, {
        id: '/subscriptions/s/providers/Microsoft.Security/attackPaths/p1',
        displayName: 'Internet exposed APIs that are unauthenticated carry sensitive data',
        description: undefined,
        riskLevel: 'High',
        riskFactors: ['Exposure'],
        attackPathType: undefined,
        remediation: 'Add validate-jwt. Redeploy.',
        steps: [
          { resourceId: undefined, name: 'Internet', type: 'Internet' },
          { resourceId: `${SERVICE}/apis/x`.toLowerCase(), name: 'x', type: 'api' },
          { resourceId: `${SERVICE}/apis/x/operations/op`.toLowerCase(), name: 'op', type: 'operation' },
        ],
        shape: 'defender-cspm',
      });
    });

    it('keeps the listed order when the connections do not chain, and a loop in them ends', () => {
      const mapped = attackPath({
        id: 'p',
        properties: {
          entryPointEntityInternalID: 'a',
          targetEntityInternalID: 'b',
          graphComponent: { entities: [{ entityInternalId: 'b', entityName: 'B' }, { entityInternalId: 'a', entityName: 'A' }], connections: [{ sourceEntityInternalId: 'a', targetEntityInternalId: 'a' }] },
        },
      });
      assert.deepStrictEqual(
        mapped?.steps.map((step) => step.name),
        ['B', 'A'],
      );
    });

    it("maps Exposure Management's shape: entry point, steps and target as entities", () => {
      const mapped = attackPath({
        id: 'p2',
        properties: {
          displayName: 'Path',
          riskLevel: 'Critical',
          riskFactors: ['Internet exposure'],
          entryPoint: { name: 'Internet', type: 'Internet' },
          attackPathSteps: [{ name: 'svc', azureResourceId: SERVICE }, 42, null],
          target: { name: 'db', type: 'microsoft.sql/servers', id: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/db' },
        },
      });
      assert.strictEqual(mapped?.shape, 'exposure-management');
      assert.strictEqual(mapped?.riskLevel, 'Critical');
      assert.deepStrictEqual(mapped?.riskFactors, ['Internet exposure']);
      assert.deepStrictEqual(mapped?.steps, [
        { resourceId: undefined, name: 'Internet', type: 'Internet' },
        { resourceId: SERVICE.toLowerCase(), name: 'svc', type: undefined },
        { resourceId: '/subscriptions/s/resourcegroups/r/providers/microsoft.sql/servers/db', name: 'db', type: 'microsoft.sql/servers' },
      ]);
    });

    it('refuses a row without id or properties, and bounds the steps of a huge one', () => {
      assert.strictEqual(attackPath({ properties: {} }), undefined);
      assert.strictEqual(attackPath({ id: 'p' }), undefined);
      const steps = Array.from({ length: 5000 }, (_, index) => ({ name: `n${index}` }));
      assert.strictEqual(attackPath({ id: 'p', properties: { attackPathSteps: steps } })?.steps.length, 100);
    });
  });

  it("defenderRisk reads an assessment's risk object, and none from an empty or malformed one", () => {
    assert.deepStrictEqual(defenderRisk({ level: 'High', riskFactors: ['Internet exposure', 3], attackPathsReferences: ['p1'], isContextualRisk: true }), {
      level: 'High',
      riskFactors: ['Internet exposure'],
      attackPathsReferences: ['p1'],
      isContextualRisk: true,
    });
    assert.strictEqual(defenderRisk({}), undefined);
    assert.strictEqual(defenderRisk(null), undefined);
    assert.strictEqual(defenderRisk('High'), undefined);
  });

  function withContoso<T>(run: Parameters<typeof withEmulator<T>>[2]): Promise<T> {
    return withEmulator(contosoState(), {}, run);
  }

  it('snapshot export reads the attack paths through APIM and the risk of assessments (SDK clients, emulator)', async () => {
    await withContoso(async (_emulator, connection) => {
      const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
      assert.deepStrictEqual(
        snapshot.attackPaths?.map((found) => [found.shape, found.riskLevel, found.steps.map((step) => step.name)]),
        [
          ['defender-cspm', 'Critical', ['Internet', 'apim-contoso-outfitters', 'payments', 'get-saved-card']],
          ['exposure-management', 'High', ['Internet', 'apim-contoso-outfitters', 'echo-api', 'echoapi.cloudapp.net']],
        ],
      );
      const savedCard = snapshot.assessments.find((assessment) => assessment.resourceId.endsWith('/apis/payments/operations/get-saved-card'));
      assert.deepStrictEqual(savedCard?.risk, { level: 'Critical', riskFactors: ['Internet exposure', 'Sensitive data'], attackPathsReferences: ['3c1f8a52-6d0e-4b7a-9e21-5f4a7c9d0b13'], isContextualRisk: true });
      assert.strictEqual(snapshot.assessments.filter((assessment) => assessment.risk).length, 1, 'assessments without a risk have none');
    });
  });

  it('a failed attack path query is recorded, leaves no list that would read as "none", and the rest is read', async () => {
    await withContoso(async (emulator, connection) => {
      emulator.faults.push({ method: 'POST', path: /resourcegraph\/resources$/i, body: /attackpaths/, status: 403, times: 1 });
      const snapshot = await loadDeployedState(fixedTokenCredential(), [CONTOSO_SUBSCRIPTION], connection);
      assert.strictEqual(snapshot.attackPaths, undefined);
      assert.deepStrictEqual(
        snapshot.errors.map((error) => [error.operation, error.status]),
        [['attackPaths', 403]],
      );
      assert.ok(snapshot.assessments.length > 10, 'the assessments are read all the same');
    });
  });

  it("places the sample snapshot's paths on the repository's files, in the JSON, table and Markdown reports", () => {
    const result = scan(SAMPLES, { now: new Date('2026-05-05T00:00:00Z'), snapshot: 'auto' });
    const report = toAnalysisReport(result);
    const paths = report.attackPaths ?? [];
    assert.deepStrictEqual(
      paths.map((found) => found.title),
      ['Internet exposed APIs that are unauthenticated carry sensitive data', 'Internet exposed API forwards calls to a backend over unencrypted http'],
    );
    // Written from the sample: payments is declared in apis/payments/apiInformation.json; get-saved-card is
    // `get:` under `/cards/{cardNumber}:` at line 77 of its specification; the global policy is policy.xml.
    assert.deepStrictEqual(
      paths[0].steps.map((step) => [step.name, step.resource, step.location && `${step.location.file}:${step.location.startLine}`]),
      [
        ['Internet', undefined, undefined],
        ['apim-contoso-outfitters', 'service', 'policy.xml:1'],
        ['payments', 'apis/payments', 'apis/payments/apiInformation.json:2'],
        ['get-saved-card', 'apis/payments/operations/get-saved-card', 'apis/payments/specification.yaml:77'],
      ],
    );
    // The Echo API is not in the repository: its step stays Defender's name, without a place.
    assert.deepStrictEqual(
      paths[1].steps.map((step) => step.resource),
      [undefined, 'service', undefined, undefined],
    );
    assert.strictEqual(paths[0].location.file, path.posix.join('.apim-posture', 'snapshot.json'));
    const savedCard = report.findings.find((finding) => finding.resource === 'apis/payments/operations/get-saved-card' && finding.ruleId === 'endpoint-authentication');
    assert.strictEqual(savedCard?.defender?.risk?.level, 'Critical');
    // Defender's rating weighs in the priority as a factor of its own, and raises it.
    const factor = savedCard?.priority?.factors.find((candidate) => candidate.id === 'defender-risk');
    assert.deepStrictEqual([factor?.side, factor?.label], ['exploitability', 'Defender rates it Critical (Internet exposure, Sensitive data) on 1 attack path']);
    const scanned = result.findings.find((finding) => finding.id === savedCard!.id)!;
    const service = result.services[0];
    const withoutRisk = findingPriority({ ...scanned, defender: { ...scanned.defender!, risk: undefined } }, ruleContext(service, EMPTY_CONFIG), service);
    assert.ok(savedCard!.priority!.score > withoutRisk.score, `${savedCard!.priority!.score} > ${withoutRisk.score}`);

    const table = formatTable(result);
    assert.match(table, /Attack paths \(Defender for Cloud, 2\):\nCRITICAL {2}Internet exposed APIs that are unauthenticated carry sensitive data\n {2}Internet → apim-contoso-outfitters → payments → get-saved-card\n/);
    assert.match(table, / {2}apis\/payments\/specification\.yaml:77:5 {2}apis\/payments\/operations\/get-saved-card/);
    const markdown = formatMarkdown(result);
    assert.match(markdown, /## Attack paths \(Defender for Cloud, 2\)/);
    assert.match(markdown, /- Defender's risk: Critical \(Internet exposure, Sensitive data\) on 1 attack path/);
  });
});
