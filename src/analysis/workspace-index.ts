/** Reads and parses a workspace's Python files once, and indexes their classes and functions. */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { sourceText } from '../phases/source-file';
import { ERROR_TYPES, SpecialistError } from '../errors';
import type { SyntaxNode, Tree } from '../python-syntax/parse';
import { definitionName, findAll, functionsOf, parsePython } from '../python-syntax/parse';

const SKIP_DIRS = new Set([
  '.git',
  '.venv',
  'venv',
  'env',
  'node_modules',
  '__pycache__',
  '.specialist',
  'build',
  'dist',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.eggs',
  'site-packages',
]);

export interface PyFile {
  /** Relative to the root, with `/` separators. */
  path: string;
  /** Python import path, e.g. `taskqueue.domain.models`. */
  module: string;
  source: string;
  tree: Tree;
  isTest: boolean;
}

export interface ClassInfo {
  file: PyFile;
  name: string;
  bases: string[];
  node: SyntaxNode;
}

export interface FunctionInfo {
  file: PyFile;
  name: string;
  className?: string;
  node: SyntaxNode;
}

export interface WorkspaceIndex {
  root: string;
  sourceRoot: string;
  files: PyFile[];
  classes: ClassInfo[];
  functions: FunctionInfo[];
}

/** Whether a folder on the way to a file is one the analysis skips (hidden, virtualenv, cache, build). */
const skippedDir = (name: string) =>
  SKIP_DIRS.has(name) || name.startsWith('.') || name.endsWith('.egg-info');

function walkPython(root: string, dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!skippedDir(entry.name)) out.push(...walkPython(root, rel));
    } else if (entry.isFile() && entry.name.endsWith('.py')) {
      out.push(rel);
    }
  }
  return out;
}

/**
 * The Python files git knows in `root` (tracked, and untracked ones .gitignore does not exclude), when
 * `root` is the top of its own git work tree; undefined otherwise (not a repository, git missing, or a
 * folder inside another repository, which may ignore it), and the folder is walked instead.
 */
function gitPython(root: string): string[] | undefined {
  const git = (args: string[]) =>
    execFileSync('git', ['-C', root, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 256 * 1024 * 1024,
    });
  try {
    const top = git(['rev-parse', '--show-toplevel']).trim();
    if (realpathSync(top) !== realpathSync(root)) return undefined;
    const listed = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '*.py']);
    return listed.split('\0').filter((rel) => {
      if (
        !rel.endsWith('.py') ||
        !rel
          .split('/')
          .slice(0, -1)
          .every((d) => !skippedDir(d))
      )
        return false;
      // A tracked file deleted from the checkout, or a symbolic link (the walk skips both).
      const full = path.join(root, rel);
      return existsSync(full) && lstatSync(full).isFile();
    });
  } catch {
    return undefined;
  }
}

/**
 * The workspace's Python files, relative to the root and sorted, virtualenvs, caches, build and hidden
 * folders skipped: from `git ls-files` in a repository (what .gitignore excludes is not the project's
 * code, and a run's worktree holds only tracked files), else by walking the folder (a copy of HEAD).
 */
function listPython(root: string): string[] {
  return (gitPython(root) ?? walkPython(root)).sort();
}

/** `src` when the packages live under `src/`, else `.`. */
export function detectSourceRoot(root: string): string {
  const src = path.join(root, 'src');
  if (existsSync(src) && statSync(src).isDirectory()) {
    const hasPackage = readdirSync(src, { withFileTypes: true }).some(
      (e) => e.isDirectory() && existsSync(path.join(src, e.name, '__init__.py')),
    );
    if (hasPackage) return 'src';
  }
  return '.';
}

export function moduleName(rel: string, sourceRoot: string): string {
  const inside =
    sourceRoot === '.' ? rel : rel.startsWith(`${sourceRoot}/`) ? rel.slice(sourceRoot.length + 1) : rel;
  return inside
    .replace(/\.py$/, '')
    .replace(/\/__init__$/, '')
    .split('/')
    .join('.');
}

const isTestPath = (rel: string) =>
  /(^|\/)(tests?|testing)\//.test(rel) || /(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/.test(rel);

/** Parses every Python file under `root` (virtualenvs, caches and build folders skipped). */
export function indexWorkspace(root: string): WorkspaceIndex {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new SpecialistError(ERROR_TYPES.workspaceInvalid, `workspace ${root} is not a folder`, {
      workspace: root,
    });
  }
  const sourceRoot = detectSourceRoot(root);
  const files: PyFile[] = listPython(root).map((rel) => {
    // Decoded by its `coding:` declaration, `\n` line endings: the same text the codemods edit.
    const source = sourceText(readFileSync(path.join(root, rel)), rel);
    return {
      path: rel,
      module: moduleName(rel, sourceRoot),
      source,
      tree: parsePython(source),
      isTest: isTestPath(rel),
    };
  });
  const classes: ClassInfo[] = [];
  const functions: FunctionInfo[] = [];
  for (const file of files) {
    for (const node of findAll(file.tree.rootNode, 'class_definition')) {
      const bases = (node.childForFieldName('superclasses')?.namedChildren ?? []).map((b) => b.text);
      classes.push({ file, name: definitionName(node), bases, node });
    }
    for (const f of functionsOf(file.tree.rootNode))
      functions.push({ file, name: f.name, className: f.className, node: f.fn });
  }
  return { root, sourceRoot, files, classes, functions };
}

/** Enum classes: direct subclasses of Enum, StrEnum, IntEnum (alone or mixed with str/int). */
export function enumClasses(index: WorkspaceIndex): ClassInfo[] {
  return index.classes.filter(
    (c) => !c.file.isTest && c.bases.some((b) => /^(enum\.)?(Enum|StrEnum|IntEnum)$/.test(b)),
  );
}

/** Members of an enum class as `NAME = "value"`. */
export function enumMembers(cls: ClassInfo): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const stmt of cls.node.childForFieldName('body')?.namedChildren ?? []) {
    const assign = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    if (assign?.type !== 'assignment') continue;
    const left = assign.childForFieldName('left');
    const right = assign.childForFieldName('right');
    if (left?.type !== 'identifier' || !right) continue;
    const value = right.type === 'string' ? right.text.slice(1, -1) : right.text;
    out.push({ name: left.text, value });
  }
  return out;
}
