import { describe, expect, it } from 'vitest';
import { parsedResources, parseQuantity, resourceList, ResourceSum } from './quantity.js';

describe('quantities', () => {
  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('500m')).toBeCloseTo(0.5);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('128974848')).toBe(128974848);
    expect(parseQuantity('129e6')).toBe(129e6);
    expect(parseQuantity('1.5k')).toBe(1500);
    expect(Number.isNaN(parseQuantity('lots'))).toBe(true);
  });

  it('builds lists with raw and normalised values, extended resources included', () => {
    const list = resourceList({ cpu: '250m', memory: '64Mi', pods: '110', 'nvidia.com/gpu': '2' });
    expect(list).toMatchObject({ cpuCores: 0.25, memoryBytes: 64 * 2 ** 20, pods: 110, cpu: '250m', memory: '64Mi' });
    expect(list.all.map((q) => q.name)).toEqual(['cpu', 'memory', 'nvidia.com/gpu', 'pods']);
  });

  it('sums', () => {
    const sum = new ResourceSum().add({ cpu: '250m', memory: '1Gi' }).add({ cpu: '1', memory: '512Mi' }).toList();
    expect(sum.cpuCores).toBeCloseTo(1.25);
    expect(sum.cpu).toBe('1250m');
    expect(sum.memory).toBe('1536Mi');
  });

  it('sums parsed maps exactly as it sums the maps, parsing each map object once', () => {
    const maps: Array<Record<string, string>> = [{ cpu: '100m', memory: '1Gi', 'nvidia.com/gpu': '1' }, { cpu: '0.1', memory: '129e6', junk: 'lots' }, { cpu: '333m' }];
    const bySum = new ResourceSum();
    const byParsed = new ResourceSum();
    for (let i = 0; i < 30; i++) {
      const m = maps[i % maps.length]!;
      bySum.add(m);
      byParsed.addParsed(parsedResources(m));
    }
    // toEqual: the same floating-point sums to the last bit, not merely close ones.
    expect(byParsed.toList()).toEqual(bySum.toList());
    expect(parsedResources(maps[1])).toBe(parsedResources(maps[1]));
    expect(parsedResources(maps[1]).map(([name]) => name)).toEqual(['cpu', 'memory']);
    expect(parsedResources(undefined)).toEqual([]);
  });
});
