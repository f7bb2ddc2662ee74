import type { Pool } from 'pg';
import { SpecialistError } from '../../src/errors';
import { MemoryStore, createMemoryPool, migrateMemoryDatabase } from '../../src/memory';
import { startTestPostgres } from '../helpers/postgres';
import type { RunningPostgres } from '../../src/stack/embedded-postgres';

let pg: RunningPostgres;
let pool: Pool;
let store: MemoryStore;

beforeAll(async () => {
  pg = await startTestPostgres();
  pool = createMemoryPool({ connectionString: pg.url, max: 10 });
  await migrateMemoryDatabase(pool);
  store = new MemoryStore(pool, { maxValueBytes: 64 * 1024 });
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await pg?.stop();
}, 60_000);

let counter = 0;
/** A namespace no other test touches. */
function ns(label: string): string {
  counter += 1;
  return `test:${label}:${counter}`;
}

async function rowCounts() {
  const { rows } = await pool.query<{ entries: number; versions: number; audit: number }>(`
    SELECT (SELECT count(*)::int FROM memory_entries) AS entries,
           (SELECT count(*)::int FROM memory_versions) AS versions,
           (SELECT count(*)::int FROM memory_audit) AS audit`);
  return rows[0];
}

/** The error `fn` throws, which must be a SpecialistError of `type`. */
async function failure(fn: () => Promise<unknown>, type: string): Promise<SpecialistError> {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SpecialistError);
  expect((err as SpecialistError).type).toBe(type);
  return err as SpecialistError;
}

const author = 'python-backend-specialist';

describe('memory store', () => {
  it('adds an entry at version 1 and gets it back', async () => {
    const namespace = ns('add');
    const added = await store.add({
      namespace,
      key: 'architecture',
      value: { package: 'taskqueue', layers: ['domain', 'infrastructure'] },
      memoryType: 'semantic',
      metadata: { source: 'spec' },
      createdBy: author,
      taskId: 'task-1',
    });
    expect(added).toMatchObject({ version: 1, replayed: false, memoryType: 'semantic', createdBy: author });
    const got = await store.get({ namespace, key: 'architecture' });
    expect(got).toMatchObject({
      namespace,
      key: 'architecture',
      version: 1,
      value: { package: 'taskqueue', layers: ['domain', 'infrastructure'] },
      metadata: { source: 'spec' },
      taskId: 'task-1',
      deletedAt: null,
    });
    expect(new Date(got.createdAt).getTime()).not.toBeNaN();
  });

  it('keeps every version on update and gets the latest or a given one', async () => {
    const namespace = ns('update');
    await store.add({ namespace, key: 'k', value: { n: 1 }, memoryType: 'episodic', createdBy: author });
    const second = await store.update({ namespace, key: 'k', value: { n: 2 }, updatedBy: 'reviewer' });
    expect(second).toMatchObject({
      version: 2,
      memoryType: 'episodic',
      updatedBy: 'reviewer',
      createdBy: author,
    });
    await store.update({ namespace, key: 'k', value: { n: 3 }, memoryType: 'procedural', updatedBy: author });
    expect((await store.get({ namespace, key: 'k' })).value).toEqual({ n: 3 });
    expect((await store.get({ namespace, key: 'k', version: 1 })).value).toEqual({ n: 1 });
    const history = await store.history({ namespace, key: 'k' });
    expect(history.map((e) => [e.version, e.value.n, e.memoryType])).toEqual([
      [1, 1, 'episodic'],
      [2, 2, 'episodic'],
      [3, 3, 'procedural'],
    ]);
  });

  it('keeps metadata on update unless new metadata is given', async () => {
    const namespace = ns('metadata');
    await store.add({
      namespace,
      key: 'k',
      value: {},
      memoryType: 'semantic',
      metadata: { a: 1 },
      createdBy: author,
    });
    expect(
      (await store.update({ namespace, key: 'k', value: { x: 1 }, updatedBy: author })).metadata,
    ).toEqual({ a: 1 });
    expect(
      (await store.update({ namespace, key: 'k', value: { x: 2 }, metadata: { b: 2 }, updatedBy: author }))
        .metadata,
    ).toEqual({ b: 2 });
  });

  it('soft-deletes: the entry disappears from get and search, its versions stay, and it can be added again', async () => {
    const namespace = ns('delete');
    await store.add({ namespace, key: 'k', value: { n: 1 }, memoryType: 'semantic', createdBy: author });
    await store.update({ namespace, key: 'k', value: { n: 2 }, updatedBy: author });
    const deletion = await store.delete({ namespace, key: 'k', deletedBy: 'cleaner', taskId: 't-9' });
    expect(deletion).toMatchObject({ version: 2, deletedBy: 'cleaner', replayed: false });

    const err = await failure(() => store.get({ namespace, key: 'k' }), 'MemoryNotFound');
    expect(err.message).toContain('was deleted');
    expect(await store.search({ prefix: namespace })).toEqual([]);
    expect(await store.listNamespaces({ prefix: namespace })).toEqual([]);
    expect((await store.get({ namespace, key: 'k', version: 2 })).deletedAt).not.toBeNull();
    await failure(
      () => store.update({ namespace, key: 'k', value: {}, updatedBy: author }),
      'MemoryNotFound',
    );
    await failure(() => store.delete({ namespace, key: 'k', deletedBy: author }), 'MemoryNotFound');

    const again = await store.add({
      namespace,
      key: 'k',
      value: { n: 3 },
      memoryType: 'episodic',
      createdBy: 'b',
    });
    expect(again).toMatchObject({
      version: 3,
      value: { n: 3 },
      createdBy: 'b',
      deletedAt: null,
      replayed: false,
    });
    expect((await store.get({ namespace, key: 'k' })).version).toBe(3);
    expect((await store.history({ namespace, key: 'k' })).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('records every add, update and delete in the audit trail: who, when, which task', async () => {
    const namespace = ns('audit');
    await store.add({ namespace, key: 'k', value: {}, memoryType: 'semantic', createdBy: 'a', taskId: 't1' });
    await store.update({ namespace, key: 'k', value: { x: 1 }, updatedBy: 'b', taskId: 't2' });
    await store.delete({ namespace, key: 'k', deletedBy: 'c', taskId: 't3' });
    const audit = await store.audit({ namespace, key: 'k' });
    expect(audit.map((a) => [a.action, a.version, a.actor, a.taskId])).toEqual([
      ['add', 1, 'a', 't1'],
      ['update', 2, 'b', 't2'],
      ['delete', 2, 'c', 't3'],
    ]);
    expect(audit.every((a) => !Number.isNaN(Date.parse(a.at)))).toBe(true);
  });

  it('searches by namespace prefix and memory type, newest first, up to a limit', async () => {
    const root = ns('search');
    await store.add({
      namespace: `${root}:a`,
      key: 'one',
      value: { i: 1 },
      memoryType: 'semantic',
      createdBy: author,
    });
    await store.add({
      namespace: `${root}:b`,
      key: 'two',
      value: { i: 2 },
      memoryType: 'episodic',
      createdBy: author,
    });
    await store.add({
      namespace: `${root}:b`,
      key: 'three',
      value: { i: 3 },
      memoryType: 'semantic',
      createdBy: author,
    });
    await store.add({
      namespace: `other:${root}`,
      key: 'x',
      value: {},
      memoryType: 'semantic',
      createdBy: author,
    });
    expect((await store.search({ prefix: root })).map((e) => e.key)).toEqual(['three', 'two', 'one']);
    expect((await store.search({ prefix: root, memoryType: 'semantic' })).map((e) => e.key)).toEqual([
      'three',
      'one',
    ]);
    expect((await store.search({ prefix: `${root}:b`, limit: 1 })).map((e) => e.key)).toEqual(['three']);
    await store.update({ namespace: `${root}:a`, key: 'one', value: { i: 10 }, updatedBy: author });
    const [newest] = await store.search({ prefix: root, limit: 1 });
    expect(newest).toMatchObject({ key: 'one', version: 2, value: { i: 10 } });
  });

  it('finds the same entries whether few or many match the prefix (both search plans)', async () => {
    const root = ns('plans');
    for (const [namespace, key, memoryType] of [
      [`${root}:a`, 'one', 'semantic'],
      [`${root}:a`, 'two', 'episodic'],
      [`${root}:b`, 'three', 'semantic'],
      [`${root}:b`, 'four', 'semantic'],
    ] as const)
      await store.add({ namespace, key, value: {}, memoryType, createdBy: author });
    const manyPlan = new MemoryStore(pool, { searchSortThreshold: 2 });
    for (const query of [
      { prefix: root },
      { prefix: root, limit: 2 },
      { prefix: `${root}:a` },
      { prefix: root, memoryType: 'semantic' as const },
      { prefix: `${root}:b`, memoryType: 'episodic' as const },
    ]) {
      const keys = async (s: MemoryStore) => (await s.search(query)).map((e) => e.key);
      expect(await keys(manyPlan)).toEqual(await keys(store));
    }
    expect((await store.search({ prefix: root })).map((e) => e.key)).toEqual(['four', 'three', 'two', 'one']);
  });

  it('matches % and _ in a search prefix literally', async () => {
    const root = ns('literal');
    await store.add({
      namespace: `${root}:a_b`,
      key: 'k',
      value: {},
      memoryType: 'semantic',
      createdBy: author,
    });
    await store.add({
      namespace: `${root}:axb`,
      key: 'k',
      value: {},
      memoryType: 'semantic',
      createdBy: author,
    });
    expect((await store.search({ prefix: `${root}:a_` })).map((e) => e.namespace)).toEqual([`${root}:a_b`]);
    expect(await store.search({ prefix: `${root}:%` })).toEqual([]);
    expect(await store.search({ prefix: '%' })).toEqual([]);
    expect(await store.search({ prefix: `${root}:a\\` })).toEqual([]);
    expect((await store.listNamespaces({ prefix: `${root}:a_` })).map((n) => n.namespace)).toEqual([
      `${root}:a_b`,
    ]);
  });

  it('lists namespaces with their live entry counts', async () => {
    const root = ns('namespaces');
    await store.add({
      namespace: `${root}:x`,
      key: 'a',
      value: {},
      memoryType: 'semantic',
      createdBy: author,
    });
    await store.add({
      namespace: `${root}:x`,
      key: 'b',
      value: {},
      memoryType: 'semantic',
      createdBy: author,
    });
    await store.add({
      namespace: `${root}:y`,
      key: 'a',
      value: {},
      memoryType: 'semantic',
      createdBy: author,
    });
    await store.delete({ namespace: `${root}:y`, key: 'a', deletedBy: author });
    expect((await store.listNamespaces({ prefix: root })).map((n) => [n.namespace, n.entries])).toEqual([
      [`${root}:x`, 2],
    ]);
  });

  it('gives 50 concurrent updates of one key 50 distinct versions, none lost', async () => {
    const namespace = ns('concurrent');
    await store.add({ namespace, key: 'k', value: { i: 0 }, memoryType: 'semantic', createdBy: author });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.update({ namespace, key: 'k', value: { i: i + 1 }, updatedBy: `writer-${i}` }),
      ),
    );
    const versions = results.map((r) => r.version).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
    const history = await store.history({ namespace, key: 'k' });
    expect(history).toHaveLength(51);
    expect(new Set(history.map((e) => e.value.i)).size).toBe(51);
    expect((await store.get({ namespace, key: 'k' })).version).toBe(51);
  });

  describe('idempotency', () => {
    it('leaves one version when an add is repeated with its idempotency key', async () => {
      const namespace = ns('idem-add');
      const write = {
        namespace,
        key: 'k',
        value: { a: 1 },
        memoryType: 'semantic' as const,
        createdBy: author,
      };
      const first = await store.add({ ...write, idempotencyKey: 'wf-1:run:act-1' });
      const again = await store.add({ ...write, idempotencyKey: 'wf-1:run:act-1' });
      expect(first.replayed).toBe(false);
      expect(again).toMatchObject({ version: 1, replayed: true });
      expect(await store.history({ namespace, key: 'k' })).toHaveLength(1);
      await failure(() => store.add({ ...write, idempotencyKey: 'wf-2:run:act-1' }), 'MemoryConflict');
    });

    it('leaves one version when an update is repeated with its idempotency key, even concurrently', async () => {
      const namespace = ns('idem-update');
      await store.add({ namespace, key: 'k', value: {}, memoryType: 'semantic', createdBy: author });
      const update = {
        namespace,
        key: 'k',
        value: { b: 2 },
        updatedBy: author,
        idempotencyKey: 'wf-1:act-2',
      };
      const attempts = await Promise.all(Array.from({ length: 5 }, () => store.update(update)));
      expect(attempts.map((a) => a.version)).toEqual([2, 2, 2, 2, 2]);
      expect(attempts.filter((a) => !a.replayed)).toHaveLength(1);
      await store.update({ ...update, idempotencyKey: 'wf-1:act-3' });
      expect((await store.update(update)).version).toBe(2);
      expect((await store.history({ namespace, key: 'k' })).map((e) => e.version)).toEqual([1, 2, 3]);
      const audit = await store.audit({ namespace, key: 'k' });
      expect(audit).toHaveLength(3);
    });

    it('succeeds again when a delete is repeated with its idempotency key', async () => {
      const namespace = ns('idem-delete');
      await store.add({ namespace, key: 'k', value: {}, memoryType: 'semantic', createdBy: author });
      const first = await store.delete({ namespace, key: 'k', deletedBy: author, idempotencyKey: 'wf:del' });
      const again = await store.delete({ namespace, key: 'k', deletedBy: author, idempotencyKey: 'wf:del' });
      expect(again).toMatchObject({ version: first.version, deletedAt: first.deletedAt, replayed: true });
      expect((await store.audit({ namespace, key: 'k' })).filter((a) => a.action === 'delete')).toHaveLength(
        1,
      );
    });
  });

  describe('errors are clear and write nothing', () => {
    const valid = () => ({
      namespace: 'task:errors:specs',
      key: 'architecture',
      value: { ok: true } as Record<string, unknown>,
      memoryType: 'semantic' as const,
      createdBy: author,
    });

    async function rejectsWithoutWriting(input: unknown, type: string, mentions: string[]) {
      const before = await rowCounts();
      const err = await failure(() => store.add(input as never), type);
      for (const text of mentions) expect(err.message).toContain(text);
      expect(await rowCounts()).toEqual(before);
    }

    it('refuses to add a key that exists', async () => {
      await store.add(valid());
      const err = await failure(() => store.add(valid()), 'MemoryConflict');
      expect(err.message).toBe(
        'memory add task:errors:specs/architecture: the key already exists (version 1); use update to write a new version',
      );
      const before = await rowCounts();
      await failure(() => store.add(valid()), 'MemoryConflict');
      expect(await rowCounts()).toEqual(before);
    });

    it('reports a missing key and a missing version', async () => {
      const missing = await failure(
        () => store.get({ namespace: 'task:none', key: 'nothing' }),
        'MemoryNotFound',
      );
      expect(missing.message).toBe('memory get task:none/nothing: no such entry');
      const namespace = ns('missing-version');
      await store.add({ namespace, key: 'k', value: {}, memoryType: 'semantic', createdBy: author });
      const version = await failure(() => store.get({ namespace, key: 'k', version: 7 }), 'MemoryNotFound');
      expect(version.message).toContain('no version 7 (the entry has versions 1 to 1)');
      await failure(() => store.history({ namespace: 'task:none', key: 'nothing' }), 'MemoryNotFound');
      await failure(
        () => store.update({ namespace: 'task:none', key: 'nothing', value: {}, updatedBy: author }),
        'MemoryNotFound',
      );
    });

    it.each([
      ['an empty segment', 'task::specs'],
      ['a trailing colon', 'task:'],
      ['a space', 'task one'],
      ['an empty namespace', ''],
    ])('rejects a namespace with %s', async (_label, namespace) => {
      await rejectsWithoutWriting({ ...valid(), namespace }, 'MemoryInvalid', [
        'namespace must be',
        'task:abc123',
      ]);
    });

    it('rejects an unknown memory type', async () => {
      await rejectsWithoutWriting({ ...valid(), memoryType: 'working' }, 'MemoryInvalid', [
        'memoryType must be one of semantic, episodic, procedural, got "working"',
      ]);
    });

    it.each([
      ['an array', [1, 2]],
      ['a string', 'text'],
      ['null', null],
      ['a number', 3],
    ])('rejects a value that is %s', async (_label, value) => {
      await rejectsWithoutWriting({ ...valid(), value }, 'MemoryInvalid', ['value must be a JSON object']);
    });

    it('rejects an oversized value, naming its size and the limit', async () => {
      const big = { text: 'x'.repeat(70 * 1024) };
      await rejectsWithoutWriting({ ...valid(), key: 'big', value: big }, 'MemoryInvalid', [
        'memory add task:errors:specs/big: value is 71691 bytes as JSON, more than the limit of 65536 bytes',
      ]);
      const namespace = ns('oversized-update');
      await store.add({ namespace, key: 'k', value: {}, memoryType: 'semantic', createdBy: author });
      const before = await rowCounts();
      await failure(
        () => store.update({ namespace, key: 'k', value: big, updatedBy: author }),
        'MemoryInvalid',
      );
      expect(await rowCounts()).toEqual(before);
    });

    it('uses a 1 MiB limit by default', async () => {
      const defaults = new MemoryStore(pool);
      const err = await failure(
        () => defaults.add({ ...valid(), key: 'huge', value: { text: 'y'.repeat(1024 * 1024) } }),
        'MemoryInvalid',
      );
      expect(err.message).toContain('more than the limit of 1048576 bytes');
    });

    it('rejects NUL characters, which PostgreSQL cannot store', async () => {
      await rejectsWithoutWriting({ ...valid(), key: 'nul', value: { s: 'a\u0000b' } }, 'MemoryInvalid', [
        'NUL',
      ]);
    });

    const injection = `x'; DROP TABLE memory_entries; --`;
    it.each([
      ['namespace', { namespace: injection }],
      ['key', { key: injection }],
      ['memoryType', { memoryType: injection }],
      ['createdBy', { createdBy: injection }],
      ['taskId', { taskId: injection }],
      ['idempotencyKey', { idempotencyKey: injection }],
      ['metadata', { metadata: injection }],
      ['value', { value: injection }],
    ])('rejects SQL metacharacters in %s', async (field, change) => {
      await rejectsWithoutWriting({ ...valid(), key: 'sql', ...change }, 'MemoryInvalid', [
        `${field} must be`,
      ]);
    });

    it('stores SQL metacharacters inside a value verbatim', async () => {
      const namespace = ns('verbatim');
      const value = { text: injection, quote: '\'"`;\\', like: '%_' };
      await store.add({
        namespace,
        key: 'k',
        value,
        memoryType: 'semantic',
        metadata: { note: injection },
        createdBy: author,
      });
      expect(await store.get({ namespace, key: 'k' })).toMatchObject({
        value,
        metadata: { note: injection },
      });
      expect(await rowCounts()).toMatchObject({ entries: expect.any(Number) });
    });

    it('rejects bad fields of the other operations', async () => {
      await failure(() => store.get({ namespace: 'task:x', key: 'k', version: 0 }), 'MemoryInvalid');
      await failure(() => store.search({ limit: 0 }), 'MemoryInvalid');
      await failure(() => store.search({ memoryType: 'nope' as never }), 'MemoryInvalid');
      await failure(
        () => store.delete({ namespace: 'task:x', key: "'", deletedBy: author }),
        'MemoryInvalid',
      );
      await failure(() => store.add({ ...valid(), extra: 1 } as never), 'MemoryInvalid');
    });
  });
});
