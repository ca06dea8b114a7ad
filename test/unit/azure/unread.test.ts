// A snapshot with parts Azure did not answer: what those parts would tell is unknown, never drift or absence.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { emptySnapshot, readSnapshotFile, serializeSnapshot, type DeployedSnapshot, type SnapshotError } from '../../../src/core/azure/snapshot';
import { formatJson, formatTable } from '../../../src/core/report';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import { scan } from '../../../src/core/scan';
import { CONTOSO_SERVICE_ID, SAMPLE_SNAPSHOT, SAMPLES } from '../../azure/contoso';

const SERVER_ERROR = { status: 500, code: 'InternalServerError', message: 'Something went wrong' };

/** The sample snapshot, changed by `edit` as a failed export would have written it. */
function scanWith(edit: (snapshot: DeployedSnapshot) => void) {
  const snapshot = JSON.parse(fs.readFileSync(SAMPLE_SNAPSHOT, 'utf8')) as DeployedSnapshot;
  edit(snapshot);
  return scan(SAMPLES, { snapshot: readSnapshotFile(SAMPLE_SNAPSHOT, serializeSnapshot(snapshot)) });
}

const unreadProblems = (result: ReturnType<typeof scan>) => result.findings.filter((finding) => finding.properties?.problemKind === 'unread-in-azure');
const rel = (file: string) => path.relative(SAMPLES, file).split(path.sep).join('/');

describe('a snapshot with parts that could not be read', () => {
  it('a failed read of an operation policy is no drift: an input problem names the read instead', () => {
    const result = scanWith((snapshot) => {
      const operation = snapshot.services[0].apis.find((api) => api.name === 'payments')!.operations.find((candidate) => candidate.name === 'get-saved-card')!;
      delete operation.policy;
      const failure: SnapshotError = { operation: 'policy', scope: `${CONTOSO_SERVICE_ID}/apis/payments/operations/get-saved-card/policies/policy`, ...SERVER_ERROR };
      snapshot.services[0].errors.push(failure);
    });
    // The complete sample's drift, less the two conclusions about get-saved-card that need its deployed policy.
    assert.deepStrictEqual(result.deployed![0].drift.map((item) => `${item.kind} ${item.resource}`).sort(), [
      'not-predicted apis/echo-api/operations/retrieve-resource',
      'not-predicted service',
      'policy-differs products/starter',
    ]);
    assert.ok(!result.findings.some((finding) => finding.ruleId === 'deployed-policy-differs' && finding.resource === 'apis/payments/operations/get-saved-card'));
    const [problem, ...others] = unreadProblems(result);
    assert.strictEqual(others.length, 0);
    assert.strictEqual(problem.ruleId, 'input-problem');
    assert.strictEqual(problem.severity, 'info');
    assert.strictEqual(rel(problem.location.file), 'apis/payments/operations/get-saved-card/policy.xml');
    assert.match(problem.message, /operation policy of apis\/payments\/operations\/get-saved-card is unknown/);
    assert.match(problem.message, /could not be read \(500 InternalServerError\): Something went wrong/);
  });

  it('a subscription not asked for leaves the plan and onboarding unknown, and the parts say which', () => {
    const result = scanWith((snapshot) => {
      snapshot.subscriptions = [];
    });
    assert.strictEqual(result.services[0].deployment?.defenderForApisEnabled, undefined);
    assert.strictEqual(result.services[0].deployment?.onboardedApis, undefined);
    assert.ok(!result.findings.some((finding) => finding.ruleId === 'api-onboarding' || finding.ruleId === 'defender-for-apis-plan'));
    assert.deepStrictEqual(
      unreadProblems(result).map((finding) => finding.message),
      [
        'Whether the Defender for APIs plan is on is unknown: subscription 6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f is not in the snapshot (not asked for).',
        'Which APIs are onboarded to Defender for APIs is unknown, so none is reported as not onboarded: subscription 6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f is not in the snapshot (not asked for).',
      ],
    );
    // What was read is still used: Defender's assessments.
    assert.ok(result.findings.some((finding) => finding.defender));
    assert.deepStrictEqual(
      result.snapshot?.parts.map((part) => `${part.part} ${part.state}`),
      ['assessments read', 'healthyAssessments not-asked', 'attackPaths read', 'backendResources read'],
    );
  });

  it('a snapshot without the resources behind the backends (an older export) says their facts come from the declarations', () => {
    const result = scanWith((snapshot) => {
      delete snapshot.backendResources;
    });
    assert.deepStrictEqual(
      unreadProblems(result).map((finding) => finding.message),
      ["The Azure resources behind the backends are unknown, so the backends are judged by the repository's declarations alone: the snapshot was taken by a version that did not read the resources behind the backends (not asked for)."],
    );
  });

  it('a snapshot without attack paths (an older export) says they are unknown rather than none', () => {
    const result = scanWith((snapshot) => {
      delete snapshot.attackPaths;
    });
    assert.deepStrictEqual(
      unreadProblems(result).map((finding) => finding.message),
      ["Defender's attack paths are unknown, so none is shown: the snapshot was taken by a version that did not read attack paths (not asked for)."],
    );
    assert.strictEqual(toAnalysisReport(result).attackPaths, undefined);
  });

  it('lists each part of the snapshot read, failed with its error, or not asked for', () => {
    const result = scanWith((snapshot) => {
      snapshot.subscriptions[0].errors.push({ operation: 'apiCollections', scope: `/subscriptions/${snapshot.subscriptions[0].id}/providers/Microsoft.Security/apiCollections`, ...SERVER_ERROR });
    });
    const scope = '/subscriptions/6f1c2a4e-8b3d-4c5e-9f70-1a2b3c4d5e6f';
    assert.deepStrictEqual(result.snapshot?.parts, [
      { part: 'assessments', scope: 'Microsoft.ResourceGraph/resources', state: 'read' },
      { part: 'healthyAssessments', scope: 'Microsoft.ResourceGraph/resources', state: 'not-asked', reason: 'Unhealthy assessments only (snapshot export --include-healthy asks for the others)' },
      { part: 'attackPaths', scope: 'Microsoft.ResourceGraph/resources', state: 'read' },
      { part: 'backendResources', scope: 'Microsoft.ResourceGraph/resources', state: 'read' },
      { part: 'services', scope, state: 'read' },
      { part: 'plan', scope, state: 'read' },
      { part: 'onboarding', scope, state: 'failed', error: { operation: 'apiCollections', scope: `${scope}/providers/Microsoft.Security/apiCollections`, ...SERVER_ERROR } },
    ]);
    const json = JSON.parse(formatJson(result));
    assert.deepStrictEqual(json.snapshot.parts.map((part: { part: string; state: string }) => `${part.part} ${part.state}`), ['assessments read', 'healthyAssessments not-asked', 'attackPaths read', 'backendResources read', 'services read', 'plan read', 'onboarding failed']);
  });

  it('a failed read of apiCollections leaves onboarding unknown: no API reported as not onboarded', () => {
    const result = scanWith((snapshot) => {
      snapshot.services[0].apiCollections = [];
      snapshot.subscriptions[0].errors.push({ operation: 'apiCollections', scope: `/subscriptions/${snapshot.subscriptions[0].id}/providers/Microsoft.Security/apiCollections`, ...SERVER_ERROR });
    });
    assert.strictEqual(result.services[0].deployment?.onboardedApis, undefined);
    assert.ok(!result.findings.some((finding) => finding.ruleId === 'api-onboarding'));
    assert.deepStrictEqual(
      unreadProblems(result).map((finding) => rel(finding.location.file)),
      ['.apim-posture/snapshot.json'],
    );
    assert.match(unreadProblems(result)[0].message, /Which APIs are onboarded to Defender for APIs is unknown/);
  });

  it('a failed read of the plan leaves it unknown, not off', () => {
    const result = scanWith((snapshot) => {
      delete snapshot.subscriptions[0].defenderForApis;
      snapshot.subscriptions[0].errors.push({ operation: 'pricing', scope: `/subscriptions/${snapshot.subscriptions[0].id}/providers/Microsoft.Security/pricings/Api`, status: 403, message: 'Forbidden' });
    });
    assert.strictEqual(result.services[0].deployment?.defenderForApisEnabled, undefined);
    assert.ok(!result.findings.some((finding) => finding.ruleId === 'defender-for-apis-plan'));
    assert.match(unreadProblems(result)[0].message, /Whether the Defender for APIs plan is on is unknown: pricing of .* could not be read \(403\): Forbidden/);
  });

  it('failed assessments leave inactive operations unknown and say that Defender findings are missing', () => {
    const result = scanWith((snapshot) => {
      snapshot.assessments = [];
      snapshot.errors.push({ operation: 'assessments', scope: 'Microsoft.ResourceGraph/resources', ...SERVER_ERROR });
    });
    assert.strictEqual(result.services[0].deployment?.inactiveOperations, undefined);
    assert.ok(!result.findings.some((finding) => finding.ruleId === 'unused-endpoint'));
    assert.deepStrictEqual(unreadProblems(result).map((finding) => finding.message), [
      "Defender's findings and inactive endpoints are missing from this report: assessments of Microsoft.ResourceGraph/resources could not be read (500 InternalServerError): Something went wrong.",
    ]);
    assert.ok(formatTable(result).includes("Not read from Azure when the snapshot was taken: Defender's assessments;"));
  });

  it('a complete snapshot has no such problem', () => {
    assert.deepStrictEqual(unreadProblems(scanWith(() => undefined)), []);
  });
});

describe('the age past which a snapshot is stale', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  // Taken 20 days before `now`.
  const loaded = readSnapshotFile('/nowhere/snapshot.json', serializeSnapshot(emptySnapshot('https://management.azure.com', '2026-05-12T00:00:00Z')));

  const pick = (result: ReturnType<typeof scan>) => ({ ageDays: result.snapshot?.ageDays, maxAgeDays: result.snapshot?.maxAgeDays, stale: result.snapshot?.stale });

  function scanFolderWithConfig(config: unknown, maxAge?: number) {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-age-'));
    try {
      fs.writeFileSync(path.join(folder, '.apim-posture.json'), JSON.stringify(config));
      return scan(folder, { snapshot: loaded, now, snapshotMaxAgeDays: maxAge });
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  }

  it('is 7 days by default, snapshotMaxAgeDays in .apim-posture.json, and the option over both', () => {
    assert.deepStrictEqual(pick(scanFolderWithConfig({})), { ageDays: 20, maxAgeDays: 7, stale: true });
    assert.deepStrictEqual(pick(scanFolderWithConfig({ snapshotMaxAgeDays: 30 })), { ageDays: 20, maxAgeDays: 30, stale: false });
    assert.deepStrictEqual(pick(scanFolderWithConfig({ snapshotMaxAgeDays: 30 }, 10)), { ageDays: 20, maxAgeDays: 10, stale: true });
  });

  it('says when the setting is no whole number of days, and keeps the default', () => {
    const result = scanFolderWithConfig({ snapshotMaxAgeDays: 'a week' });
    assert.strictEqual(result.snapshot?.maxAgeDays, 7);
    assert.ok(result.findings.some((finding) => finding.ruleId === 'input-problem' && /snapshotMaxAgeDays must be a whole number of days/.test(finding.message)));
  });

});
