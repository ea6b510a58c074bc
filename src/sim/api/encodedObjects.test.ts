import { describe, expect, it } from 'vitest';
import { knownJson, watchEventLine } from './encodedObjects.js';
import type { KubeObject } from '../store/Store.js';

const pod = (name: string, rv: string): KubeObject => ({
  kind: 'Pod', apiVersion: 'v1',
  metadata: { name, namespace: 'ns', resourceVersion: rv, annotations: { note: 'ünïcode "quoted"' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

describe('watchEventLine', () => {
  it('writes the bytes JSON.stringify({type, object}) + newline gives, once per object version and type', () => {
    const v1 = pod('p', '10');
    const line = watchEventLine('MODIFIED', v1);
    expect(line.toString('utf8')).toBe(`${JSON.stringify({ type: 'MODIFIED', object: v1 })}\n`);
    // Every other watcher of this change gets the very same buffer.
    expect(watchEventLine('MODIFIED', v1)).toBe(line);
    // A filtered watch that sends it as ADDED gets its own line, from the same encoding.
    expect(watchEventLine('ADDED', v1).toString('utf8')).toBe(`${JSON.stringify({ type: 'ADDED', object: v1 })}\n`);
    expect(knownJson(v1)).toBe(JSON.stringify(v1));
  });

  it('knows only the versions it encoded, and a new version is encoded anew', () => {
    const v1 = pod('p', '10');
    watchEventLine('MODIFIED', v1);
    const v2 = pod('p', '11');
    expect(knownJson(v2)).toBeUndefined();
    expect(knownJson({ ...v1 })).toBeUndefined();
    expect(watchEventLine('MODIFIED', v2).toString('utf8')).toContain('"resourceVersion":"11"');
  });
});
