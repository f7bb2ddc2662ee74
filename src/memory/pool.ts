/**
 * The memory database pool and the two helpers every query goes through, so a connection is always
 * released (and thrown away when it may be in a bad state).
 */
import { Pool, type PoolClient, type PoolConfig } from 'pg';

export interface MemoryPoolOptions {
  connectionString: string;
  /** Connections in the pool (default 10). */
  max?: number;
  /** Server-side limit per statement, in ms (default 10 000): a stuck query fails instead of hanging a worker. */
  statementTimeoutMs?: number;
  /** Extra `pg` settings. */
  config?: Omit<PoolConfig, 'connectionString' | 'max'>;
}

/** A pool whose connections carry a statement timeout and drop idle transactions. */
export function createMemoryPool(options: MemoryPoolOptions): Pool {
  const timeout = options.statementTimeoutMs ?? 10_000;
  const pool = new Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    statement_timeout: timeout,
    idle_in_transaction_session_timeout: Math.max(timeout * 3, 30_000),
    connectionTimeoutMillis: 10_000,
    ...options.config,
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/** Runs `fn` with one client, released afterwards; a client that failed mid-use is destroyed. */
export async function withClient<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    broken = isConnectionError(err) ? (err as Error) : undefined;
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Runs `fn` inside BEGIN/COMMIT; any error rolls back (nothing written) and is rethrown. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      broken = rollbackError as Error;
    }
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `fn` with a pool-like object whose every query goes to one client inside one BEGIN/COMMIT, so
 * several writes are all or nothing. Code written against a Pool works unchanged: its own
 * `withTransaction` calls become savepoints of the outer transaction.
 */
export async function inOneTransaction<T>(pool: Pool, fn: (scoped: Pool) => Promise<T>): Promise<T> {
  return withTransaction(pool, async (client) => {
    let depth = 0;
    const nested = async (): Promise<PoolClient> => {
      const name = `nested_${++depth}`;
      const statement: Record<string, string> = {
        BEGIN: `SAVEPOINT ${name}`,
        COMMIT: `RELEASE SAVEPOINT ${name}`,
        ROLLBACK: `ROLLBACK TO SAVEPOINT ${name}`,
      };
      const query = (text: unknown, ...rest: unknown[]) =>
        (client.query as (...args: unknown[]) => unknown)(
          typeof text === 'string' && statement[text] ? statement[text] : text,
          ...rest,
        );
      // release() must not hand the shared client back to the pool.
      return { query, release: () => undefined } as unknown as PoolClient;
    };
    const scoped = {
      query: (client.query as (...args: unknown[]) => unknown).bind(client),
      connect: nested,
    } as unknown as Pool;
    return fn(scoped);
  });
}

/** PostgreSQL error codes the caller may want to match (https://www.postgresql.org/docs/current/errcodes-appendix.html). */
export const PG_CODES = { uniqueViolation: '23505' } as const;

export function pgErrorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function isConnectionError(err: unknown): boolean {
  // pg reports server-side problems with a SQLSTATE code; anything else (socket closed, timeout) leaves
  // the connection unusable.
  return pgErrorCode(err) === undefined || /^(08|57P)/.test(pgErrorCode(err) ?? '');
}
