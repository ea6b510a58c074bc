import { describe, expect, it } from 'vitest';
import { API_NOT_SERVED, classify, countsAgainstMember, toClusterError, UpstreamError } from './UpstreamError.js';

const status = (code: number, reason: string, message: string, details?: object) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message, ...(details ? { details } : {}) });

describe('upstream failures as typed cluster errors', () => {
  it('classifies by the Status reason first, then the HTTP status', () => {
    expect(classify(400, 'BadRequest')).toEqual({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_BAD_REQUEST' });
    expect(classify(422, 'Invalid')).toEqual({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_INVALID' });
    expect(classify(422)).toEqual({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_INVALID' });
    expect(classify(404, 'NotFound')).toEqual({ code: 'NOT_FOUND' });
    expect(classify(429, 'TooManyRequests')).toEqual({ code: 'RATE_LIMITED', reason: 'UPSTREAM_THROTTLED' });
    expect(classify(401)).toEqual({ code: 'FORBIDDEN' });
    expect(classify(403, 'Forbidden')).toEqual({ code: 'FORBIDDEN' });
    expect(classify(409, 'Conflict')).toEqual({ code: 'CONFLICT' });
    expect(classify(503, 'ServiceUnavailable')).toEqual({ code: 'CLUSTER_UNAVAILABLE' });
    expect(classify(502)).toEqual({ code: 'CLUSTER_UNAVAILABLE' });
    expect(classify(0)).toEqual({ code: 'CLUSTER_UNAVAILABLE' });
    expect(classify(504)).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(classify(500, 'Timeout')).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    expect(classify(0, undefined, true)).toEqual({ code: 'UPSTREAM_TIMEOUT' });
    // An unknown 4xx is still the request's own.
    expect(classify(418)).toEqual({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_BAD_REQUEST' });
  });

  it('counts only transport failures, 5xx and timeouts against the member', () => {
    for (const s of [0, 500, 502, 503, 504]) expect(countsAgainstMember(classify(s)), String(s)).toBe(true);
    expect(countsAgainstMember(classify(0, undefined, true))).toBe(true);
    for (const s of [400, 401, 403, 404, 409, 410, 422, 429]) expect(countsAgainstMember(classify(s)), String(s)).toBe(false);
  });

  it('summarises an error answer by status, Status reason and the member\'s message, and keeps its details', () => {
    const e = UpstreamError.fromAnswer('GET pods/log ns/p', 400, status(400, 'BadRequest', 'previous terminated container "app" in pod "p" not found'));
    expect(e.message).toBe('GET pods/log ns/p: HTTP 400 BadRequest previous terminated container "app" in pod "p" not found');
    expect(e).toMatchObject({ status: 400, reason: 'BadRequest' });
    expect(toClusterError('m1', e)).toEqual({
      code: 'BAD_USER_INPUT', reason: 'UPSTREAM_BAD_REQUEST', cluster: 'm1', status: 400,
      message: 'm1: GET pods/log ns/p: HTTP 400 BadRequest previous terminated container "app" in pod "p" not found',
    });
    const throttled = UpstreamError.fromAnswer('GET /x', 429, status(429, 'TooManyRequests', 'slow down', { retryAfterSeconds: 3 }));
    expect(throttled.retryAfterSeconds).toBe(3);
    expect(UpstreamError.fromAnswer('GET /x', 429, '', '7').retryAfterSeconds).toBe(7);
  });

  it('never copies a body that is not a Status (proxy pages) into the message', () => {
    const e = UpstreamError.fromAnswer('GET /api', 502, '<html><body>Bad gateway from nginx SECRET</body></html>');
    expect(e.message).toBe('GET /api: HTTP 502');
    expect(toClusterError('m1', e).code).toBe('CLUSTER_UNAVAILABLE');
  });

  it('summarises client-node errors by status only: an ApiException message carries headers and body', () => {
    const apiException = Object.assign(new Error('HTTP-Code: 400\nMessage: Error occurred in log request\nBody: undefined\nHeaders: {"audit-id":"abc","x-secret":"leak"}'), { code: 400, headers: { 'x-secret': 'leak' } });
    const e = toClusterError('m3', apiException);
    expect(e).toEqual({ code: 'BAD_USER_INPUT', reason: 'UPSTREAM_BAD_REQUEST', cluster: 'm3', status: 400, message: 'm3: HTTP 400' });
    expect(toClusterError('m2', Object.assign(new Error('Forbidden'), { statusCode: 403 })).code).toBe('FORBIDDEN');
    expect(toClusterError('m1', new UpstreamError('GET /api: connect ECONNREFUSED', 0))).toEqual({
      code: 'CLUSTER_UNAVAILABLE', cluster: 'm1', message: 'm1: GET /api: connect ECONNREFUSED',
    });
    expect(toClusterError('m4', new UpstreamError('slow', 0, { timedOut: true })).code).toBe('UPSTREAM_TIMEOUT');
    expect(toClusterError('m5', new UpstreamError('x', 404), API_NOT_SERVED)).toMatchObject({ code: 'NOT_FOUND', reason: 'API_NOT_SERVED' });
  });
});
