import { describe, expect, it } from 'vitest';
import { jsonEqual, jsonEqualExcept } from './jsonEqual.js';

/** The definition jsonEqual stands in for. */
const byText = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

describe('jsonEqual', () => {
  const shared = { containers: [{ name: 'c', image: 'nginx' }] };
  const pairs: Array<[unknown, unknown]> = [
    [{ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } }],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }], // same members, another order: another text
    [{ a: 1, b: undefined }, { a: 1 }], // undefined members are not written
    [[1, undefined], [1, null]], // but undefined items are written as null
    [{ a: [] }, { a: {} }],
    [{ a: null }, { a: 0 }],
    [{ a: NaN }, { a: null }],
    [{ a: '1' }, { a: 1 }],
    [{ spec: shared, n: 1 }, { spec: shared, n: 2 }],
    [{ spec: shared, n: 1 }, { spec: shared, n: 1 }],
    [{ a: { b: 1 } }, { a: { b: 1, c: 2 } }],
    [[{ a: 1 }], [{ a: 1 }, { a: 1 }]],
    [{ 2: 'x', 1: 'y' }, { 1: 'y', 2: 'x' }], // integer keys are written in ascending order either way
  ];

  it('says what comparing the JSON texts says', () => {
    for (const [a, b] of pairs) {
      expect(jsonEqual(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(byText(a, b));
      expect(jsonEqual(b, a)).toBe(byText(b, a));
    }
  });

  it('leaves out the top-level members it is told to (the spec part of an object)', () => {
    const skip = new Set(['metadata', 'status']);
    expect(jsonEqualExcept({ metadata: { a: 1 }, spec: { r: 1 } }, { metadata: { a: 2 }, spec: { r: 1 }, status: {} }, skip)).toBe(true);
    expect(jsonEqualExcept({ metadata: { a: 1 }, spec: { r: 1 } }, { metadata: { a: 1 }, spec: { r: 2 } }, skip)).toBe(false);
  });
});
