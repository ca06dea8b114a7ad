// One bad part loses nothing else: a rule that throws on one API, and a scan out of time, each say what
// they left out, and what could be analysed is reported as usual.
import * as assert from 'assert';
import * as path from 'path';
import { TimeBudget } from '../../../src/core/limits';
import { ParseCache } from '../../../src/core/parse/cache';
import { ALL_RULES } from '../../../src/core/rules/catalog';
import type { Rule } from '../../../src/core/rules/rule';
import { scan } from '../../../src/core/scan';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples');

describe('scan isolation', () => {
  it('turns a rule that throws on one API into a finding naming that API, and keeps its findings on the others', () => {
    const endpointAuthentication = ALL_RULES.find((rule) => rule.meta.id === 'endpoint-authentication')!;
    const failsOnOrders: Rule = {
      meta: endpointAuthentication.meta,
      check(context) {
        if (context.service.apis.some((api) => api.name === 'orders')) throw new RangeError('Maximum call stack size exceeded');
        return endpointAuthentication.check(context);
      },
    };
    const expected = scan(SAMPLES, { rules: [endpointAuthentication] }).findings.filter((finding) => finding.ruleId === 'endpoint-authentication');
    const result = scan(SAMPLES, { rules: [failsOnOrders], verbose: true });
    const found = result.findings.filter((finding) => finding.ruleId === 'endpoint-authentication');
    assert.deepStrictEqual(
      found.map((finding) => finding.id).sort(),
      expected.filter((finding) => !finding.resource.startsWith('apis/orders/')).map((finding) => finding.id).sort(),
    );
    const errors = result.findings.filter((finding) => finding.properties?.problemKind === 'analysis-error');
    assert.strictEqual(errors.length, 1);
    assert.match(errors[0].message, /Rule endpoint-authentication on API orders could not be analysed \(RangeError: Maximum call stack size exceeded\)/);
    assert.strictEqual(errors[0].location.file, path.join(SAMPLES, 'apis', 'orders', 'apiInformation.json'));
    assert.match(String(errors[0].properties?.stack), /isolation\.test\.ts/, 'verbose mode keeps the stack');
    assert.strictEqual(scan(SAMPLES, { rules: [failsOnOrders] }).findings.find((finding) => finding.properties?.problemKind === 'analysis-error')?.properties?.stack, undefined);
  });

  it('stops at its time budget, says where, and reports what it had read', () => {
    const budget = new TimeBudget(0);
    const result = scan(SAMPLES, { budget });
    assert.ok(budget.stopped);
    const stops = result.findings.filter((finding) => finding.properties?.problemKind === 'over-budget');
    // Out of time from the start: reading stops at its first file, and no rule runs.
    assert.deepStrictEqual(stops.map((finding) => finding.message.replace(/ at .*?:/, ' at …:').replace(/rule \S+/, 'rule …')).sort(), [
      'Reading stopped at …: the analysis took longer than its 0 ms budget; it and what comes after it were not read.',
      'The analysis took longer than its 0 ms budget; rule … and the rules after it did not run.',
    ].sort());
    assert.strictEqual(result.services[0].apis.length, 0);
  });

  it('stops when it is cancelled, keeps the parses of what it did not reach, and says it was cancelled rather than out of time', () => {
    const cache = new ParseCache();
    scan(SAMPLES, { cache });
    let asked = 0;
    // Cancelled after reading has begun: as when a newer edit arrives while the language server analyses.
    const budget = new TimeBudget(60_000, () => ++asked > 3);
    scan(SAMPLES, { cache, budget });
    assert.ok(budget.cancelled && budget.stopped);
    // The next full scan parses nothing again: the cancelled one pruned no parse it did not use.
    let parsed = 0;
    const counting = new Proxy(cache, { get: (target, property) => (property === 'get' ? (kind: string, file: string, text: string, compute: (previous?: unknown) => unknown) => target.get(kind, file, text, (previous) => (parsed++, compute(previous))) : Reflect.get(target, property)) });
    const again = scan(SAMPLES, { cache: counting });
    assert.strictEqual(parsed, 0);
    assert.strictEqual(again.services[0].apis.length, 12);
  });
});
