import { describe, expect, it } from 'vitest';
import { parseApiPath } from '../api/resourcePath.js';
import { requestAttributes } from './requestAttributes.js';

const user = { name: 'u', groups: [] };
function attrs(method: string, url: string): Record<string, unknown> {
  const u = new URL(url, 'https://x');
  const { user: _u, ...rest } = requestAttributes(user, method, u.pathname, parseApiPath(u.pathname), u.searchParams);
  return rest;
}

describe('request attributes as kube RequestInfoFactory derives them', () => {
  it('maps methods and collections to verbs', () => {
    expect(attrs('GET', '/api/v1/namespaces/shop/pods')).toMatchObject({ verb: 'list', resource: 'pods', namespace: 'shop' });
    expect(attrs('GET', '/api/v1/namespaces/shop/pods?watch=1')).toMatchObject({ verb: 'watch' });
    expect(attrs('GET', '/api/v1/namespaces/shop/pods?watch=false')).toMatchObject({ verb: 'list' });
    expect(attrs('GET', '/api/v1/watch/namespaces/shop/pods')).toMatchObject({ verb: 'watch', resource: 'pods', namespace: 'shop' });
    expect(attrs('GET', '/api/v1/namespaces/shop/pods/p')).toMatchObject({ verb: 'get', name: 'p' });
    expect(attrs('POST', '/api/v1/namespaces/shop/pods')).toMatchObject({ verb: 'create' });
    expect(attrs('PUT', '/api/v1/namespaces/shop/pods/p')).toMatchObject({ verb: 'update' });
    expect(attrs('PATCH', '/apis/apps/v1/namespaces/shop/deployments/d/scale')).toEqual({
      resourceRequest: true, verb: 'patch', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale', name: 'd', namespace: 'shop',
    });
    expect(attrs('DELETE', '/api/v1/namespaces/shop/pods/p')).toMatchObject({ verb: 'delete' });
    expect(attrs('DELETE', '/api/v1/namespaces/shop/pods')).toMatchObject({ verb: 'deletecollection' });
    expect(attrs('POST', '/api/v1/namespaces/shop/pods/p/eviction')).toMatchObject({ verb: 'create', subresource: 'eviction', name: 'p' });
    expect(attrs('POST', '/api/v1/namespaces/shop/pods/p/exec?command=ls')).toMatchObject({ verb: 'create', subresource: 'exec' });
  });

  it('names the object of a metadata.name field selector, and a namespace is in itself', () => {
    expect(attrs('GET', '/api/v1/namespaces/shop/pods?watch=true&fieldSelector=metadata.name%3Dweb-1')).toMatchObject({ verb: 'watch', name: 'web-1' });
    expect(attrs('GET', '/api/v1/namespaces/shop')).toMatchObject({ verb: 'get', resource: 'namespaces', name: 'shop', namespace: 'shop' });
    expect(attrs('GET', '/api/v1/nodes')).not.toHaveProperty('namespace');
  });

  it('treats discovery and other paths as non-resource requests with the lower-case method', () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/healthz', '/openapi/v2', '/metrics', '/.well-known/openid-configuration']) {
      expect(attrs('GET', p)).toEqual({ resourceRequest: false, verb: 'get', path: p });
    }
    expect(attrs('POST', '/metrics')).toEqual({ resourceRequest: false, verb: 'post', path: '/metrics' });
  });
});
