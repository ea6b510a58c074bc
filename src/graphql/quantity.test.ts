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

describe('normalised quantities are rounded to what the raw quantities say', () => {
  it('parses to the decimal the raw quantity writes, nano-units at most', () => {
    expect(parseQuantity('13.57')).toBe(13.57);
    expect(parseQuantity('100m')).toBe(0.1);
    expect(parseQuantity('1000m')).toBe(1);
    expect(parseQuantity('123456789n')).toBe(0.123456789);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('1e-3')).toBe(0.001);
    expect(parseQuantity('-250m')).toBe(-0.25);
    expect(parseQuantity('.5')).toBe(0.5);
    expect(Number.isNaN(parseQuantity('.'))).toBe(true);
  });

  it('sums in integer units: 1357 × "10m" is 13.57 cores, not 13.569999999999997', () => {
    const float = Array.from({ length: 1357 }, () => 0.01).reduce((a, b) => a + b, 0);
    expect(float).not.toBe(13.57); // what summing the numbers gave
    const sum = new ResourceSum();
    for (let i = 0; i < 1357; i++) sum.add({ cpu: '10m', memory: '1.1Ki' });
    const list = sum.toList();
    expect(list.cpuCores).toBe(13.57);
    expect(list.cpu).toBe('13570m');
    expect(list.memoryBytes).toBe(1357 * 1126.4);
    // Mixed precisions (millicores from specs, nanocores from metrics) sum exactly too.
    const mixed = new ResourceSum().add({ cpu: '100m' }).add({ cpu: '200m' }).add({ cpu: '123456789n' }).toList();
    expect(mixed.cpuCores).toBe(0.423456789);
    expect(new ResourceSum().addParsed(parsedResources({ cpu: '0.1' })).addParsed(parsedResources({ cpu: '0.2' })).toList().cpuCores).toBe(0.3);
  });
});
