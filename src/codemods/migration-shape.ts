/**
 * How a project writes its migrations, read from the migration function: its column-check blocks
 * (wherever they sit: inside `if <table> exists:` guards too), the `PRAGMA user_version` gate an old
 * database must get past to reach them, and how the module reports what it does (a logger, print, or
 * nothing at all).
 */
import type { SyntaxNode } from '../python-syntax/parse';
import { findAll, stringValue } from '../python-syntax/parse';
import { CodemodRefusal, type Edit } from './codemod';

const CHECK = /^(["'])(\w+)\1\s+not\s+in\s+([\w.]+)$/;

/** An `if "col" not in names:` block and the table its ALTER TABLE alters. */
export interface Check {
  stmt: SyntaxNode;
  column: string;
  table?: string;
}

export function isCheck(stmt: SyntaxNode): boolean {
  return stmt.type === 'if_statement' && CHECK.test(stmt.childForFieldName('condition')?.text ?? '');
}

/** The blocks a compound statement holds (its body and those of its else/elif/except/finally clauses). */
function innerBlocks(stmt: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const child of stmt.namedChildren) {
    if (child.type === 'block') out.push(child);
    else if (/_clause$/.test(child.type)) out.push(...child.namedChildren.filter((c) => c.type === 'block'));
  }
  return out;
}

/**
 * The column-check blocks of a migration function body, in source order, at any depth of its own
 * compound statements (a project that migrates before it creates its tables guards each table's
 * blocks with `if <table> exists:`); nested functions and classes are not searched.
 */
export function migrationChecks(body: SyntaxNode): Check[] {
  const checks: Check[] = [];
  const visit = (block: SyntaxNode) => {
    for (const stmt of block.namedChildren) {
      if (['function_definition', 'class_definition', 'decorated_definition'].includes(stmt.type)) continue;
      const match =
        stmt.type === 'if_statement' ? CHECK.exec(stmt.childForFieldName('condition')?.text ?? '') : null;
      if (match) {
        const alter = findAll(stmt, 'string')
          .map((s) => /ALTER\s+TABLE\s+["`[]?(\w+)/i.exec(stringValue(s) ?? ''))
          .find(Boolean);
        checks.push({ stmt, column: match[2]!, table: alter?.[1] });
        continue;
      }
      for (const inner of innerBlocks(stmt)) visit(inner);
    }
  };
  visit(body);
  return checks;
}

interface Bound {
  /** The integer literal to raise: in the gate itself, or the module constant it compares with. */
  literal: SyntaxNode;
  constant?: string;
}

/** `NAME = <int>` at module level or in a class body (`SCHEMA_VERSION = 4`), not inside a function. */
function versionConstant(root: SyntaxNode, name: string): SyntaxNode | undefined {
  const found = findAll(root, 'assignment').filter((a) => {
    if (a.childForFieldName('left')?.text !== name) return false;
    if (a.childForFieldName('right')?.type !== 'integer') return false;
    for (let up = a.parent; up; up = up.parent) if (up.type === 'function_definition') return false;
    return true;
  });
  return found.length === 1 ? found[0]!.childForFieldName('right')! : undefined;
}

interface VersionIf {
  stmt: SyntaxNode;
  bound?: Bound;
  /** What the condition compares with, as written (for messages). */
  against: string;
}

/** The `if` statements of `fn` that compare the database's `PRAGMA user_version` with a version. */
function versionIfs(fn: SyntaxNode, root: SyntaxNode): VersionIf[] {
  const reads = findAll(fn, 'string').some((s) =>
    /PRAGMA\s+(\w+\.)?user_version\s*;?$/i.test((stringValue(s) ?? '').trim()),
  );
  if (!reads) return [];
  const out: VersionIf[] = [];
  for (const stmt of findAll(fn, 'if_statement')) {
    const condition = stmt.childForFieldName('condition');
    if (!condition || isCheck(stmt)) continue;
    const comparisons = [condition, ...findAll(condition, 'comparison_operator')].filter(
      (c) => c.type === 'comparison_operator' && /[<>]=?|==/.test(c.text),
    );
    for (const cmp of comparisons) {
      const [left, right] = [cmp.namedChildren[0], cmp.namedChildren[cmp.namedChildren.length - 1]];
      if (!left || !right) continue;
      const sides = [
        { bound: right, other: left },
        { bound: left, other: right },
      ];
      // `SCHEMA_VERSION`, `self.SCHEMA_VERSION`, `Database.VERSION`: the name the version is kept under.
      const nameOf = (n: SyntaxNode) =>
        n.type === 'identifier'
          ? n.text
          : n.type === 'attribute'
            ? n.childForFieldName('attribute')?.text
            : undefined;
      // The bound: a number or a constant compared with the version read (`row[0]`, `version`); one
      // that resolves to an integer is preferred (`version >= 2`: the 2, not `version`).
      const resolve = (n: SyntaxNode) =>
        n.type === 'integer' ? n : nameOf(n) ? versionConstant(root, nameOf(n)!) : undefined;
      const candidates = sides.filter(
        (s) =>
          (s.bound.type === 'integer' && /version|\[0\]/i.test(s.other.text)) ||
          /version/i.test(nameOf(s.bound) ?? ''),
      );
      const side = candidates.find((s) => resolve(s.bound)) ?? candidates[0];
      if (!side) continue;
      const literal = resolve(side.bound);
      const name = nameOf(side.bound);
      out.push({
        stmt,
        against: side.bound.text,
        bound: literal ? { literal, constant: side.bound.type === 'integer' ? undefined : name } : undefined,
      });
      break;
    }
  }
  return out;
}

/** Whether a block's statements end by returning (the gate that skips an up-to-date database). */
function returns(stmt: SyntaxNode): boolean {
  const block = stmt.childForFieldName('consequence');
  const last = block?.namedChildren[block.namedChildren.length - 1];
  return last?.type === 'return_statement';
}

/**
 * Edits that let a database stamped by the current code reach a migration block inserted at `at`
 * in `fn`: when a `PRAGMA user_version` gate (an early return, or an `if` around the block) stands
 * in its way, the version it compares with is raised by one — the module constant, or the literal and
 * every `PRAGMA user_version = N` stamp that writes it. Refuses the shapes it cannot raise safely.
 */
export function versionBumpEdits(
  fn: SyntaxNode,
  root: SyntaxNode,
  at: number,
): { edits: Edit[]; change?: string } {
  const gates = versionIfs(fn, root);
  const body = fn.childForFieldName('body')!;
  const inTheWay = gates.filter(
    (g) =>
      (g.stmt.startIndex <= at && at <= g.stmt.endIndex) ||
      (g.stmt.parent?.startIndex === body.startIndex && g.stmt.endIndex <= at && returns(g.stmt)),
  );
  if (inTheWay.length === 0) return { edits: [] };
  const literalGates = gates.filter((g) => !g.bound?.constant);
  if (literalGates.length > 1) {
    throw new CodemodRefusal(
      `the migrations are steps gated by PRAGMA user_version (${literalGates.map((g) => `line ${g.stmt.startPosition.row + 1}: ${g.stmt.childForFieldName('condition')!.text}`).join('; ')}): adding a new versioned step is not supported yet; add the step by hand`,
    );
  }
  const gate = inTheWay[0]!;
  if (!gate.bound) {
    throw new CodemodRefusal(
      `the migration block would sit behind the PRAGMA user_version gate at line ${gate.stmt.startPosition.row + 1} (${gate.stmt.childForFieldName('condition')!.text}), and ${gate.against} is not an integer constant of this module: an old database would never reach it; raise the schema version by hand`,
    );
  }
  const { literal, constant } = gate.bound;
  const from = Number(literal.text);
  const to = from + 1;
  const edits: Edit[] = [{ start: literal.startIndex, end: literal.endIndex, text: String(to) }];
  if (!constant) {
    const stamp = new RegExp(`(user_version\\s*=\\s*)${from}\\b`, 'i');
    for (const s of findAll(fn, 'string_content')) {
      const m = stamp.exec(s.text);
      if (!m) continue;
      const offset = s.startIndex + m.index + m[1]!.length;
      edits.push({ start: offset, end: offset + String(from).length, text: String(to) });
    }
    if (edits.length === 1) {
      throw new CodemodRefusal(
        `the PRAGMA user_version gate at line ${gate.stmt.startPosition.row + 1} compares with ${from}, but no "PRAGMA user_version = ${from}" stamp was found to raise with it`,
      );
    }
  }
  return {
    edits,
    change: `schema version ${constant ?? 'gate'} raised from ${from} to ${to}, so databases stamped with ${from} run the new step`,
  };
}

/** How the module reports progress: `<object>.info` when it logs, `print` when it prints, else nothing. */
export function reporterOf(root: SyntaxNode): string | undefined {
  const counts = new Map<string, number>();
  let prints = 0;
  for (const call of findAll(root, 'call')) {
    const f = call.childForFieldName('function');
    if (f?.type === 'identifier' && f.text === 'print') prints++;
    if (f?.type !== 'attribute') continue;
    const object = f.childForFieldName('object')?.text ?? '';
    const method = f.childForFieldName('attribute')?.text ?? '';
    if (
      /^(self\.|cls\.)?_?(log|logger|LOGGER|LOG|log_)\w*$/i.test(object) &&
      /^(debug|info|warning|error|exception)$/.test(method)
    )
      counts.set(object, (counts.get(object) ?? 0) + 1);
  }
  // A module-level logger that is defined but not yet called still counts.
  for (const stmt of root.namedChildren) {
    const a = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (a?.type === 'assignment' && /getLogger|get_logger/.test(a.childForFieldName('right')?.text ?? ''))
      counts.set(a.childForFieldName('left')!.text, (counts.get(a.childForFieldName('left')!.text) ?? 0) + 1);
  }
  const logger = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (logger) return `${logger}.info`;
  return prints > 0 ? 'print' : undefined;
}
