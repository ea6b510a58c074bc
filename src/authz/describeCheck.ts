/** How refusals name a permission, as `kubectl auth can-i` would ask it. */
import type { ResourceCheck } from './types.js';

/** `list pods in namespace web`, `patch nodes node-1`, `get pods/log shop/web-0`: how refusals name a permission. */
export function describeCheck(check: ResourceCheck): string {
  const resource = `${check.apiGroup ? `${check.resource}.${check.apiGroup}` : check.resource}${check.subresource ? `/${check.subresource}` : ''}`;
  const object = check.name ? ` ${check.namespace ? `${check.namespace}/` : ''}${check.name}` : check.namespace ? ` in namespace ${check.namespace}` : '';
  return `${check.verb} ${resource}${object}`;
}

