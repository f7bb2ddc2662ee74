/** The MCP tool whose handler calls the service method, with its inputSchema and its call of the service. */
import type { FieldChange } from '../spec/feature-spec';
import type { SyntaxNode } from '../python-syntax/parse';
import { enclosingFunction, findAll, rangeOf, stringValue } from '../python-syntax/parse';
import { keywordArguments } from '../python-syntax/sequence';
import { callsNamed } from '../codemods/add-handler-argument';
import { findToolSchemas, dictValue } from '../codemods/add-tool-schema-property';
import type { ToolAnchor } from './anchor-map';
import { ambiguous, notFound, specInvalid, where } from './anchor-errors';
import { presentationSeen } from './presentation-seen';
import { requireModelBuild, type Received } from './model-receivers';
import type { FunctionInfo, PyFile, WorkspaceIndex } from './workspace-index';

function calls(fn: FunctionInfo, method: string): boolean {
  return findAll(fn.node, 'call').some((c) => callsNamed(c, method));
}

/** The non-test functions that call `method` from files without tool definitions, and the shapes there. */
function callersOutsideToolFiles(index: WorkspaceIndex, method: string, tools: ToolDefinition[]): string[] {
  const callers = index.functions.filter(
    (f) => !f.file.isTest && f.name !== method && calls(f, method) && !tools.some((t) => t.file === f.file),
  );
  const files = new Set(callers.map((c) => c.file.path));
  return [
    ...callers.map((c) => `${c.name} (${where(c)}) calls ${method}(...) in a file without tool definitions`),
    ...presentationSeen(index).filter((s) => [...files].some((f) => s.includes(` in ${f} (`))),
  ];
}

/** A tool definition with a literal schema: a `{"name": ..., "inputSchema": ...}` dict or a `Tool(name=..., inputSchema=...)` call. */
export interface ToolDefinition {
  name: string;
  file: PyFile;
  definition: SyntaxNode;
}

/** Every tool definition with a literal inputSchema in the non-test files. */
export function toolDefinitions(index: WorkspaceIndex): ToolDefinition[] {
  const allTools: ToolDefinition[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    for (const dict of findAll(file.tree.rootNode, 'dictionary')) {
      const name = dictValue(dict, 'name');
      if (name && (dictValue(dict, 'inputSchema') || dictValue(dict, 'input_schema'))) {
        allTools.push({ name: stringValue(name) ?? '', file, definition: dict });
      }
    }
    for (const call of findAll(file.tree.rootNode, 'call')) {
      const kw = keywordArguments(call.childForFieldName('arguments')!);
      const name = kw.get('name');
      if (name?.type === 'string' && (kw.has('inputSchema') || kw.has('input_schema'))) {
        allTools.push({ name: stringValue(name) ?? '', file, definition: call });
      }
    }
  }
  return allTools;
}

const SEARCHED_TOOLS = 'dict literals and Tool(...) calls that name a tool and its inputSchema';

/**
 * Refuses a project with no tool definition the tool can edit, saying what its presentation layer is
 * instead. Also used when the service was not found, so the tool layer is reported all the same.
 */
export function refuseWithoutTools(
  index: WorkspaceIndex,
  change: FieldChange,
  tools: ToolDefinition[] = toolDefinitions(index),
): void {
  if (tools.length > 0) return;
  const scanned = index.files.filter((f) => !f.isTest).length;
  notFound(`an MCP tool for ${change.model}`, `${SEARCHED_TOOLS}, in ${scanned} non-test files`, [], {
    seen: presentationSeen(index),
    settle: `no spec key settles this: the tool adds the field to MCP tools whose inputSchema is a literal dict (low-level \`mcp.server.Server\` with \`types.Tool(...)\`); add the field ${change.field} to the presentation layer by hand`,
  });
}

export function findTool(
  index: WorkspaceIndex,
  change: FieldChange,
  i: number,
  method: string,
  /** Set when the service receives the model built: the handler's building of it is found too. */
  receives?: Received,
): { tool: ToolAnchor; why: string } {
  const files = index.files.filter((f) => !f.isTest);
  const allTools = toolDefinitions(index);
  refuseWithoutTools(index, change, allTools);
  const handlers = index.functions.filter(
    (f) => !f.file.isTest && calls(f, method) && allTools.some((t) => t.file === f.file),
  );
  const toolOf = (h: FunctionInfo): string[] => {
    const own = allTools.filter((t) => t.file === h.file);
    const names = own.map((t) => t.name);
    const inDefinition = own
      .filter((t) => new RegExp(`\\b${h.name}\\b`).test(t.definition.text))
      .map((t) => t.name);
    if (inDefinition.length > 0) return inDefinition;
    const linked = names.filter((n) =>
      findAll(h.file.tree.rootNode, 'string').some((s) => {
        if (stringValue(s) !== n) return false;
        let stmt = s.parent;
        while (
          stmt &&
          !['pair', 'if_statement', 'case_clause', 'elif_clause', 'expression_statement'].includes(stmt.type)
        )
          stmt = stmt.parent;
        if (!stmt) return false;
        const body =
          stmt.type === 'if_statement' || stmt.type === 'elif_clause'
            ? (stmt.childForFieldName('consequence')?.text ?? '')
            : stmt.type === 'case_clause'
              ? stmt.text
              : stmt.text;
        // Dispatch to the handler by name, or the branch of the handler itself that calls the method.
        if (new RegExp(`\\b${h.name}\\b`).test(body)) return true;
        const inside = enclosingFunction(stmt)?.fn.startIndex === h.node.startIndex;
        return inside && stmt.type !== 'pair' && body.includes(`.${method}(`);
      }),
    );
    if (linked.length > 0) return linked;
    const norm = (s: string) => s.replace(/[^a-z0-9]/gi, '').toLowerCase();
    return names.filter((n) => norm(h.name).includes(norm(n)));
  };
  let name = change.api_tool;
  let handler: FunctionInfo | undefined;
  let why = 'given';
  if (name) {
    if (!allTools.some((t) => t.name === name)) {
      specInvalid(
        `data_models.changes[${i}].api_tool`,
        `unknown tool "${name}" (tools found: ${allTools.map((t) => t.name).join(', ') || 'none'})`,
        { candidates: allTools.map((t) => t.name) },
      );
    }
    const linked = handlers.filter((h) => toolOf(h).includes(name!));
    const pool = linked.length > 0 ? linked : handlers;
    if (pool.length > 1)
      ambiguous(
        `the handler of tool ${name}`,
        pool.map((h) => `${h.name} (${where(h)})`),
        'one handler per tool is expected',
      );
    handler = pool[0];
  } else {
    if (handlers.length === 0)
      notFound(
        `a tool handler calling ${method}(...)`,
        'functions in files that define tool schemas',
        allTools.map((t) => t.name),
        {
          seen: callersOutsideToolFiles(index, method, allTools),
          settle: `set data_models.changes[${i}].api_tool to the tool that should take the field, or data_models.changes[${i}].service_method to the method its handler calls`,
        },
      );
    const mapped = handlers.map((h) => ({ h, tools: toolOf(h) })).filter((m) => m.tools.length > 0);
    const pairs = mapped.flatMap((m) => m.tools.map((t) => ({ h: m.h, t })));
    if (pairs.length === 0)
      notFound(
        `the tool whose handler calls ${method}(...)`,
        handlers.map(where).join(', '),
        allTools.map((t) => t.name),
        { settle: `set data_models.changes[${i}].api_tool to one of them` },
      );
    if (pairs.length > 1)
      ambiguous(
        `the tool for ${method}`,
        pairs.map((p) => `${p.t} → ${p.h.name}`),
        'set "api_tool" in the spec',
      );
    name = pairs[0]!.t;
    handler = pairs[0]!.h;
    why = `its handler ${handler.name} calls ${method}(...)`;
  }
  if (!handler)
    notFound(
      `a handler for tool ${name} calling ${method}(...)`,
      'functions in files that define tool schemas',
      [],
    );
  const schemaSites = [handler.file, ...files.filter((f) => f !== handler!.file)].flatMap((f) =>
    findToolSchemas(f.tree.rootNode, name!).map((s) => ({ ...s, file: f })),
  );
  const schema = schemaSites[0];
  if (!schema) notFound(`the inputSchema of tool ${name}`, 'dict literals and Tool(...) calls', []);
  const serviceCall = findAll(handler.node, 'call').find((c) => callsNamed(c, method))!;
  const args = serviceCall.childForFieldName('arguments')!.namedChildren;
  const kw = args.filter((a) => a.type === 'keyword_argument').length;
  const params = handler.node
    .childForFieldName('parameters')!
    .namedChildren.map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren[0]?.text ?? '')));
  const argumentsVar =
    params.find((p) => /^(arguments|args|params|payload|data|request)$/.test(p)) ??
    params[params.length - 1] ??
    'arguments';
  const modelBuild = receives
    ? requireModelBuild(
        handler.node,
        `the tool handler ${handler.name} (${where(handler)})`,
        serviceCall,
        receives,
        method,
        i,
      )
    : undefined;
  const schemaFn = enclosingFunction(schema.definition);
  const requiredNode = dictValue(schema.schema, 'required');
  return {
    tool: {
      file: handler.file.path,
      module: handler.file.module,
      name: name!,
      className: handler.className,
      schema: rangeOf(schema.definition),
      schemaFile: schema.file.path,
      schemaFunction: schemaFn?.fn.childForFieldName('name')?.text,
      handler: {
        function: handler.name,
        className: handler.className,
        range: rangeOf(handler.node),
        argumentsVar,
      },
      serviceCall: {
        range: rangeOf(serviceCall),
        style: kw === args.length ? 'keyword' : kw === 0 ? 'positional' : 'mixed',
      },
      required: requiredNode ? requiredNode.namedChildren.map((n) => stringValue(n) ?? n.text) : [],
      ...(modelBuild ? { modelBuild } : {}),
    },
    why,
  };
}
