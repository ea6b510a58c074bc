import { describe, expect, it } from 'vitest';
import type { GraphQLError } from 'graphql';
import { checkFirst, checkLabelName, checkLabelSelector, checkObjectName } from './validation.js';

function rejection(fn: () => void): GraphQLError {
  try {
    fn();
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error('expected a rejection');
}

describe('label selector validation', () => {
  it.each([
    'app=web', 'app==web', 'app!=web', 'app', '!app', 'app in (a, b)', 'tier notin (x)', 'app.kubernetes.io/name=redis,env in (prod,stage)',
    'a=', '  ', 'example.com/key=Value_1.x',
  ])('accepts %s', (s) => {
    expect(() => checkLabelSelector(s, 'filter.labelSelector')).not.toThrow();
  });

  it.each([
    ['app=web,', 'empty requirement'],
    ['app in (a', 'unbalanced'],
    ['app ~ web', 'cannot parse'],
    ['-bad=x', 'not a valid label key'],
    ['app=-x-', 'not a valid label value'],
    ['Bad_Prefix/x=1', 'must be a DNS subdomain'],
    ['app in ()', 'at least one value'],
  ])('rejects %s', (s, why) => {
    const e = rejection(() => checkLabelSelector(s, 'filter.labelSelector'));
    expect(e.extensions.code).toBe('BAD_USER_INPUT');
    expect(e.extensions.field).toBe('filter.labelSelector');
    expect(e.message).toContain(why);
  });
});

describe('name validation', () => {
  it('accepts DNS labels and subdomains', () => {
    expect(() => checkLabelName('member-1', 'cluster')).not.toThrow();
    expect(() => checkObjectName('node-1.example.com', 'name')).not.toThrow();
  });
  it('rejects upper case, empty and too long names with the field', () => {
    expect(rejection(() => checkLabelName('Member', 'cluster')).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'cluster' });
    expect(rejection(() => checkLabelName('', 'cluster')).extensions.field).toBe('cluster');
    expect(rejection(() => checkLabelName('a'.repeat(64), 'filter.namespace')).extensions.field).toBe('filter.namespace');
    expect(rejection(() => checkObjectName('a..b', 'name')).message).toContain('not a valid object name');
  });
});

describe('page size', () => {
  it('defaults and bounds first', () => {
    expect(checkFirst(undefined)).toBe(100);
    expect(checkFirst(0)).toBe(0);
    expect(rejection(() => checkFirst(-1)).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(rejection(() => checkFirst(1_000_000)).message).toContain('between 0 and');
  });
});
