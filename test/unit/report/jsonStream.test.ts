import * as assert from 'assert';
import fc from 'fast-check';
import { chunked, jsonPieces, LazyArray } from '../../../src/core/report/jsonStream';

/** `value` with every array made lazy (mapping each item to itself plus a marker) or left as is, at random. */
function withLazyArrays(value: unknown, lazy: () => boolean): { streamed: unknown; plain: unknown } {
  if (Array.isArray(value)) {
    const parts = value.map((item) => withLazyArrays(item, lazy));
    if (lazy()) return { streamed: new LazyArray(value, (item) => ({ item })), plain: value.map((item) => ({ item })) };
    return { streamed: parts.map((part) => part.streamed), plain: parts.map((part) => part.plain) };
  }
  if (typeof value === 'object' && value !== null) {
    const streamed: Record<string, unknown> = {};
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const part = withLazyArrays(item, lazy);
      streamed[key] = part.streamed;
      plain[key] = part.plain;
    }
    return { streamed, plain };
  }
  return { streamed: value, plain: value };
}

describe('jsonPieces', () => {
  it('joins into exactly what JSON.stringify(value, null, 2) writes, lazy arrays and all', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.infiniteStream(fc.boolean()), (value, coins) => {
        const flips = coins[Symbol.iterator]();
        const { streamed, plain } = withLazyArrays(value, () => flips.next().value as boolean);
        assert.strictEqual([...chunked(jsonPieces(streamed), 7)].join(''), JSON.stringify(plain, null, 2));
      }),
      { numRuns: 2_000, seed: 7 },
    );
  });

  it('leaves out undefined properties and writes undefined items as null, like JSON.stringify', () => {
    const value = { a: undefined, b: [undefined, 1], c: new LazyArray([1, 2], (item) => (item === 1 ? undefined : { item })) };
    assert.strictEqual([...jsonPieces(value)].join(''), JSON.stringify({ b: [null, 1], c: [null, { item: 2 }] }, null, 2));
  });

  it('gives one piece per item of a lazy array, mapped only when written', () => {
    const mapped: number[] = [];
    const pieces = jsonPieces({ findings: new LazyArray([1, 2, 3], (item) => (mapped.push(item), item)) });
    assert.strictEqual(pieces.next().value, '{\n  "findings": ');
    assert.deepStrictEqual(mapped, []);
    assert.strictEqual(pieces.next().value, '[\n    1');
    assert.deepStrictEqual(mapped, [1]);
    assert.strictEqual([...pieces].length, 4);
  });
});
