/**
 * What the presentation layer of a project looks like when the tool finder finds no MCP tool it can
 * edit: FastMCP tools (`@mcp.tool()`, `mcp.add_tool(fn)`), web routes (`@app.post("/x")`), so the
 * refusal says what it saw ("tools are `@mcp.tool()` functions in server.py") instead of "nothing".
 */
import { findAll, type SyntaxNode } from '../python-syntax/parse';
import { importsFastapi } from './find-fastapi-routes';
import type { WorkspaceIndex } from './workspace-index';

const ROUTE_METHODS = /^(get|post|put|patch|delete|api_route|route|websocket)$/;

/**
 * `@mcp.tool()` → `mcp.tool()`, `@app.post("/x")` → `app.post(...)`, with `fn` (`mcp.tool`) to group
 * by; undefined for other shapes.
 */
function decoratorShape(
  decorator: SyntaxNode,
): { kind: 'tool' | 'route'; fn: string; text: string } | undefined {
  const expr = decorator.namedChildren[0];
  if (!expr) return undefined;
  const fn = expr.type === 'call' ? expr.childForFieldName('function') : expr;
  if (fn?.type !== 'attribute') return undefined;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  const args = expr.type === 'call' ? (expr.childForFieldName('arguments')?.namedChildren.length ?? 0) : -1;
  const text = `${fn.text}${args < 0 ? '' : args === 0 ? '()' : '(...)'}`;
  if (method === 'tool') return { kind: 'tool', fn: fn.text, text };
  if (ROUTE_METHODS.test(method)) return { kind: 'route', fn: fn.text, text };
  return undefined;
}

/**
 * One line per shape and file, e.g. "tools are `@mcp.tool()` functions in src/linkbox/server.py
 * (bookmark_add, bookmark_list)". Empty when the project shows none of these shapes.
 */
export function presentationSeen(index: WorkspaceIndex): string[] {
  const out: string[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    // By decorator function (`mcp.tool`), shown as first written (`@mcp.tool()`).
    const groups = new Map<string, { shape: string; names: string[] }>();
    const add = (key: string, shape: string, name: string) => {
      const group = groups.get(key) ?? { shape, names: [] };
      group.names.push(name);
      groups.set(key, group);
    };
    for (const def of findAll(file.tree.rootNode, 'decorated_definition')) {
      const name = def.childForFieldName('definition')?.childForFieldName('name')?.text ?? '?';
      for (const d of def.namedChildren.filter((c) => c.type === 'decorator')) {
        const shape = decoratorShape(d);
        if (shape?.kind === 'tool') add(shape.fn, `tools are \`@${shape.text}\` functions`, name);
        else if (shape?.kind === 'route')
          add(
            shape.fn,
            `${importsFastapi(file) ? 'FastAPI routes' : 'routes'} are \`@${shape.text}\` functions`,
            name,
          );
      }
    }
    for (const call of findAll(file.tree.rootNode, 'call')) {
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'add_tool') continue;
      const first = call.childForFieldName('arguments')?.namedChildren[0];
      add(fn.text, `tools are registered by \`${fn.text}(...)\``, first?.text ?? '?');
    }
    for (const { shape, names } of groups.values()) {
      const shown = names.length > 5 ? [...names.slice(0, 5), '...'] : names;
      out.push(`${shape} in ${file.path} (${shown.join(', ')})`);
    }
  }
  return out;
}
