// The Findings view's "by goal" grouping: the findings on what keeps each goal of the sample from being met.
import * as assert from 'assert';
import * as path from 'path';
import { toAnalysisReport } from '../../../src/core/report/analysisReport';
import { concernsGoal } from '../../../src/core/report/goals';
import type { ReportFinding, ReportGoal } from '../../../src/core/report/contract';

/** The findings of a goal, as the Findings view groups them. */
const findingsOfGoal = <T extends Pick<ReportFinding, 'resource' | 'service'>>(goal: Pick<ReportGoal, 'violations'>, findings: T[]) => findings.filter((finding) => concernsGoal(goal, finding));
import { scan } from '../../../src/core/scan';

const SAMPLE = path.join(__dirname, '..', '..', '..', 'samples');

describe('concernsGoal', function () {
  this.timeout(60000);
  const report = toAnalysisReport(scan(SAMPLE, { snapshot: 'auto', now: new Date('2026-05-05T00:00:00Z') }));
  const goal = (id: string) => report.goals!.find((candidate) => candidate.id === id)!;

  it("no-all-apis-keys: the finding on the probe key scoped to all APIs (subscriptions/ops-monitoring-all-apis)", () => {
    assert.deepStrictEqual(
      findingsOfGoal(goal('no-all-apis-keys'), report.findings).map((finding) => [finding.ruleId, finding.resource]),
      [['subscription-all-apis', 'subscriptions/ops-monitoring-all-apis']],
    );
  });

  it('all-authenticated: the findings on each operation not authenticated, track-shipment among them', () => {
    const found = findingsOfGoal(goal('all-authenticated'), report.findings);
    assert.ok(found.some((finding) => finding.ruleId === 'endpoint-authentication' && finding.resource === 'apis/orders/operations/track-shipment'));
    // Every one is on an operation the goal names.
    const resources = new Set(goal('all-authenticated').violations.map((violation) => violation.resource));
    assert.ok(found.every((finding) => resources.has(finding.resource)));
  });

  it('a finding of another service with the same resource is not one of the goal', () => {
    const other = { resource: 'subscriptions/ops-monitoring-all-apis', service: 'envs/other' };
    assert.deepStrictEqual(findingsOfGoal(goal('no-all-apis-keys'), [other]), []);
    // Below a violating resource counts (an operation of a violating API).
    assert.strictEqual(findingsOfGoal({ violations: [{ resource: 'apis/a', message: '', location: report.findings[0].location }] }, [{ resource: 'apis/a/operations/x' }, { resource: 'apis/ab' }]).length, 1);
  });
});
