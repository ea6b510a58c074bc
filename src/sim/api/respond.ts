/**
 * Writing answers: JSON or YAML bodies with the headers the recorded server sends, Status errors,
 * and large lists streamed in chunks so that a 300,000-pod list never becomes one giant string.
 */
import type { ServerResponse } from 'node:http';
import yaml from 'js-yaml';
import { ApiError } from '../cluster/ApiError.js';
import type { OutputFormat } from './mediaTypes.js';
import { knownJson } from './encodedObjects.js';

const BASE_HEADERS = { 'Cache-Control': 'no-cache, private' };

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.destroyed) return;
  // A write's answer is the version its watchers were just sent: reuse that encoding.
  const text = knownJson(body) ?? JSON.stringify(body);
  res.writeHead(code, { ...BASE_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendBody(res: ServerResponse, code: number, body: unknown, format: OutputFormat, headers: Record<string, string | string[]> = {}): void {
  if (format.type === 'yaml') {
    if (res.headersSent || res.destroyed) return;
    const text = yaml.dump(body, { lineWidth: -1, sortKeys: true, noRefs: true });
    res.writeHead(code, { ...BASE_HEADERS, 'Content-Type': 'application/yaml', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
    return;
  }
  sendJson(res, code, body, headers);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof ApiError) {
    const extra: Record<string, string> = err.code === 403 || err.code === 401 ? { 'X-Content-Type-Options': 'nosniff' } : {};
    if (err.code === 401) delete extra['X-Content-Type-Options'];
    sendJson(res, err.code, err.toStatus(), extra);
    return;
  }
  console.error('[sim api] internal error:', err);
  sendJson(res, 500, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err instanceof Error ? err.message : String(err),
    reason: 'InternalError',
    code: 500,
  });
}

/**
 * A list body (`{kind, apiVersion, metadata, items}`), written in chunks. `head` holds every member
 * except items, in order; items are serialised one by one.
 */
export function sendList(
  res: ServerResponse,
  head: Record<string, unknown>,
  items: unknown[],
  format: OutputFormat,
  headers: Record<string, string> = {},
): void {
  if (format.type === 'yaml' || items.length < 200) {
    sendBody(res, 200, { ...head, items }, format, headers);
    return;
  }
  res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'application/json', ...headers });
  const headText = JSON.stringify(head);
  res.write(`${headText.slice(0, -1)},"items":[`);
  let buf: string[] = [];
  let first = true;
  const flush = (): void => {
    if (!buf.length) return;
    res.write((first ? '' : ',') + buf.join(','));
    first = false;
    buf = [];
  };
  for (const item of items) {
    buf.push(JSON.stringify(item));
    if (buf.length >= 500) flush();
  }
  flush();
  res.end(']}');
}
