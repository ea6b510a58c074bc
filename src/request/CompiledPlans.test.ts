import { getOperationAST, parse, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { CompiledPlans } from './CompiledPlans.js';
import { tinySchema } from './testSupport.js';

const plan = (plans: CompiledPlans, document: DocumentNode, operationName?: string) =>
  plans.planFor(document, getOperationAST(document, operationName)!, operationName);

describe('CompiledPlans', () => {
  it('compiles a document once it is repeated, then hands out the same plan', () => {
    const plans = new CompiledPlans(tinySchema());
    const doc = parse('{ hello }');
    expect(plan(plans, doc)).toBeUndefined();
    const compiled = plan(plans, doc);
    expect(compiled).toBeDefined();
    expect(plan(plans, doc)).toBe(compiled);
  });

  it('compiles at first sight with compileAfter 1, each operation of a document apart', async () => {
    const plans = new CompiledPlans(tinySchema(), { compileAfter: 1 });
    const doc = parse('query A { hello } query B { hello(name: "b") }');
    const a = plan(plans, doc, 'A')!;
    const b = plan(plans, doc, 'B')!;
    expect(a).not.toBe(b);
    expect(await b.query(undefined, {}, {})).toEqual({ data: { hello: 'hello b' } });
  });

  it('keeps mutations and subscriptions on graphql-js', () => {
    const plans = new CompiledPlans(tinySchema(), { compileAfter: 1 });
    expect(plan(plans, parse('subscription { ticks }'))).toBeUndefined();
    expect(plans.fallbacks).toBe(0);
  });

  it('is bounded: the least recently used document goes first, and is counted again from its next sighting', () => {
    const plans = new CompiledPlans(tinySchema(), { maxEntries: 2 });
    const [a, b, c] = ['{ hello }', '{ boom }', '{ refuse }'].map((q) => parse(q));
    plan(plans, a!);
    plan(plans, a!);
    plan(plans, b!);
    plan(plans, a!); // a is the most recent
    plan(plans, c!); // b goes
    expect(plans.size).toBe(2);
    expect(plan(plans, a!)).toBeDefined();
    plan(plans, b!); // a new sighting of b: c goes (a was used since)
    expect(plan(plans, b!)).toBeDefined();
    expect(plan(plans, c!)).toBeUndefined(); // c is seen anew
    expect(plans.size).toBe(2);
  });

  it('bounds the text of compiled documents: the least recently used compiled one goes, a larger one is never compiled', () => {
    const plans = new CompiledPlans(tinySchema(), { compileAfter: 1, maxChars: 30 });
    const a = parse('{ hello(name: "a") }'); // 20 characters
    const b = parse('{ hello(name: "bb") }'); // 21
    const c = parse('{ hello }');
    const big = parse(`{ hello(name: "${'x'.repeat(40)}") }`);
    expect(plan(plans, a)).toBeDefined();
    expect(plan(plans, b)).toBeDefined(); // a goes: 41 > 30
    expect(plans.size).toBe(1);
    expect(plan(plans, c)).toBeDefined(); // 21 + 9 = 30 fits
    expect(plans.size).toBe(2);
    expect(plan(plans, big)).toBeUndefined();
    expect(plans.size).toBe(3); // seen, not compiled: the compiled ones stay
    expect(plan(plans, c)).toBeDefined();
  });

  it('remembers a document graphql-jit cannot compile and never tries it again', () => {
    const reasons: string[] = [];
    const plans = new CompiledPlans(tinySchema(), { compileAfter: 1, onFallback: (_name, reason) => reasons.push(reason) });
    // Not valid against the schema (the core never hands such a document over): graphql-jit refuses it.
    const doc = parse('query($x: Nope) { hello }');
    expect(plan(plans, doc)).toBeUndefined();
    expect(plan(plans, doc)).toBeUndefined();
    expect(plans.fallbacks).toBe(1);
    expect(reasons).toHaveLength(1);
  });
});
