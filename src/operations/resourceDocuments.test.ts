import { describe, expect, it } from 'vitest';
import { describeProblem, parseResourceDocuments } from './resourceDocuments.js';

describe('parseResourceDocuments', () => {
  it('locates each document by its index and first line, and names every problem', () => {
    const yaml = [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: a', // 1-4
      '---', '# a comment', 'apiVersion: v1', 'kind: Service', 'metadata:', '  namespace: x', // 5-10
      '---', 'apiVersion: v1', 'kind: [unclosed', // 11-13
    ].join('\n');
    const r = parseResourceDocuments(yaml);
    expect(r.documents).toEqual([]);
    expect(r.problems.map(describeProblem)).toEqual([
      'document 2 (line 7): metadata.name is missing',
      expect.stringMatching(/^document 3 \(line 1[23]\): invalid YAML: /),
    ]);
  });

  it('returns the objects with their lines; empty documents count but yield nothing', () => {
    const r = parseResourceDocuments('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n---\n');
    expect(r.problems).toEqual([]);
    expect(r.documents.map((d) => [d.index, d.line, d.object.kind])).toEqual([[1, 2, 'ConfigMap'], [3, 7, 'Deployment']]);
  });

  it('refuses a scalar document, a missing kind, and no document at all', () => {
    expect(parseResourceDocuments('hello').problems.map(describeProblem)).toEqual(['document 1 (line 1): not a Kubernetes object (a mapping with apiVersion, kind and metadata)']);
    expect(parseResourceDocuments('apiVersion: v1\nmetadata: {name: a}').problems.map(describeProblem)).toEqual(['document 1 (line 1): kind is missing']);
    expect(parseResourceDocuments('# nothing\n').problems.map(describeProblem)).toEqual(['document 1 (line 1): no object: the YAML holds no document']);
  });
});
