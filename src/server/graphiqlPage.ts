/**
 * GraphiQL served from the project's own node_modules (graphiql 3 UMD + React 18 UMD): no CDN, works
 * offline. GET /graphql from a browser (Accept: text/html, no `query`) gets the page; its assets are under
 * /graphiql/. It opens with a runnable example query.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** Asset name → file and content type. Resolved once; read lazily and kept. */
const ASSETS: Record<string, { file: () => string; type: string }> = {
  'graphiql.min.js': { file: () => join(packageDir('graphiql'), 'graphiql.min.js'), type: 'application/javascript; charset=utf-8' },
  'graphiql.min.css': { file: () => join(packageDir('graphiql'), 'graphiql.min.css'), type: 'text/css; charset=utf-8' },
  'react.production.min.js': { file: () => join(packageDir('react'), 'umd', 'react.production.min.js'), type: 'application/javascript; charset=utf-8' },
  'react-dom.production.min.js': { file: () => join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'), type: 'application/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** The asset under /graphiql/<name>, or undefined. */
export function graphiqlAsset(name: string): { body: Buffer; type: string } | undefined {
  const asset = ASSETS[name];
  if (!asset) return undefined;
  let body = cache.get(name);
  if (!body) cache.set(name, (body = readFileSync(asset.file())));
  return { body, type: asset.type };
}

export const EXAMPLE_QUERY = `# fleetgraph: one GraphQL endpoint for the whole Karmada fleet.
# Press the run button (or Ctrl-Enter) to run this query.
query FleetOverview {
  fleet {
    clusters { total ready }
    nodes { total ready cordoned }
    pods { total byPhase { phase count } }
  }
  clusters(first: 10) {
    totalCount
    edges {
      node {
        name
        provider
        region
        health { ready readyCondition { reason } }
        nodes { totalCount }
        pods { totalCount }
      }
    }
  }
}
`;

/** Whether a GET request is a browser asking for the page rather than a GraphQL GET. */
export function wantsGraphiql(method: string | undefined, accept: string | undefined, search: string): boolean {
  if (method !== 'GET') return false;
  if (new URLSearchParams(search).has('query')) return false;
  return (accept ?? '').includes('text/html');
}

export function graphiqlHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fleetgraph · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script>
  const url = new URL('/graphql', window.location.href);
  const subscriptionUrl = new URL('/graphql', window.location.href);
  subscriptionUrl.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const fetcher = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: subscriptionUrl.href });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher, defaultQuery: ${JSON.stringify(EXAMPLE_QUERY)}, defaultEditorToolsVisibility: true }),
  );
</script>
</body>
</html>
`;
}
