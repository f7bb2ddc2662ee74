/**
 * FastMCP tools (docs/codemods.md, "FastMCP tools"): functions registered on a FastMCP server, whose
 * signature is the tool's input schema. The shapes found:
 *
 * - `@mcp.tool()`, `@mcp.tool`, `@mcp.tool(name="x")` on a sync or async function, at module level
 *   or inside a `register_*(mcp)` function that receives the server;
 * - `mcp.add_tool(fn)` / `mcp.add_tool(fn, name="x")` for a function of the same file.
 *
 * A receiver counts as a FastMCP server when the file names `FastMCP` (its import or an annotation)
 * or the receiver is called like one (`mcp`, `server`): a `@router.tool()` of another framework in a
 * file that never mentions FastMCP is not taken for one.
 */
import { SpecialistError } from '../errors';
import type { FieldChange } from '../spec/feature-spec';
import type { SyntaxNode } from '../python-syntax/parse';
import { definitionName, enclosingFunction, findAll, rangeOf, stringValue } from '../python-syntax/parse';
import { keywordArguments } from '../python-syntax/sequence';
import { callsNamed } from '../codemods/add-handler-argument';
import type { FastMcpToolAnchor, ToolAnchor } from './anchor-map';
import type { PyFile, WorkspaceIndex } from './workspace-index';
import { pydanticModels } from './model-kind';
import { classFields } from '../codemods/add-pydantic-field';
import { requireModelBuild, type Received } from './model-receivers';

export interface FastMcpTool {
  /** The tool's name as clients see it (`name=`, else the function's name). */
  name: string;
  file: PyFile;
  fn: SyntaxNode;
  function: string;
  registration: 'decorator' | 'add_tool';
  /** The server expression the tool is registered on (`mcp`, `self.mcp`). */
  receiver: string;
  /** The function the registration happens in (`register_tools`), when it is not module level. */
  registerFunction?: string;
}

const SERVER_NAME = /(^|_)(mcp|server)$/i;

function isServer(file: PyFile, receiver: string): boolean {
  return /\bFastMCP\b/.test(file.source) || SERVER_NAME.test(receiver.split('.').pop() ?? '');
}

/** The `name="x"` of a `tool(...)` or `add_tool(...)` call, when it is a plain string. */
function nameArgument(call: SyntaxNode | undefined): string | undefined {
  const args = call?.childForFieldName('arguments');
  if (!args) return undefined;
  const name = keywordArguments(args).get('name');
  return name?.type === 'string' ? stringValue(name) : undefined;
}

function registerFunctionOf(node: SyntaxNode): string | undefined {
  const outer = enclosingFunction(node);
  return outer ? definitionName(outer.fn) : undefined;
}

/** Every FastMCP tool of the non-test files. */
export function findFastMcpTools(index: WorkspaceIndex): FastMcpTool[] {
  const out: FastMcpTool[] = [];
  for (const file of index.files.filter((f) => !f.isTest)) {
    if (!/\.(tool|add_tool)\b/.test(file.source)) continue;
    for (const decorated of findAll(file.tree.rootNode, 'decorated_definition')) {
      const fn = decorated.childForFieldName('definition');
      if (fn?.type !== 'function_definition') continue;
      for (const decorator of decorated.namedChildren.filter((c) => c.type === 'decorator')) {
        const expr = decorator.namedChildren[0];
        const call = expr?.type === 'call' ? expr : undefined;
        const target = call ? call.childForFieldName('function') : expr;
        if (target?.type !== 'attribute' || target.childForFieldName('attribute')?.text !== 'tool') continue;
        const receiver = target.childForFieldName('object')!.text;
        if (!isServer(file, receiver)) continue;
        const fnName = definitionName(fn);
        out.push({
          name: nameArgument(call) ?? fnName,
          file,
          fn,
          function: fnName,
          registration: 'decorator',
          receiver,
          registerFunction: registerFunctionOf(decorated),
        });
      }
    }
    for (const call of findAll(file.tree.rootNode, 'call')) {
      const target = call.childForFieldName('function');
      if (target?.type !== 'attribute' || target.childForFieldName('attribute')?.text !== 'add_tool')
        continue;
      const receiver = target.childForFieldName('object')!.text;
      const first = call.childForFieldName('arguments')?.namedChildren[0];
      if (first?.type !== 'identifier' || !isServer(file, receiver)) continue;
      const fn = findAll(file.tree.rootNode, 'function_definition').find(
        (f) => definitionName(f) === first.text,
      );
      if (!fn) continue;
      out.push({
        name: nameArgument(call) ?? first.text,
        file,
        fn,
        function: first.text,
        registration: 'add_tool',
        receiver,
        registerFunction: registerFunctionOf(call),
      });
    }
  }
  return out;
}

/** Names bound at the module level of a file (`x = ...`, `x: T = ...`, `def x`). */
function moduleNames(file: PyFile): Set<string> {
  const names = new Set<string>();
  for (const stmt of file.tree.rootNode.namedChildren) {
    const expr = stmt.type === 'expression_statement' ? stmt.namedChildren[0] : undefined;
    const left = expr?.type === 'assignment' ? expr.childForFieldName('left') : undefined;
    if (left?.type === 'identifier') names.add(left.text);
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (def?.type === 'function_definition') names.add(definitionName(def));
  }
  return names;
}

function registerDefinition(tool: FastMcpTool): SyntaxNode | undefined {
  if (!tool.registerFunction) return undefined;
  return findAll(tool.file.tree.rootNode, 'function_definition').find(
    (f) => definitionName(f) === tool.registerFunction,
  );
}

function parameterNames(fn: SyntaxNode): string[] {
  return (fn.childForFieldName('parameters')?.namedChildren ?? [])
    .filter((p) => p.type !== 'comment')
    .map((p) =>
      p.type === 'identifier'
        ? p.text
        : (p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text ?? ''),
    );
}

/**
 * How the tool reaches the service, so that a test can hand it one built on a temporary database: a
 * module global (`_service.add(...)`), a module getter (`get_service().add(...)`), or a parameter of
 * the register function (`register_tools(mcp, service)`).
 */
function receiverOf(tool: FastMcpTool, serviceCall: SyntaxNode): FastMcpToolAnchor['serviceReceiver'] {
  const callee = serviceCall.childForFieldName('function');
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
  const globals = moduleNames(tool.file);
  if (object?.type === 'identifier') {
    const outer = registerDefinition(tool);
    if (outer) {
      const params = parameterNames(outer);
      const at = params.indexOf(object.text);
      if (at >= 0) return { kind: 'parameter', name: object.text, position: at };
    }
    if (globals.has(object.text)) return { kind: 'name', name: object.text };
    return undefined;
  }
  const getter = object?.type === 'call' ? object.childForFieldName('function') : undefined;
  if (getter?.type === 'identifier' && globals.has(getter.text)) return { kind: 'call', name: getter.text };
  return undefined;
}

/** A Pydantic field without a default: no value, or `Field(...)` giving none (`Field(...)`, `Field(min_length=1)`). */
function isRequiredField(right: SyntaxNode | null): boolean {
  if (!right) return true;
  if (right.type !== 'call' || !/^(pydantic\.)?Field$/.test(right.childForFieldName('function')?.text ?? ''))
    return false;
  const args = right.childForFieldName('arguments')!;
  const kw = keywordArguments(args);
  if (kw.has('default') || kw.has('default_factory')) return false;
  const first = args.namedChildren.find((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
  return !first || first.type === 'ellipsis';
}

/**
 * The Pydantic request model a tool takes (`def bookmark_add(request: AddBookmark)`) and reads the
 * service's arguments from (`request.url`): the new field belongs on it. The domain model itself
 * taken as a parameter is not a request model (the field reaches it in phase 1).
 */
function requestModelOf(
  index: WorkspaceIndex,
  tool: FastMcpTool,
  serviceCall: SyntaxNode,
  model: string,
): FastMcpToolAnchor['requestModel'] {
  const argsText = serviceCall.childForFieldName('arguments')?.text ?? '';
  for (const p of tool.fn.childForFieldName('parameters')?.namedChildren ?? []) {
    const type = p.childForFieldName('type')?.text;
    const name = p.childForFieldName('name')?.text ?? p.namedChildren[0]?.text;
    if (!type || !name || !/^\w+$/.test(type) || type === model) continue;
    if (!new RegExp(`\\b${name}\\.\\w+`).test(argsText)) continue;
    const cls = pydanticModels(index).filter((c) => c.name === type);
    if (cls.length !== 1) continue;
    const required = classFields(cls[0]!.node)
      .filter((f) => isRequiredField(f.stmt.namedChildren[0]?.childForFieldName('right') ?? null))
      .map((f) => f.name);
    return { param: name, file: cls[0]!.file.path, module: cls[0]!.file.module, className: type, required };
  }
  return undefined;
}

const where = (t: FastMcpTool) => `${t.file.path}:${t.fn.startPosition.row + 1}`;

/**
 * The FastMCP tool of a change: the one the spec names (`api_tool`, by tool or function name), or the
 * one whose function calls the service method. Undefined when the project has no FastMCP tool (the
 * tool is then looked for as a schema dict); refused when FastMCP tools exist but none fits.
 */
export function findFastMcpTool(
  index: WorkspaceIndex,
  change: FieldChange,
  i: number,
  method: string,
  /** Set when the service receives the model built: the tool's building of it is found too. */
  receives?: Received,
): { tool: ToolAnchor; why: string } | undefined {
  const tools = findFastMcpTools(index);
  if (tools.length === 0) return undefined;
  const callsService = (t: FastMcpTool) => findAll(t.fn, 'call').some((c) => callsNamed(c, method));
  const listed = tools.map((t) => `${t.name} (${where(t)})`);
  let tool: FastMcpTool | undefined;
  let why = 'given';
  if (change.api_tool) {
    const named = tools.filter((t) => t.name === change.api_tool || t.function === change.api_tool);
    if (named.length === 0) return undefined;
    if (named.length > 1)
      throw new SpecialistError(
        'AnchorAmbiguous',
        `FastMCP tool ${change.api_tool} is ambiguous: ${named.map(where).join(', ')}`,
        { candidates: named.map(where) },
      );
    tool = named[0]!;
    if (!callsService(tool))
      throw new SpecialistError(
        'AnchorNotFound',
        `the FastMCP tool ${tool.name} (${where(tool)}) does not call ${method}(...): the new parameter could not reach the service (set "service_method" to the method the tool calls)`,
        { what: `a call of ${method} in ${tool.function}`, candidates: [] },
      );
  } else {
    const calling = tools.filter(callsService);
    if (calling.length === 0)
      throw new SpecialistError(
        'AnchorNotFound',
        `no FastMCP tool calls ${method}(...) (tools are @${tools[0]!.receiver}.tool() functions: ${listed.join(', ')}); set "api_tool" and "service_method" in the spec`,
        { what: `a FastMCP tool calling ${method}`, candidates: tools.map((t) => t.name) },
      );
    if (calling.length > 1)
      throw new SpecialistError(
        'AnchorAmbiguous',
        `the tool for ${method} is ambiguous: ${calling.map((t) => `${t.name} (${where(t)})`).join(', ')} — set "api_tool" in the spec`,
        { candidates: calling.map((t) => t.name) },
      );
    tool = calling[0]!;
    why = `the FastMCP tool function ${tool.function} calls ${method}(...)`;
  }
  const serviceCalls = findAll(tool.fn, 'call').filter((c) => callsNamed(c, method));
  const serviceCall = serviceCalls[0]!;
  const args = serviceCall.childForFieldName('arguments')!.namedChildren;
  const kw = args.filter((a) => a.type === 'keyword_argument').length;
  const params = tool.fn.childForFieldName('parameters')!.namedChildren;
  const required = params
    .filter((p) => p.type === 'identifier' || p.type === 'typed_parameter')
    .map((p) => (p.type === 'identifier' ? p.text : (p.namedChildren[0]?.text ?? '')))
    .filter((n) => n && !n.startsWith('*') && n !== 'self' && n !== 'ctx');
  const serviceReceiver = receiverOf(tool, serviceCall);
  const requestModel = requestModelOf(index, tool, serviceCall, change.model);
  const modelBuild = receives
    ? requireModelBuild(
        tool.fn,
        `the FastMCP tool ${tool.function} (${where(tool)})`,
        serviceCall,
        receives,
        method,
        i,
      )
    : undefined;
  const serverImport = /^from\s+([\w.]+)\s+import\s+[^\n]*\bFastMCP\b/m.exec(tool.file.source)?.[1];
  const outer = registerDefinition(tool);
  return {
    tool: {
      file: tool.file.path,
      module: tool.file.module,
      name: tool.name,
      schema: rangeOf(tool.fn),
      schemaFile: tool.file.path,
      handler: { function: tool.function, range: rangeOf(tool.fn), argumentsVar: '' },
      serviceCall: {
        range: rangeOf(serviceCall),
        style: kw === args.length ? 'keyword' : kw === 0 ? 'positional' : 'mixed',
      },
      required,
      ...(modelBuild ? { modelBuild } : {}),
      fastmcp: {
        function: tool.function,
        registration: tool.registration,
        receiver: tool.receiver,
        serverIsModuleName: !tool.registerFunction && moduleNames(tool.file).has(tool.receiver),
        ...(serverImport ? { serverImport } : {}),
        ...(outer ? { registerParams: parameterNames(outer).length } : {}),
        ...(tool.registerFunction ? { registerFunction: tool.registerFunction } : {}),
        ...(serviceReceiver ? { serviceReceiver } : {}),
        ...(requestModel ? { requestModel } : {}),
      },
    },
    why,
  };
}
