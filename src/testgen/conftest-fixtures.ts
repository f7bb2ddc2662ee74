/**
 * The project's conftest fixtures, read from their source: what each one provides (the object it
 * returns or yields) and whether it is safe to reuse — a fixture that opens the project's database
 * must give it a temporary file (`tmp_path`, `tempfile`, `:memory:`), not rely on the constructor's
 * default, which in real projects is the user's own data file.
 */
import { findAll, parsePython, stringValue, type SyntaxNode } from '../python-syntax/parse';

/** How the project's database is opened: the callee and where its path goes. */
export interface DbOpener {
  callee: string;
  pathParam: string;
  pathIndex: number;
}

interface FixtureDef {
  name: string;
  params: string[];
  body: SyntaxNode;
}

/** Names whose presence in an expression makes it a temporary location. */
const TEMP_NAMES = new Set([
  'tmp_path',
  'tmpdir',
  'tmp_path_factory',
  'tmpdir_factory',
  'tempfile',
  'mkdtemp',
  'mkstemp',
  'TemporaryDirectory',
  'NamedTemporaryFile',
  'gettempdir',
]);

function fixtureDefs(text: string): FixtureDef[] {
  const defs: FixtureDef[] = [];
  for (const dec of findAll(parsePython(text).rootNode, 'decorated_definition')) {
    if (!dec.namedChildren.some((d) => d.type === 'decorator' && /\bfixture\b/.test(d.text))) continue;
    const def = dec.childForFieldName('definition');
    const name = def?.childForFieldName('name')?.text;
    const body = def?.childForFieldName('body');
    if (!def || !name || !body) continue;
    const params = (def.childForFieldName('parameters')?.namedChildren ?? [])
      .map((p) => (p.type === 'identifier' ? p : (p.namedChildren.find((c) => c.type === 'identifier') ?? p)))
      .map((p) => p.text);
    defs.push({ name, params, body });
  }
  return defs;
}

/** Nodes of `body` outside nested functions (they have their own names). */
function own(body: SyntaxNode, type: string): SyntaxNode[] {
  return findAll(body, type).filter((n) => {
    for (let p = n.parent; p && p !== body; p = p.parent) if (p.type === 'function_definition') return false;
    return true;
  });
}

/** Right-hand sides assigned to `name` in the body. */
function assigned(body: SyntaxNode, name: string): SyntaxNode[] {
  return own(body, 'assignment')
    .filter((a) => a.childForFieldName('left')?.text === name)
    .map((a) => a.childForFieldName('right'))
    .filter((r): r is SyntaxNode => r !== null);
}

const unwrapAwait = (node: SyntaxNode): SyntaxNode =>
  node.type === 'await' && node.namedChildren[0] ? unwrapAwait(node.namedChildren[0]) : node;

/** `connect` for `await schema.connect(path)`: the last name of the callee. */
function calleeName(call: SyntaxNode): string | undefined {
  const fn = call.childForFieldName('function');
  return fn?.text.split('.').pop();
}

/** The callee whose result the fixture returns or yields (`return X(...)`, `x = X(...); yield x`). */
function returnedCallee(def: FixtureDef): string | undefined {
  const values = [
    ...own(def.body, 'return_statement').map((r) => r.namedChildren[0]),
    ...own(def.body, 'yield').map((y) => y.namedChildren[0]),
  ].filter((v): v is SyntaxNode => v !== undefined);
  for (const raw of values) {
    const value = unwrapAwait(raw);
    if (value.type === 'call') return calleeName(value);
    if (value.type === 'identifier') {
      const rhs = assigned(def.body, value.text).map(unwrapAwait);
      const call = rhs.find((r) => r.type === 'call');
      if (call) return calleeName(call);
    }
  }
  return undefined;
}

/** The fixtures by name and a memoised "does this expression name a temporary location" in one of them. */
class Conftest {
  readonly defs: Map<string, FixtureDef>;
  private readonly tempFixture = new Map<string, boolean>();

  constructor(text: string) {
    this.defs = new Map(fixtureDefs(text).map((d) => [d.name, d]));
  }

  isTemp(expr: SyntaxNode, def: FixtureDef, seen: Set<string> = new Set()): boolean {
    const strings = [expr, ...findAll(expr, ['string', 'concatenated_string'])]
      .map((s) => stringValue(s))
      .filter((s): s is string => s !== undefined);
    if (strings.some((s) => s.includes(':memory:') || /mode=memory/.test(s))) return true;
    const names = [expr, ...findAll(expr, 'identifier')].filter((n) => n.type === 'identifier');
    return names.some((n) => {
      if (TEMP_NAMES.has(n.text)) return true;
      // `x.y`: only the object counts, not the attribute name.
      if (n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute') === n) return false;
      if (def.params.includes(n.text)) return this.fixtureIsTemp(n.text, seen);
      const key = `${def.name}:${n.text}`;
      if (seen.has(key)) return false;
      return assigned(def.body, n.text).some((rhs) => this.isTemp(rhs, def, new Set([...seen, key])));
    });
  }

  /** A fixture whose returned/yielded value is a temporary location. */
  private fixtureIsTemp(name: string, seen: Set<string>): boolean {
    const cached = this.tempFixture.get(name);
    if (cached !== undefined) return cached;
    const def = this.defs.get(name);
    if (!def || seen.has(name)) return false;
    const next = new Set([...seen, name]);
    const values = [
      ...own(def.body, 'return_statement').map((r) => r.namedChildren[0]),
      ...own(def.body, 'yield').map((y) => y.namedChildren[0]),
    ].filter((v): v is SyntaxNode => v !== undefined);
    const temp = values.length > 0 && values.every((v) => this.isTemp(v, def, next));
    this.tempFixture.set(name, temp);
    return temp;
  }
}

/**
 * Fixtures that must not be reused, with why: they open the database without a temporary path (or
 * use a fixture that does). Fixtures that never open it are not listed.
 */
export function unsafeFixtures(text: string, opener: DbOpener): Record<string, string> {
  const conftest = new Conftest(text);
  const direct: Record<string, string> = {};
  for (const def of conftest.defs.values()) {
    for (const call of own(def.body, 'call')) {
      if (calleeName(call) !== opener.callee) continue;
      const args = call.childForFieldName('arguments')?.namedChildren ?? [];
      const positional = args.filter((a) => !['keyword_argument', 'comment'].includes(a.type));
      const keyword = args.find(
        (a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === opener.pathParam,
      );
      const splat = positional.slice(0, opener.pathIndex + 1).some((a) => /splat/.test(a.type));
      const given = keyword?.childForFieldName('value') ?? (splat ? undefined : positional[opener.pathIndex]);
      if (!given) {
        if (splat || args.some((a) => a.type === 'dictionary_splat')) continue; // cannot tell: the test run shows
        direct[def.name] =
          `fixture ${def.name} calls ${call.text.replace(/\s+/g, ' ')} without its ${opener.pathParam}: it would open the default database`;
        break;
      }
      if (!conftest.isTemp(given, def)) {
        direct[def.name] =
          `fixture ${def.name} gives ${opener.callee} ${opener.pathParam}=${given.text.replace(/\s+/g, ' ')}, which is not a temporary path`;
        break;
      }
    }
  }
  // A fixture that uses an unsafe one is unsafe too.
  const unsafe: Record<string, string> = { ...direct };
  for (let changed = true; changed;) {
    changed = false;
    for (const def of conftest.defs.values()) {
      if (unsafe[def.name]) continue;
      const dep = def.params.find((p) => unsafe[p]);
      if (dep) {
        unsafe[def.name] = `fixture ${def.name} uses ${dep} (${unsafe[dep]})`;
        changed = true;
      }
    }
  }
  return unsafe;
}

/**
 * Fixture name by what it provides: `provides` maps a callee (class or factory name) to a key; a
 * fixture provides the key of the callee whose result it returns or yields. The first fixture wins.
 * Fixtures listed in `skip` (unsafe ones) provide nothing.
 */
export function conftestFixtures(
  text: string,
  provides: Record<string, string>,
  skip: Record<string, string> = {},
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const def of fixtureDefs(text)) {
    if (skip[def.name]) continue;
    const callee = returnedCallee(def);
    const provided = callee !== undefined && Object.hasOwn(provides, callee) ? provides[callee]! : undefined;
    if (provided !== undefined && found[provided] === undefined) found[provided] = def.name;
  }
  return found;
}
