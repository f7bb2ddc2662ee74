import { ConfigError, parseEnv, redactUrl } from '../../src/config/env';

describe('parseEnv', () => {
  it('fills the defaults when nothing is set', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'python-backend-specialist',
      SPECIALIST_TEMPORAL_PORT: 7233,
      SPECIALIST_UI_PORT: 8233,
      SPECIALIST_PG_PORT: 54329,
    });
    expect(env.TEMPORAL_ADDRESS).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    const env = parseEnv({ TEMPORAL_ADDRESS: '', DATABASE_URL: ' ', SPECIALIST_UI_PORT: '' });
    expect(env.TEMPORAL_ADDRESS).toBeUndefined();
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SPECIALIST_UI_PORT).toBe(8233);
  });

  it('reads the variables it knows and ignores the others', () => {
    const env = parseEnv({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'features',
      DATABASE_URL: 'postgresql://u:p@db:5432/memory',
      SPECIALIST_PG_PORT: '6543',
      HOME: '/root',
    });
    expect(env).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'features',
      DATABASE_URL: 'postgresql://u:p@db:5432/memory',
      SPECIALIST_PG_PORT: 6543,
    });
    expect(env).not.toHaveProperty('HOME');
  });

  it('reads SPECIALIST_WORKER_TIMEOUT as whole seconds and refuses anything else', () => {
    expect(parseEnv({}).SPECIALIST_WORKER_TIMEOUT).toBeUndefined();
    expect(parseEnv({ SPECIALIST_WORKER_TIMEOUT: ' 10 ' }).SPECIALIST_WORKER_TIMEOUT).toBe(10);
    for (const bad of ['0', '1.5', '5m', '-3'])
      expect(() => parseEnv({ SPECIALIST_WORKER_TIMEOUT: bad })).toThrow(/SPECIALIST_WORKER_TIMEOUT/);
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      parseEnv({
        TEMPORAL_ADDRESS: 'http://x',
        DATABASE_URL: 'mysql://a',
        SPECIALIST_PG_PORT: '70000',
        SPECIALIST_UI_PORT: 'abc',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['TEMPORAL_ADDRESS', 'DATABASE_URL', 'SPECIALIST_PG_PORT', 'SPECIALIST_UI_PORT']) {
      expect(problems).toContain(name);
    }
  });

  it('never repeats a bad value, which may hold a password', () => {
    expect(() => parseEnv({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cret') }),
    );
  });
});

describe('redactUrl', () => {
  it('hides the password of a connection URL', () => {
    expect(redactUrl('postgres://me:s3cret@db:5432/x')).toBe('postgres://me:***@db:5432/x');
  });

  it('leaves a URL without password as it is', () => {
    expect(redactUrl('postgres://db:5432/x')).toBe('postgres://db:5432/x');
  });
});
