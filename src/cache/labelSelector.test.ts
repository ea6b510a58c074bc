import { describe, expect, it } from 'vitest';
import { LabelSelectorError, matchesLabels, parseLabelSelector } from './labelSelector.js';

const m = (sel: string, labels: Record<string, string>) => matchesLabels(parseLabelSelector(sel), labels);

describe('label selectors', () => {
  it('match as Kubernetes does', () => {
    const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'shop' };
    expect(m('app=web', labels)).toBe(true);
    expect(m('app==web,tier=front', labels)).toBe(true);
    expect(m('app!=web', labels)).toBe(false);
    expect(m('missing!=x', labels)).toBe(true);
    expect(m('tier in (back, front)', labels)).toBe(true);
    expect(m('tier notin (front)', labels)).toBe(false);
    expect(m('app.kubernetes.io/name', labels)).toBe(true);
    expect(m('!app', labels)).toBe(false);
    expect(m('!gone', labels)).toBe(true);
    expect(m('', labels)).toBe(true);
    expect(m('app=api', labels)).toBe(false);
  });

  it('reject invalid selectors with a message', () => {
    expect(() => parseLabelSelector('app=web,')).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector('a b')).toThrow(/cannot parse "a b"/);
    expect(() => parseLabelSelector('app=we b')).toThrow(/not a valid label value/);
    expect(() => parseLabelSelector('-bad=1')).toThrow(/not a valid label key/);
    expect(() => parseLabelSelector('x in ()')).toThrow(/at least one value/);
  });
});
