/**
 * The throughput yardstick: a bare Apollo Server 5 on node:http answering a trivial query, with the
 * same HTTP plumbing the gateway uses (executeHTTPGraphQLRequest), run as its own process like the
 * gateway. Prints `listening <port>` once ready. Started and stopped by the bench only.
 */
import http from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';

// The same small query the gateway answers (`cluster(name) { name health { ready } }`), resolved from
// constants: what is left is Apollo's own cost per request.
const server = new ApolloServer({
  typeDefs: 'type Health { ready: Boolean! } type Cluster { name: String! health: Health! } type Query { cluster(name: String!): Cluster }',
  resolvers: { Query: { cluster: (_, a) => ({ name: a.name, health: { ready: true } }) } },
  plugins: [ApolloServerPluginLandingPageDisabled()],
});
await server.start();

const httpServer = http.createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const text = Buffer.concat(chunks).toString('utf8');
  const result = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: text ? JSON.parse(text) : undefined },
    context: async () => ({}),
  });
  res.statusCode = result.status ?? 200;
  for (const [k, v] of result.headers) res.setHeader(k, v);
  if (result.body.kind === 'complete') res.end(result.body.string);
  else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
});
httpServer.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const addr = httpServer.address();
  console.log(`listening ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
const stop = () => httpServer.close(() => server.stop().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
