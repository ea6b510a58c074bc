import { describe, expect, it } from 'vitest';
import { codeForStatus, toClusterError, UpstreamError } from './UpstreamError.js';

describe('upstream failures as typed cluster errors', () => {
  it('maps HTTP statuses and timeouts to the five codes', () => {
    expect(codeForStatus(401)).toBe('FORBIDDEN');
    expect(codeForStatus(403)).toBe('FORBIDDEN');
    expect(codeForStatus(404)).toBe('NOT_FOUND');
    expect(codeForStatus(503)).toBe('CLUSTER_UNAVAILABLE');
    expect(codeForStatus(0)).toBe('CLUSTER_UNAVAILABLE');
    expect(codeForStatus(504)).toBe('UPSTREAM_TIMEOUT');
    expect(codeForStatus(0, true)).toBe('UPSTREAM_TIMEOUT');
  });

  it('names the cluster and keeps the message, for our errors, Watch errors and client-node ApiExceptions', () => {
    expect(toClusterError('m1', new UpstreamError('GET /api: connect ECONNREFUSED', 0))).toEqual({
      code: 'CLUSTER_UNAVAILABLE', cluster: 'm1', message: 'm1: GET /api: connect ECONNREFUSED',
    });
    expect(toClusterError('m2', Object.assign(new Error('Forbidden'), { statusCode: 403 })).code).toBe('FORBIDDEN');
    expect(toClusterError('m3', { code: 404, message: 'pods "x" not found' })).toMatchObject({ code: 'NOT_FOUND', cluster: 'm3' });
    expect(toClusterError('m4', new UpstreamError('slow', 0, { timedOut: true })).code).toBe('UPSTREAM_TIMEOUT');
    expect(toClusterError('m5', new UpstreamError('x', 404), 'API_NOT_SERVED').code).toBe('API_NOT_SERVED');
  });
});
