import { blockedEntries, dependentsOf, orderPlan, planFinished, readyEntries } from '../../src/dag/plan-dag';
import { SpecialistError } from '../../src/errors';
import { DEFAULT_PLAN } from '../../src/spec/feature-spec';

const entry = (name: string, ...prerequisites: string[]) => ({ name, prerequisites });

describe('the prerequisite DAG', () => {
  it('orders the default plan as the six phases in their reference order', () => {
    expect(orderPlan(DEFAULT_PLAN).map((e) => e.name)).toEqual([
      'domain_model',
      'database_migration',
      'service_layer',
      'api_layer',
      'serialization',
      'testing_validation',
    ]);
  });

  it('moves an entry after its prerequisite even when the plan lists it first', () => {
    const plan = [entry('b', 'a'), entry('a'), entry('c')];
    expect(orderPlan(plan).map((e) => e.name)).toEqual(['a', 'b', 'c']);
  });

  it('starts with only the model phase ready', () => {
    expect(readyEntries(DEFAULT_PLAN, {}).map((e) => e.name)).toEqual(['domain_model']);
  });

  it('blocks the migration until the model phase completed', () => {
    expect(readyEntries(DEFAULT_PLAN, { domain_model: 'running' }).map((e) => e.name)).toEqual([]);
    expect(readyEntries(DEFAULT_PLAN, { domain_model: 'completed' }).map((e) => e.name)).toEqual([
      'database_migration',
    ]);
  });

  it('lets dependents of a skipped phase go on', () => {
    expect(readyEntries(DEFAULT_PLAN, { domain_model: 'skipped' }).map((e) => e.name)).toEqual([
      'database_migration',
    ]);
  });

  it('offers independent entries together, in plan order', () => {
    const plan = [entry('a'), entry('b'), entry('c', 'a', 'b')];
    expect(readyEntries(plan, {}).map((e) => e.name)).toEqual(['a', 'b']);
    expect(readyEntries(plan, { a: 'completed' }).map((e) => e.name)).toEqual(['b']);
  });

  it('blocks every phase downstream of a failed one, naming the failure', () => {
    const blocked = blockedEntries(DEFAULT_PLAN, { domain_model: 'completed', database_migration: 'failed' });
    expect(blocked).toEqual({
      service_layer: ['database_migration'],
      api_layer: ['database_migration'],
      serialization: ['database_migration'],
      testing_validation: ['database_migration'],
    });
  });

  it('does not block a branch that does not depend on the failure', () => {
    const plan = [entry('a'), entry('b'), entry('c', 'a')];
    expect(blockedEntries(plan, { a: 'failed' })).toEqual({ c: ['a'] });
    expect(readyEntries(plan, { a: 'failed' }).map((e) => e.name)).toEqual(['b']);
  });

  it('rejects a cycle as a spec error naming the phases in it', () => {
    const plan = [entry('a', 'c'), entry('b', 'a'), entry('c', 'b'), entry('d')];
    expect(() => orderPlan(plan)).toThrow(SpecialistError);
    try {
      orderPlan(plan);
    } catch (err) {
      expect((err as SpecialistError).type).toBe('SpecInvalid');
      expect((err as Error).message).toMatch(/cycle \((a|b|c) -> (a|b|c) -> (a|b|c) -> (a|b|c)\)/);
    }
  });

  it('rejects a phase that needs itself or an unknown phase', () => {
    expect(() => orderPlan([entry('a', 'a')])).toThrow(/lists itself/);
    expect(() => orderPlan([entry('a', 'zzz')])).toThrow(/"zzz", which is not a phase/);
  });

  it('is finished only when every entry completed or was skipped', () => {
    const plan = [entry('a'), entry('b', 'a')];
    expect(planFinished(plan, { a: 'completed', b: 'skipped' })).toBe(true);
    expect(planFinished(plan, { a: 'completed', b: 'failed' })).toBe(false);
  });

  it('lists the dependents of a phase transitively', () => {
    expect(dependentsOf(DEFAULT_PLAN, 'api_layer')).toEqual(['serialization', 'testing_validation']);
  });
});
