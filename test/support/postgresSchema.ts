/**
 * A fresh PostgreSQL schema per test on the machine's server (127.0.0.1:5432, user postgres, trust auth, or
 * FLEETGRAPH_TEST_POSTGRES_URL): the URL the audit store is given (`?schema=fg_test_<random>`), a `pg` client on
 * that schema for reading rows back directly (never through the store under test), and `drop()` removing the
 * schema and everything in it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env['FLEETGRAPH_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestSchema {
  name: string;
  /** The store's URL: POSTGRES_URL with `?schema=<name>`. */
  url: string;
  /** Rows of `sql`, run with search_path on the schema. */
  rows<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export function freshSchema(): TestSchema {
  const name = `fg_test_${randomBytes(5).toString('hex')}`;
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${name}`;
  let client: pg.Client | undefined;
  const connected = async () => {
    if (!client) {
      client = new pg.Client({ connectionString: POSTGRES_URL, options: `-c search_path=${name}`, connectionTimeoutMillis: 5_000 });
      client.on('error', () => undefined);
      await client.connect();
    }
    return client;
  };
  return {
    name,
    url,
    async rows(sql, params = []) {
      return (await (await connected()).query(sql, params)).rows;
    },
    async drop() {
      const c = await connected();
      await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await c.end();
      client = undefined;
    },
  };
}

/** A URL on which nothing listens (a port just closed), for the unreachable-database paths. */
export async function closedPortUrl(schema = 'fg_unreachable'): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `postgres://postgres:secret@127.0.0.1:${port}/postgres?schema=${schema}`;
}
