/**
 * What `--audit-db postgres://…` names: the connection string handed to `pg`, the schema the tables go in
 * (`?schema=<name>`, a fleetgraph parameter PostgreSQL does not know, so it is taken out of the URL), and the
 * URL as it may be logged (password removed).
 */

/** Whether `--audit-db` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

export interface PostgresTarget {
  /** The URL for `pg`, without `schema` and `options` (merged into `options` below). */
  connectionString: string;
  /** The schema named by `?schema=`; null for the database's default schema. */
  schema: string | null;
  /** Server options for every connection: the URL's own `options`, plus the search_path of `schema`. */
  options: string | undefined;
  /** The URL without its password, for logs and errors. */
  redacted: string;
}

/**
 * Schema names accepted in `?schema=`: lower-case unquoted SQL identifiers. Why so narrow: the name is passed
 * in the connection's `-c search_path=` option, where quoting and case folding differ from SQL; a plain
 * lower-case name means the same thing in both places.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL with its password removed; a string that does not parse loses everything between `:` and `@`. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, '@');
  }
}

/** Parses a PostgreSQL URL; throws an Error naming the redacted URL when it is not one fleetgraph can use. */
export function parsePostgresUrl(url: string): PostgresTarget {
  const redacted = redactPostgresUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`${redacted} is not a valid PostgreSQL URL`);
  }
  const schema = u.searchParams.get('schema');
  if (schema !== null && !SCHEMA_NAME.test(schema)) {
    throw new Error(`${redacted}: schema "${schema}" must be a lower-case name of letters, digits and _ (at most 63)`);
  }
  const urlOptions = u.searchParams.get('options');
  u.searchParams.delete('schema');
  u.searchParams.delete('options');
  const options = [urlOptions, schema ? `-c search_path=${schema}` : null].filter(Boolean).join(' ') || undefined;
  return { connectionString: u.toString(), schema, options, redacted };
}
