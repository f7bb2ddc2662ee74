/**
 * What kind of class a spec's model is. The phases add `Field(...)` to a Pydantic V2 model and rely on
 * its validation, so only a class whose bases reach `pydantic.BaseModel` (through the project's own
 * classes, followed by their imports) can take a field; anything else is named as what it is
 * (a dataclass, an attrs class, a TypedDict, an ORM model, a plain class) so the refusal says what was seen.
 */
import { findAll, type SyntaxNode } from '../python-syntax/parse';
import type { ClassInfo, PyFile, WorkspaceIndex } from './workspace-index';

export type ModelKind = { pydantic: true } | { pydantic: false; what: string };

const PYDANTIC_BASES = new Set(['pydantic.BaseModel', 'pydantic.main.BaseModel']);

/** Decorators that turn a class into something else than a BaseModel, by their qualified name. */
const DECORATOR_KINDS: [RegExp, string][] = [
  [/^pydantic\.dataclasses\.dataclass$/, 'a Pydantic dataclass (not a BaseModel)'],
  [/^dataclasses\.dataclass$/, 'a dataclass'],
  [/^attrs?\.(s|attrs|define|frozen|mutable|dataclass)$/, 'an attrs class'],
];

/** External bases by their qualified name (module.Name). */
const BASE_KINDS: [RegExp, string][] = [
  [
    /^pydantic\.v1\.(main\.)?BaseModel$/,
    'a Pydantic V1 model (pydantic.v1.BaseModel; the tool writes Pydantic V2)',
  ],
  [/^pydantic\.RootModel$/, 'a Pydantic RootModel (it has no named fields)'],
  [/^(typing|typing_extensions)\.TypedDict$/, 'a TypedDict'],
  [/^(typing|typing_extensions)\.NamedTuple$/, 'a NamedTuple'],
  [/^enum\./, 'an Enum'],
  [/^msgspec\.Struct$/, 'a msgspec Struct'],
  [/^sqlmodel\.SQLModel$/, 'a SQLModel class (SQLModel is not supported)'],
  [/^sqlalchemy\./, 'a SQLAlchemy ORM model (SQLAlchemy ORM projects are not supported yet)'],
  [/^django\.db\.models\.Model$/, 'a Django model'],
  [/^marshmallow\.Schema$/, 'a marshmallow Schema'],
];

/** Bases that say nothing about the kind (generic parameters, ABCs, `object`). */
const NEUTRAL_BASES =
  /^(object|(typing\.|typing_extensions\.)?(Generic|Protocol)|(abc\.)?ABC|builtins\.object)$/;

/** Builtin classes a model might (wrongly) derive from; the name resolves to nothing in the project. */
const BUILTINS = new Set([
  'str',
  'int',
  'float',
  'bool',
  'bytes',
  'dict',
  'list',
  'tuple',
  'set',
  'frozenset',
  'type',
  'Exception',
  'BaseException',
]);

type Resolved = { project: ClassInfo } | { external: string } | { unknown: string };

const isTopLevel = (node: SyntaxNode) =>
  node.parent?.type === 'module' ||
  (node.parent?.type === 'decorated_definition' && node.parent.parent?.type === 'module');

const importCache = new WeakMap<PyFile, { names: Map<string, string>; star: string[] }>();

/**
 * `from m import a as b` → b ↦ m.a; `import m as n` → n ↦ m (a module); relative imports made
 * absolute. Imports inside `try:` / `if TYPE_CHECKING:` count too.
 */
function importsOf(file: PyFile): { names: Map<string, string>; star: string[] } {
  const cached = importCache.get(file);
  if (cached) return cached;
  const names = new Map<string, string>();
  const star: string[] = [];
  const absolute = (moduleNode: SyntaxNode): string => {
    if (moduleNode.type !== 'relative_import') return moduleNode.text;
    const dots = moduleNode.namedChildren.find((c) => c.type === 'import_prefix')?.text.length ?? 1;
    const rest = moduleNode.namedChildren.find((c) => c.type === 'dotted_name')?.text;
    const own = file.module.split('.');
    // A package's __init__ is its own package; a module's package is its parent.
    const pkg = file.path.endsWith('__init__.py') ? own : own.slice(0, -1);
    const base = pkg.slice(0, pkg.length - (dots - 1));
    return [...base, ...(rest ? [rest] : [])].join('.');
  };
  for (const stmt of findAll(file.tree.rootNode, ['import_from_statement', 'import_statement'])) {
    if (stmt.type === 'import_from_statement') {
      const moduleNode = stmt.childForFieldName('module_name');
      if (!moduleNode) continue;
      const module = absolute(moduleNode);
      if (stmt.namedChildren.some((c) => c.type === 'wildcard_import')) star.push(module);
      for (const n of stmt.childrenForFieldName('name')) {
        const original = n.type === 'aliased_import' ? n.childForFieldName('name')!.text : n.text;
        const local = n.type === 'aliased_import' ? n.childForFieldName('alias')!.text : n.text;
        names.set(local, `${module}.${original}`);
      }
    } else if (stmt.type === 'import_statement') {
      for (const n of stmt.childrenForFieldName('name')) {
        if (n.type === 'aliased_import')
          names.set(n.childForFieldName('alias')!.text, n.childForFieldName('name')!.text);
        else names.set(n.text.split('.')[0]!, n.text.split('.')[0]!);
      }
    }
  }
  importCache.set(file, { names, star });
  return { names, star };
}

/** Follows a qualified name into the project (a class of a project module, or re-exported by one). */
function resolveQualified(index: WorkspaceIndex, qualified: string, depth: number): Resolved {
  const dot = qualified.lastIndexOf('.');
  const module = qualified.slice(0, dot);
  const name = qualified.slice(dot + 1);
  const file = index.files.find((f) => f.module === module && !f.isTest);
  if (!file) return { external: qualified };
  return resolveName(index, file, name, depth + 1);
}

/** What the name `text` (as written in `file`, e.g. `BaseModel`, `pd.BaseModel`) refers to. */
function resolveName(index: WorkspaceIndex, file: PyFile, text: string, depth = 0): Resolved {
  if (depth > 10) return { unknown: text };
  const [head, ...rest] = text.split('.');
  const defined = index.classes.find((c) => c.file === file && c.name === text && isTopLevel(c.node));
  if (defined) return { project: defined };
  const { names, star } = importsOf(file);
  const imported = names.get(head!);
  if (imported) return resolveQualified(index, [imported, ...rest].join('.'), depth);
  for (const module of star) {
    const viaStar = resolveQualified(index, `${module}.${text}`, depth);
    if (!('unknown' in viaStar)) return viaStar;
  }
  const sameName = index.classes.filter((c) => c.name === text && !c.file.isTest);
  if (sameName.length === 1) return { project: sameName[0]! };
  return { unknown: text };
}

/** The decorator names of a class definition, as written. */
function decoratorsOf(cls: ClassInfo): string[] {
  const parent = cls.node.parent;
  if (parent?.type !== 'decorated_definition') return [];
  return parent.namedChildren
    .filter((d) => d.type === 'decorator')
    .map((d) => {
      const expr = d.namedChildren[0];
      return (expr?.type === 'call' ? expr.childForFieldName('function')! : expr)?.text ?? '';
    });
}

function qualifiedText(r: Resolved): string {
  return 'external' in r ? r.external : 'unknown' in r ? r.unknown : r.project.name;
}

const at = (cls: ClassInfo) => `${cls.file.path}:${cls.node.startPosition.row + 1}`;

function classify(index: WorkspaceIndex, cls: ClassInfo, seen: Set<ClassInfo>): ModelKind {
  if (seen.has(cls)) return { pydantic: false, what: `a class whose bases form a cycle (${cls.name})` };
  seen.add(cls);
  for (const decorator of decoratorsOf(cls)) {
    const resolved = qualifiedText(resolveName(index, cls.file, decorator));
    const kind = DECORATOR_KINDS.find(([re]) => re.test(resolved));
    if (kind) return { pydantic: false, what: kind[1] };
  }
  const body = cls.node.childForFieldName('body');
  const tablename = body?.namedChildren.some(
    (s) => s.namedChildren[0]?.childForFieldName('left')?.text === '__tablename__',
  );
  const bases = (cls.node.childForFieldName('superclasses')?.namedChildren ?? [])
    .filter((b) => b.type !== 'keyword_argument' && b.type !== 'comment')
    .map((b) => (b.type === 'subscript' ? b.childForFieldName('value')!.text : b.text));
  // What the class is, most telling first: a known kind (TypedDict, Enum, ...) before "a subclass of X".
  const known: string[] = [];
  const generic: string[] = [];
  for (const base of bases) {
    const resolved = resolveName(index, cls.file, base);
    if ('external' in resolved) {
      if (PYDANTIC_BASES.has(resolved.external)) return { pydantic: true };
      if (NEUTRAL_BASES.test(resolved.external)) continue;
      const kind = BASE_KINDS.find(([re]) => re.test(resolved.external));
      if (kind) known.push(kind[1]);
      else generic.push(`a subclass of ${resolved.external}, not of pydantic.BaseModel`);
    } else if ('project' in resolved) {
      const inner = classify(index, resolved.project, seen);
      if (inner.pydantic) return inner;
      if (inner.what.startsWith('a subclass of ') || inner.what === 'a plain class')
        generic.push(`a subclass of ${resolved.project.name} (${at(resolved.project)}), ${inner.what}`);
      else known.push(inner.what);
    } else if (BUILTINS.has(resolved.unknown)) {
      generic.push(`a subclass of the builtin ${resolved.unknown}, not of pydantic.BaseModel`);
    } else if (!NEUTRAL_BASES.test(resolved.unknown)) {
      generic.push(`a subclass of ${resolved.unknown}, whose origin was not found in the project's imports`);
    }
  }
  if (tablename) return { pydantic: false, what: BASE_KINDS.find(([re]) => re.test('sqlalchemy.'))![1] };
  return { pydantic: false, what: known[0] ?? generic[0] ?? 'a plain class' };
}

/** Whether `cls` is a Pydantic model, and if not, what it is (for the refusal). */
export function modelKind(index: WorkspaceIndex, cls: ClassInfo): ModelKind {
  return classify(index, cls, new Set());
}

/** The project's Pydantic models (non-test classes whose bases reach pydantic.BaseModel). */
export function pydanticModels(index: WorkspaceIndex): ClassInfo[] {
  return index.classes.filter((c) => !c.file.isTest && modelKind(index, c).pydantic);
}
