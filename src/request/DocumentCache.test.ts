import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DocumentCache } from './DocumentCache.js';

describe('DocumentCache', () => {
  it('evicts the least recently used beyond its entry bound', () => {
    const cache = new DocumentCache({ maxEntries: 2 });
    const a = parse('{ a }');
    cache.set('{ a }', a);
    cache.set('{ b }', parse('{ b }'));
    expect(cache.get('{ a }')).toBe(a); // a is now the most recently used
    cache.set('{ c }', parse('{ c }'));
    expect(cache.get('{ b }')).toBeUndefined();
    expect(cache.get('{ a }')).toBe(a);
    expect(cache.size).toBe(2);
  });

  it('bounds the characters it keeps, and never keeps a text larger than the whole budget', () => {
    const cache = new DocumentCache({ maxChars: 20 });
    cache.set('{ aaaaaaaaaaaaaaaaaaaaaaaa }', parse('{ aaaaaaaaaaaaaaaaaaaaaaaa }'));
    expect(cache.size).toBe(0);
    cache.set('{ aaaaaaa }', parse('{ aaaaaaa }'));
    cache.set('{ bbbbbbb }', parse('{ bbbbbbb }'));
    expect(cache.get('{ aaaaaaa }')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});
