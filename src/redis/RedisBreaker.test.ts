import { describe, expect, it } from 'vitest';
import { RedisBreaker, RedisUnavailableError, type RedisState } from './RedisBreaker.js';
import { RedisHealth } from './RedisHealth.js';

function fixture(connected = true) {
  let now = 1_000;
  const link = { connected };
  const changes: RedisState[] = [];
  const breaker = new RedisBreaker('t', (b) => changes.push(b.state), {
    failureThreshold: 2,
    retryIntervalMs: 500,
    isConnected: () => link.connected,
    now: () => now,
  });
  return { breaker, changes, link, advance: (ms: number) => (now += ms) };
}

const ok = () => Promise.resolve('OK');
const boom = () => Promise.reject(new Error('Command timed out'));

describe('RedisBreaker', () => {
  it('stops asking after the failure threshold and refuses without running the command', async () => {
    const { breaker, changes } = fixture();
    breaker.connected();
    await expect(breaker.run(boom)).rejects.toThrow('timed out');
    expect(breaker.state).toBe('up');
    await expect(breaker.run(boom)).rejects.toThrow('timed out');
    expect(breaker.state).toBe('degraded');
    let ran = 0;
    await expect(breaker.run(async () => ++ran)).rejects.toBeInstanceOf(RedisUnavailableError);
    expect(ran).toBe(0);
    expect(changes).toEqual(['up', 'degraded']);
  });

  it('a command that failed only long after its timeout (this process stalled) does not count; one that failed on time does', async () => {
    let now = 1_000;
    const breaker = new RedisBreaker('t', () => {}, { failureThreshold: 2, commandTimeoutMs: 500, now: () => now });
    breaker.connected();
    const failAfter = (ms: number) => () => {
      now += ms;
      return Promise.reject(new Error('Command timed out'));
    };
    await breaker.run(failAfter(1_500)).catch(() => {});
    await breaker.run(failAfter(1_200)).catch(() => {});
    expect(breaker.state).toBe('up');
    await breaker.run(failAfter(500)).catch(() => {});
    await breaker.run(failAfter(510)).catch(() => {});
    expect(breaker.state).toBe('degraded');
  });

  it('a success in between resets the count', async () => {
    const { breaker } = fixture();
    breaker.connected();
    await breaker.run(boom).catch(() => {});
    await breaker.run(ok);
    await breaker.run(boom).catch(() => {});
    expect(breaker.state).toBe('up');
  });

  it('probes a hung but connected Redis once per retry interval, and is up again when the probe answers', async () => {
    const { breaker, advance, changes } = fixture();
    breaker.connected();
    await breaker.run(boom).catch(() => {});
    await breaker.run(boom).catch(() => {});
    expect(breaker.allows()).toBe(false);
    advance(500);
    expect(breaker.allows()).toBe(true);
    await expect(breaker.run(boom)).rejects.toThrow('timed out');
    // The failed probe waits another interval.
    expect(breaker.allows()).toBe(false);
    advance(500);
    expect(await breaker.run(ok)).toBe('OK');
    expect(breaker.state).toBe('up');
    expect(changes).toEqual(['up', 'degraded', 'up']);
  });

  it('does not probe while the connection is closed; its return makes it up at once', async () => {
    const { breaker, link, advance } = fixture();
    breaker.connected();
    link.connected = false;
    breaker.disconnected(new Error('ECONNREFUSED'));
    expect(breaker.state).toBe('degraded');
    advance(10_000);
    expect(breaker.allows()).toBe(false);
    link.connected = true;
    breaker.connected();
    expect(breaker.state).toBe('up');
    expect(breaker.allows()).toBe(true);
  });

  it('repeated connection errors while degraded change nothing', () => {
    const { breaker, changes } = fixture();
    for (let i = 0; i < 20; i++) breaker.disconnected(new Error('ECONNREFUSED'));
    expect(changes).toEqual(['degraded']);
  });
});

describe('RedisHealth', () => {
  it('reports the worst of its clients and logs one line per change of that', async () => {
    const lines: Array<[string, object, string | undefined]> = [];
    const health = new RedisHealth({
      logger: { info: (o, m) => lines.push(['info', o, m]), warn: (o, m) => lines.push(['warn', o, m]) },
    });
    const a = health.breaker('a');
    const b = health.breaker('b');
    expect(health.state).toBe('connecting');
    a.connected();
    expect(health.state).toBe('connecting');
    b.connected();
    expect(health.state).toBe('up');
    for (let i = 0; i < 10; i++) {
      a.disconnected(new Error('ECONNREFUSED'));
      b.disconnected(new Error('ECONNREFUSED'));
    }
    expect(health.state).toBe('degraded');
    a.connected();
    expect(health.state).toBe('degraded');
    b.connected();
    expect(health.state).toBe('up');
    expect(lines.map(([level, o]) => [level, (o as { redis: string }).redis])).toEqual([
      ['info', 'up'],
      ['warn', 'degraded'],
      ['info', 'up'],
    ]);
  });
});
