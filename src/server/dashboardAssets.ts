/**
 * The fleet dashboard (ui/, built by Vite into dist-ui/ by `npm run build:ui`) served at /ui like GraphiQL's
 * assets: from the gateway's own files, no CDN. /ui and /ui/ answer index.html (never cached: it names the
 * current hashed assets), /ui/assets/<hashed name> answers with a year-long immutable cache, anything else
 * under /ui/ that is not a built file is 404. Without dist-ui (the UI was never built) /ui answers a 503 page
 * that says how to build it. The page holds no data and stays public; its GraphQL calls carry the user's token.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist-ui/ at the project's root: from src/server (tests) and dist/server (built) alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist-ui/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface DashboardResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Hashed assets read once and kept (their names change with their content); keyed by absolute path. */
const cache = new Map<string, Buffer>();

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fleetgraph · dashboard not built</title></head>
<body><main><h1>The dashboard is not built</h1>
<p>This gateway has no <code>dist-ui/</code>. Run <code>npm run build:ui</code> (or <code>npm install</code>,
which builds it) in the project's folder, then reload this page. The GraphQL API at
<a href="/graphql">/graphql</a> works without it.</p></main></body></html>
`;

/**
 * The answer for a GET/HEAD of `pathname` (which starts with /ui), or undefined when the path is not the
 * dashboard's (e.g. /uifoo).
 */
export function dashboardResponse(pathname: string, dir: string = DASHBOARD_DIR): DashboardResponse | undefined {
  if (pathname !== '/ui' && !pathname.startsWith('/ui/')) return undefined;
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    return { status: 503, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '60' }, body: NOT_BUILT };
  }
  const rest = pathname === '/ui' ? '' : pathname.slice('/ui/'.length);
  if (rest === '' || rest === 'index.html') {
    return { status: 200, headers: { 'content-type': TYPES['.html']!, 'cache-control': 'no-cache' }, body: readFileSync(index) };
  }
  let name: string;
  try {
    name = decodeURIComponent(rest);
  } catch {
    return notFound();
  }
  // Only files inside dir, never a folder, never a dot file, never a way out.
  const file = normalize(join(dir, name));
  if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep) || name.split('/').some((p) => p.startsWith('.') || p === '')) return notFound();
  const type = TYPES[extname(file)];
  if (!type) return notFound();
  const hashed = name.startsWith('assets/');
  let body = hashed ? cache.get(file) : undefined;
  if (!body) {
    try {
      if (!statSync(file).isFile()) return notFound();
      body = readFileSync(file);
    } catch {
      return notFound();
    }
    if (hashed) cache.set(file, body);
  }
  return {
    status: 200,
    headers: { 'content-type': type, 'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'public, max-age=3600', 'x-content-type-options': 'nosniff' },
    body,
  };
}

function notFound(): DashboardResponse {
  return { status: 404, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }, body: JSON.stringify({ error: 'not found' }) };
}
