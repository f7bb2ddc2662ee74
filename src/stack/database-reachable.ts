/**
 * Before a command writes to memory: is its PostgreSQL there? When not, one line naming the database
 * (URL without its password, host:port) and how to get one, instead of a bare `connect ECONNREFUSED`.
 */
import { Client } from 'pg';
import { CliError } from '../client/cli-error';
import { redactUrl } from '../config/env';

/** `host:port` of a PostgreSQL URL (port 5432 when the URL gives none). */
export function databaseAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return 'an unparseable address';
  }
}

/** The one-line message for a database that did not answer. */
export function unreachableDatabaseMessage(url: string, reason: string): string {
  return (
    `PostgreSQL at ${databaseAddress(url)} (${redactUrl(url)}) cannot be reached: ${reason}. ` +
    'Start the local stack with `specialist dev`, or set DATABASE_URL to a running PostgreSQL.'
  );
}

/** Connects once (`SELECT 1`); throws a CliError (exit 2) with `unreachableDatabaseMessage` when that fails. */
export async function requireReachableDatabase(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0] || String(err);
    throw new CliError(unreachableDatabaseMessage(url, reason));
  } finally {
    await client.end().catch(() => undefined);
  }
}
