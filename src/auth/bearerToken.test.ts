import { describe, expect, it } from 'vitest';
import { bearerToken } from './bearerToken.js';

describe('bearerToken', () => {
  it('reads an Authorization header value', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   xyz  ')).toBe('xyz');
    expect(bearerToken(['Bearer one'])).toBe('one');
  });

  it('refuses what is not one Bearer token', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('abc')).toBeUndefined();
    expect(bearerToken(['Bearer a', 'Bearer b'])).toBeUndefined();
  });

  it('reads a graphql-ws connection_init payload', () => {
    expect(bearerToken({ authorization: 'Bearer t1' })).toBe('t1');
    expect(bearerToken({ Authorization: 'Bearer t2' })).toBe('t2');
    expect(bearerToken({ authorization: 'Bearer t1', Authorization: 'Bearer t2' })).toBe('t1');
    expect(bearerToken({ authorization: 42 })).toBeUndefined();
    expect(bearerToken({ token: 'Bearer t3' })).toBeUndefined();
    expect(bearerToken({})).toBeUndefined();
    expect(bearerToken({ headers: { Authorization: 'Bearer t4' } })).toBe('t4');
    expect(bearerToken({ headers: { headers: { authorization: 'Bearer t5' } } })).toBeUndefined();
    expect(bearerToken({ headers: 'Bearer t6' })).toBeUndefined();
  });
});
