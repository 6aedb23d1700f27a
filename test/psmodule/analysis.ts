/**
 * Static analysis of the PowerShell module, for machines without PowerShell: every .ps1/.psm1/.psd1 is
 * parsed with tree-sitter-powershell (web-tree-sitter + the grammar's wasm), and the checks below look
 * at the syntax trees, the manifest, the format file and the engine's own description of its commands
 * (`offlineseed-engine describe`). analyzeModule() takes the module's files as a path -> text map, so
 * tests can also feed it deliberately broken copies and prove that each check can fail.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';
import { engineCommand, repoRoot } from '../helpers/engine.ts';

export type JsonSchema = {
  title?: string;
  type?: string;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  'x-secret'?: boolean;
  [key: string]: unknown;
};

export interface EngineCommand {
  command: string;
  summary?: string;
  resultTypeName: string;
  cmdlet?: string;
  params: JsonSchema;
  result: JsonSchema;
}

export interface EngineCatalog {
  /** Commands as `describe` reports them. */
  described: Map<string, EngineCommand>;
  /** Commands that only have schema files (schemas/commands/<name>.params|result.schema.json) so far. */
  schemaOnly: Map<string, EngineCommand>;
}

/** Approved verbs: the output of Get-Verb in PowerShell 7.4 (Windows PowerShell 5.1 has all but Build, Deploy). */
export const APPROVED_VERBS: ReadonlySet<string> = new Set([
  // Common
  'Add', 'Clear', 'Close', 'Copy', 'Enter', 'Exit', 'Find', 'Format', 'Get', 'Hide', 'Join', 'Lock', 'Move', 'New',
  'Open', 'Optimize', 'Pop', 'Push', 'Redo', 'Remove', 'Rename', 'Reset', 'Resize', 'Search', 'Select', 'Set', 'Show',
  'Skip', 'Split', 'Step', 'Switch', 'Undo', 'Unlock', 'Watch',
  // Communications
  'Connect', 'Disconnect', 'Read', 'Receive', 'Send', 'Write',
  // Data
  'Backup', 'Checkpoint', 'Compare', 'Compress', 'Convert', 'ConvertFrom', 'ConvertTo', 'Dismount', 'Edit', 'Expand',
  'Export', 'Group', 'Import', 'Initialize', 'Limit', 'Merge', 'Mount', 'Out', 'Publish', 'Restore', 'Save', 'Sync',
  'Unpublish', 'Update',
  // Diagnostic
  'Debug', 'Measure', 'Ping', 'Repair', 'Resolve', 'Test', 'Trace',
  // Lifecycle
  'Approve', 'Assert', 'Build', 'Complete', 'Confirm', 'Deny', 'Deploy', 'Disable', 'Enable', 'Install', 'Invoke',
  'Register', 'Request', 'Restart', 'Resume', 'Start', 'Stop', 'Submit', 'Suspend', 'Uninstall', 'Unregister', 'Wait',
  // Security
  'Block', 'Grant', 'Protect', 'Revoke', 'Unblock', 'Unprotect',
  // Other
  'Use',
]);

/**
 * Cmdlet names the users asked for, kept although their nouns lack the OfflineSeed prefix (design
 * handbook: "keep the user's Start-OfflineSeed and Update-ImportShipping"; issue 5 names both).
 */
export const USER_NAMED_CMDLETS: ReadonlySet<string> = new Set(['Update-ImportShipping', 'Get-ImportJobStatus']);

/** Verbs that change state: their cmdlets must support -WhatIf/-Confirm and call ShouldProcess. */
export const STATE_CHANGING_VERBS: ReadonlySet<string> = new Set([
  'Start', 'Restore', 'New', 'Remove', 'Update', 'Initialize', 'Complete', 'Backup', 'Stop', 'Register', 'Unregister',
  'Set', 'Reset',
]);

/** Views the brief asks for, whatever the engine reports today. */
export const REQUIRED_VIEWS: readonly string[] = [
  'OfflineSeed.EngineVersion', 'OfflineSeed.EngineEcho', 'OfflineSeed.StageResult', 'OfflineSeed.Seed',
  'OfflineSeed.CheckResult', 'OfflineSeed.RestoreResult', 'OfflineSeed.Snapshot', 'OfflineSeed.CommandDescription',
];

const AUTOMATIC_VARIABLES: ReadonlySet<string> = new Set([
  'true', 'false', 'null', '_', 'psitem', 'args', 'input', 'pscmdlet', 'psboundparameters', 'myinvocation',
  'executioncontext', 'psversiontable', 'psscriptroot', 'pscommandpath', 'error', 'host', 'lastexitcode', 'matches',
  'whatifpreference', 'verbosepreference', 'debugpreference', 'erroractionpreference', 'informationpreference',
  'warningpreference', 'confirmpreference', 'progresspreference', 'pwd', 'home', 'pid', 'this', 'ofs', 'pshome',
]);

const SECRET_PARAMS: ReadonlySet<string> = new Set(['password', 'bitLockerKey', 'clientSecret', 'accessToken', 'storageKey']);

// ---------------------------------------------------------------------------------------------------
// Loading

let parserPromise: Promise<Parser> | undefined;

export function wasmPath(): string {
  const dir = join(repoRoot, 'node_modules', 'tree-sitter-powershell');
  const found = readdirSync(dir).find((f) => f.endsWith('.wasm'));
  if (found === undefined) throw new Error(`no .wasm grammar in ${dir}`);
  return join(dir, found);
}

export function loadParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init();
    const language = await Language.load(wasmPath());
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return parserPromise;
}

/** OfflineSeed.psd1 and every file under psmodule/, keyed by repository-relative path with forward slashes. */
export function readModuleFiles(root: string = repoRoot): Map<string, string> {
  const files = new Map<string, string>();
  const add = (full: string): void => {
    files.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'latin1'));
  };
  add(join(root, 'OfflineSeed.psd1'));
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else add(full);
    }
  };
  walk(join(root, 'psmodule'));
  return files;
}

/** Runs `offlineseed-engine describe --json` (the built engine, or engine/main.ts when there is none). */
export function describeEngine(): Map<string, EngineCommand> {
  const { file, args } = engineCommand();
  const run = spawnSync(file, [...args, 'describe', '--json'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`describe failed (exit ${run.status}): ${run.stderr}`);
  const commands = new Map<string, EngineCommand>();
  for (const line of run.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as { type: string; data?: EngineCommand };
    if (event.type === 'result' && event.data !== undefined) commands.set(event.data.command, event.data);
  }
  if (commands.size === 0) throw new Error(`describe printed no commands: ${run.stdout}`);
  return commands;
}

/** A command the engine does not describe yet, from its schema files (result type name = result schema title). */
export function commandFromSchemaFiles(command: string): EngineCommand | undefined {
  const dir = join(repoRoot, 'schemas', 'commands');
  const paramsFile = join(dir, `${command}.params.schema.json`);
  const resultFile = join(dir, `${command}.result.schema.json`);
  if (!existsSync(paramsFile) || !existsSync(resultFile)) return undefined;
  const params = JSON.parse(readFileSync(paramsFile, 'utf8')) as JsonSchema;
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as JsonSchema;
  return { command, resultTypeName: result.title ?? '', params, result };
}

// ---------------------------------------------------------------------------------------------------
// Syntax helpers

/**
 * One walk per tree: every node in preorder with its type and its parent's position. The checks ask
 * for the same subtrees, types and ancestors many times, and each access through web-tree-sitter
 * crosses into WebAssembly and makes a new wrapper object; here they are array lookups.
 */
interface TreeIndex {
  nodes: Node[];
  types: string[];
  /** Preorder position of each node's parent (-1 for the root). */
  parents: number[];
  /** One past the preorder position of each node's last descendant. */
  ends: number[];
  positionOf: Map<number, number>;
}

const treeIndexes = new WeakMap<Tree, TreeIndex>();

function indexOf(tree: Tree): TreeIndex {
  let index = treeIndexes.get(tree);
  if (index !== undefined) return index;
  index = { nodes: [], types: [], parents: [], ends: [], positionOf: new Map() };
  const visit = (node: Node, parent: number): void => {
    const at = index!.nodes.length;
    index!.nodes.push(node);
    index!.types.push(node.type);
    index!.parents.push(parent);
    index!.ends.push(0);
    index!.positionOf.set(node.id, at);
    for (const child of node.children) visit(child!, at);
    index!.ends[at] = index!.nodes.length;
  };
  visit(tree.rootNode, -1);
  treeIndexes.set(tree, index);
  return index;
}

function positionIn(node: Node): { index: TreeIndex; at: number } {
  const index = indexOf(node.tree);
  const at = index.positionOf.get(node.id);
  if (at === undefined) throw new Error(`node ${node.type} is not in its tree's index`);
  return { index, at };
}

export function descendants(node: Node): readonly Node[] {
  const { index, at } = positionIn(node);
  return index.nodes.slice(at, index.ends[at]);
}

function ofType(node: Node, ...types: string[]): Node[] {
  const { index, at } = positionIn(node);
  const out: Node[] = [];
  for (let i = at; i < index.ends[at]!; i++) if (types.includes(index.types[i]!)) out.push(index.nodes[i]!);
  return out;
}

function ancestors(node: Node): Node[] {
  const { index, at } = positionIn(node);
  const out: Node[] = [];
  for (let p = index.parents[at]!; p >= 0; p = index.parents[p]!) out.push(index.nodes[p]!);
  return out;
}

/** The value of a string literal node ('x' or "x" without expansions), else undefined. */
function stringValue(node: Node): string | undefined {
  const literal = node.type === 'string_literal' ? node : ofType(node, 'string_literal')[0];
  if (literal === undefined) return undefined;
  // Only a node that is nothing but the literal (no operators around it).
  if (node.text.trim() !== literal.text.trim()) return undefined;
  const text = literal.text.trim();
  if (text.startsWith("'") && text.endsWith("'")) return text.slice(1, -1).replace(/''/g, "'");
  if (text.startsWith('"') && text.endsWith('"') && !/[$`]/.test(text.slice(1, -1))) return text.slice(1, -1);
  return undefined;
}

/** Evaluates the data language of a manifest: hashtables, arrays, strings, numbers, $true/$false. */
export function evaluateData(node: Node): unknown {
  switch (node.type) {
    case 'hash_literal_expression': {
      const out: Record<string, unknown> = {};
      for (const entry of ofType(node, 'hash_entry').filter((e) => sameNode(closest(e, 'hash_literal_expression'), node))) {
        const key = entry.namedChildren.find((c) => c.type === 'key_expression')!;
        const value = entry.namedChildren.find((c) => c.type !== 'key_expression')!;
        out[stringValue(key) ?? key.text.trim()] = evaluateData(value);
      }
      return out;
    }
    case 'array_expression': {
      const list = node.namedChildren.find((c) => c.type === 'statement_list');
      if (list === undefined) return [];
      return list.namedChildren.filter((c) => c.type !== 'empty_statement').flatMap((s) => {
        const value = evaluateData(s);
        return Array.isArray(value) ? value : [value];
      });
    }
    case 'array_literal_expression': {
      const items = node.namedChildren.filter((c) => c.type === 'unary_expression');
      if (items.length > 1) return items.map(evaluateData);
      return items.length === 1 ? evaluateData(items[0]!) : undefined;
    }
    case 'string_literal':
      return stringValue(node);
    case 'integer_literal':
      return Number(node.text);
    case 'variable':
      if (/^\$true$/i.test(node.text)) return true;
      if (/^\$false$/i.test(node.text)) return false;
      if (/^\$null$/i.test(node.text)) return null;
      throw new Error(`variables are not data: ${node.text}`);
    default: {
      const named = node.namedChildren.filter((c) => c.type !== 'comment');
      if (named.length === 1) return evaluateData(named[0]!);
      throw new Error(`not data (${node.type}): ${node.text.slice(0, 80)}`);
    }
  }
}

function closest(node: Node, type: string): Node | undefined {
  const { index, at } = positionIn(node);
  for (let p = index.parents[at]!; p >= 0; p = index.parents[p]!) if (index.types[p] === type) return index.nodes[p];
  return undefined;
}

/** web-tree-sitter hands out a new wrapper object on every access, so nodes compare by position. */
function nodeKey(node: Node): string {
  return `${node.startIndex}:${node.endIndex}:${node.type}`;
}

function sameNode(a: Node | undefined, b: Node | undefined): boolean {
  return a !== undefined && b !== undefined && nodeKey(a) === nodeKey(b);
}

function variableName(node: Node): string {
  return node.text.replace(/^[$@]/, '').replace(/^\{(.*)\}$/, '$1');
}

// ---------------------------------------------------------------------------------------------------
// The module model

export interface ParamInfo {
  name: string;
  type: string;
  node: Node;
  /** attribute name (lowercase) -> attribute nodes */
  attributes: Node[];
  mandatory: boolean;
  pipelineByPropertyName: boolean;
  validateSet?: string[];
  validatePattern?: string;
  validateRange?: [number, number];
}

export interface FunctionInfo {
  name: string;
  file: string;
  node: Node;
  body: Node;
  help: string | undefined;
  cmdletBinding: Node | undefined;
  /** CmdletBinding named arguments, lowercase name -> raw value text ('' for a bare flag). */
  bindingArgs: Map<string, string>;
  outputTypes: string[];
  params: ParamInfo[];
  isPublic: boolean;
}

export interface ParsedFile {
  path: string;
  text: string;
  tree: Tree;
}

function attributeName(attribute: Node): string {
  const name = attribute.namedChildren.find((c) => c.type === 'attribute_name');
  return (name?.text ?? '').trim();
}

function attributeArguments(attribute: Node): Node[] {
  const args = attribute.namedChildren.find((c) => c.type === 'attribute_arguments');
  return args === undefined ? [] : args.namedChildren.filter((c) => c.type === 'attribute_argument');
}

/** Named argument name of an attribute_argument (Mandatory, ParameterSetName, ...), or undefined if positional. */
function argumentName(argument: Node): string | undefined {
  const first = argument.namedChildren[0];
  return first?.type === 'simple_name' ? first.text.trim() : undefined;
}

function argumentValue(argument: Node): Node | undefined {
  const named = argument.namedChildren;
  return named[0]?.type === 'simple_name' ? named[1] : named[0];
}

/** Positional arguments of an attribute: data values as strings, anything else (e.g. [string]) as its text. */
function positionalStrings(attribute: Node): string[] {
  return attributeArguments(attribute)
    .filter((a) => argumentName(a) === undefined)
    .flatMap((a) => {
      const value = argumentValue(a);
      if (value === undefined) return [];
      let data: unknown;
      try {
        data = evaluateData(value);
      } catch {
        return [value.text.trim()];
      }
      return (Array.isArray(data) ? data : [data]).map((v) => String(v));
    });
}

function parseParams(paramBlock: Node | undefined): ParamInfo[] {
  if (paramBlock === undefined) return [];
  const list = paramBlock.namedChildren.find((c) => c.type === 'parameter_list');
  if (list === undefined) return [];
  return list.namedChildren.filter((c) => c.type === 'script_parameter').map((p) => {
    const variable = p.namedChildren.find((c) => c.type === 'variable')!;
    const attributeList = p.namedChildren.find((c) => c.type === 'attribute_list');
    const attributes = attributeList === undefined ? [] : attributeList.namedChildren.filter((c) => c.type === 'attribute');
    const typeAttr = attributes.find((a) => a.namedChildren[0]?.type === 'type_literal');
    const info: ParamInfo = {
      name: variableName(variable),
      type: (typeAttr?.text ?? '[object]').replace(/^\[|\]$/g, '').trim(),
      node: p,
      attributes,
      mandatory: false,
      pipelineByPropertyName: false,
    };
    for (const attribute of attributes) {
      const name = attributeName(attribute).toLowerCase();
      if (name === 'parameter') {
        for (const argument of attributeArguments(attribute)) {
          const argName = (argumentName(argument) ?? '').toLowerCase();
          const value = argumentValue(argument)?.text.trim().toLowerCase();
          const on = value === undefined || value === '$true';
          if (argName === 'mandatory' && on) info.mandatory = true;
          if (argName === 'valuefrompipelinebypropertyname' && on) info.pipelineByPropertyName = true;
        }
      } else if (name === 'validateset') {
        info.validateSet = positionalStrings(attribute);
      } else if (name === 'validatepattern') {
        info.validatePattern = positionalStrings(attribute)[0];
      } else if (name === 'validaterange') {
        const [min, max] = positionalStrings(attribute).map(Number);
        if (min !== undefined && max !== undefined) info.validateRange = [min, max];
      }
    }
    return info;
  });
}

export function collectFunctions(files: readonly ParsedFile[]): FunctionInfo[] {
  const functions: FunctionInfo[] = [];
  for (const file of files) {
    if (!file.path.endsWith('.ps1')) continue;
    for (const fn of ofType(file.tree.rootNode, 'function_statement')) {
      const name = fn.namedChildren.find((c) => c.type === 'function_name')?.text.trim() ?? '';
      const body = fn.namedChildren.find((c) => c.type === 'script_block');
      if (body === undefined) continue;
      const inner = fn.namedChildren.find((c) => c.type === 'comment' && c.text.startsWith('<#'));
      const before = fn.previousNamedSibling ?? fn.parent?.previousNamedSibling;
      const help = inner?.text ?? (before?.type === 'comment' && before.text.startsWith('<#') ? before.text : undefined);
      const paramBlock = body.namedChildren.find((c) => c.type === 'param_block');
      const blockAttributes = paramBlock?.namedChildren.find((c) => c.type === 'attribute_list')?.namedChildren.filter((c) => c.type === 'attribute') ?? [];
      const cmdletBinding = blockAttributes.find((a) => attributeName(a).toLowerCase() === 'cmdletbinding');
      const bindingArgs = new Map<string, string>();
      if (cmdletBinding !== undefined) {
        for (const argument of attributeArguments(cmdletBinding)) {
          const argName = argumentName(argument);
          if (argName !== undefined) bindingArgs.set(argName.toLowerCase(), argumentValue(argument)?.text.trim() ?? '');
        }
      }
      const outputTypes = blockAttributes
        .filter((a) => attributeName(a).toLowerCase() === 'outputtype')
        .flatMap((a) => positionalStrings(a));
      functions.push({
        name,
        file: file.path,
        node: fn,
        body,
        help,
        cmdletBinding,
        bindingArgs,
        outputTypes: [...new Set(outputTypes)],
        params: parseParams(paramBlock),
        isPublic: file.path.startsWith('psmodule/Public/'),
      });
    }
  }
  return functions;
}

/** Comment-based help keywords: keyword (upper case) -> texts of each section. */
export function helpSections(help: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: { key: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    sections.set(current.key, [...(sections.get(current.key) ?? []), current.lines.join('\n').trim()]);
  };
  for (const line of help.replace(/^<#|#>$/g, '').split('\n')) {
    const keyword = /^\s*\.([A-Za-z]+)\s*(.*)$/.exec(line);
    if (keyword !== null) {
      flush();
      const arg = keyword[2]!.trim();
      current = { key: keyword[1]!.toUpperCase() + (arg === '' ? '' : ` ${arg}`), lines: [] };
    } else if (current !== undefined) {
      current.lines.push(line);
    }
  }
  flush();
  return sections;
}

/** Calls of a command by name inside node: command nodes whose command_name matches. */
function commandCalls(node: Node, name: string): Node[] {
  return ofType(node, 'command').filter((c) => c.namedChildren.find((x) => x.type === 'command_name')?.text.trim().toLowerCase() === name.toLowerCase());
}

/** -Name value pairs of a command call (value undefined for a switch). */
function commandArguments(command: Node): Map<string, Node | undefined> {
  const elements = command.namedChildren.find((c) => c.type === 'command_elements');
  const out = new Map<string, Node | undefined>();
  if (elements === undefined) return out;
  const items = elements.namedChildren.filter((c) => c.type !== 'command_argument_sep');
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.type !== 'command_parameter') continue;
    const name = item.text.replace(/^-/, '').replace(/:$/, '').toLowerCase();
    const next = items[i + 1];
    if (next !== undefined && next.type !== 'command_parameter') {
      out.set(name, next);
      i++;
    } else {
      out.set(name, undefined);
    }
  }
  return out;
}

export interface EngineCall {
  fn: FunctionInfo;
  call: Node;
  command: string | undefined;
  /** params key -> value expression nodes */
  keys: Map<string, Node[]>;
  dryRunArgument: boolean;
  cmdletArgument: string | undefined;
}

/** Finds the keys a cmdlet puts into the params it passes to Invoke-OfflineSeedEngine. */
export function engineCalls(fn: FunctionInfo): EngineCall[] {
  return commandCalls(fn.body, 'Invoke-OfflineSeedEngine').map((call) => {
    const args = commandArguments(call);
    const commandNode = args.get('command');
    const command = commandNode === undefined ? undefined : stringValue(commandNode);
    const keys = new Map<string, Node[]>();
    const addKey = (key: string, value: Node): void => void keys.set(key, [...(keys.get(key) ?? []), value]);
    const addHash = (hash: Node): void => {
      for (const entry of ofType(hash, 'hash_entry').filter((e) => sameNode(closest(e, 'hash_literal_expression'), hash))) {
        const keyNode = entry.namedChildren.find((c) => c.type === 'key_expression')!;
        const value = entry.namedChildren.find((c) => c.type !== 'key_expression')!;
        addKey(stringValue(keyNode) ?? keyNode.text.trim(), value);
      }
    };
    const paramsNode = args.get('parameters');
    if (paramsNode !== undefined) {
      const inlineHash = ofType(paramsNode, 'hash_literal_expression')[0];
      const variable = ofType(paramsNode, 'variable')[0];
      if (inlineHash !== undefined) addHash(inlineHash);
      else if (variable !== undefined) {
        const name = variableName(variable).toLowerCase();
        for (const assignment of ofType(fn.body, 'assignment_expression')) {
          const left = assignment.namedChildren.find((c) => c.type === 'left_assignment_expression')!;
          const right = assignment.namedChildren.at(-1)!;
          const leftVariables = ofType(left, 'variable');
          if (leftVariables.length === 0 || variableName(leftVariables[0]!).toLowerCase() !== name) continue;
          const access = ofType(left, 'element_access', 'member_access')[0];
          if (access === undefined) {
            const hash = ofType(right, 'hash_literal_expression')[0];
            if (hash !== undefined) addHash(hash);
          } else if (access.type === 'element_access') {
            const index = access.namedChildren[1];
            const key = index === undefined ? undefined : stringValue(index);
            if (key !== undefined) addKey(key, right);
          } else {
            const member = access.namedChildren.find((c) => c.type === 'member_name');
            if (member !== undefined) addKey(member.text.trim(), right);
          }
        }
      }
    }
    const cmdletNode = args.get('cmdlet');
    return {
      fn,
      call,
      command,
      keys,
      dryRunArgument: args.has('dryrun'),
      cmdletArgument: cmdletNode?.text.trim(),
    };
  });
}

/** Parameters a value expression depends on, following local variables to their assignments. */
function parametersBehind(fn: FunctionInfo, value: Node, seen = new Set<string>()): Set<string> {
  const params = new Map(fn.params.map((p) => [p.name.toLowerCase(), p.name]));
  const out = new Set<string>();
  for (const variable of ofType(value, 'variable')) {
    const name = variableName(variable).toLowerCase();
    if (params.has(name)) {
      out.add(params.get(name)!);
      continue;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    for (const assignment of ofType(fn.body, 'assignment_expression', 'foreach_statement')) {
      if (assignment.type === 'foreach_statement') {
        const loopVariable = assignment.namedChildren.find((c) => c.type === 'variable');
        const source = assignment.namedChildren.find((c) => c.type === 'pipeline');
        if (loopVariable !== undefined && source !== undefined && variableName(loopVariable).toLowerCase() === name) {
          for (const p of parametersBehind(fn, source, seen)) out.add(p);
        }
        continue;
      }
      const left = assignment.namedChildren.find((c) => c.type === 'left_assignment_expression')!;
      const first = ofType(left, 'variable')[0];
      if (first !== undefined && variableName(first).toLowerCase() === name) {
        for (const p of parametersBehind(fn, assignment.namedChildren.at(-1)!, seen)) out.add(p);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// XML (the format file): a small well-formedness checking parser

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (message: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`XML line ${line}: ${message}`);
  };
  const checkText = (text: string): string => {
    if (text.includes('<')) fail('unescaped < in text');
    return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);|&/g, (match, entity: string | undefined) => {
      if (entity === undefined) return fail('unescaped & in text');
      if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
      if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      return named[entity] ?? fail(`unknown entity ${match}`);
    });
  };
  const skipMisc = (): void => {
    for (;;) {
      const ws = /^\s*/.exec(source.slice(i))![0];
      i += ws.length;
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        if (source.slice(i + 4, end).includes('--')) fail('-- inside a comment');
        i = end + 3;
      } else if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else return;
    }
  };
  const name = /^[A-Za-z_][\w.-]*/;
  const parseElement = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const tag = name.exec(source.slice(i))?.[0] ?? fail('bad element name');
    i += tag.length;
    const element: XmlElement = { name: tag, attributes: {}, children: [], text: '' };
    for (;;) {
      const ws = /^\s*/.exec(source.slice(i))![0];
      i += ws.length;
      if (source.startsWith('/>', i)) {
        i += 2;
        return element;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      if (ws === '') fail(`expected whitespace before attribute in <${tag}>`);
      const attr = name.exec(source.slice(i))?.[0] ?? fail(`bad attribute in <${tag}>`);
      i += attr.length;
      const eq = /^\s*=\s*(["'])/.exec(source.slice(i)) ?? fail(`attribute ${attr} without a quoted value`);
      i += eq[0].length;
      const end = source.indexOf(eq[1]!, i);
      if (end < 0) fail('unterminated attribute value');
      if (attr in element.attributes) fail(`duplicate attribute ${attr}`);
      element.attributes[attr] = checkText(source.slice(i, end));
      i = end + 1;
    }
    for (;;) {
      const next = source.indexOf('<', i);
      if (next < 0) fail(`unclosed <${tag}>`);
      element.text += checkText(source.slice(i, next));
      i = next;
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name.exec(source.slice(i))?.[0] ?? fail('bad closing tag');
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        i += closing.length;
        const rest = /^\s*>/.exec(source.slice(i)) ?? fail('bad closing tag');
        i += rest[0].length;
        return element;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
        continue;
      }
      if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        element.text += source.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      element.children.push(parseElement());
    }
  };
  if (source.charCodeAt(0) === 0xfeff) i = 1;
  skipMisc();
  const root = parseElement();
  skipMisc();
  if (i !== source.length) fail('content after the root element');
  return root;
}

function xmlChildren(element: XmlElement, ...path: string[]): XmlElement[] {
  let current = [element];
  for (const step of path) current = current.flatMap((e) => e.children.filter((c) => c.name === step));
  return current;
}

function xmlDescendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((c) => (c.name === name ? [c] : []).concat(xmlDescendants(c, name)));
}

// ---------------------------------------------------------------------------------------------------
// The checks

export type CheckId =
  | 'parse' | 'ascii' | 'layout' | 'verbs' | 'cmdletBinding' | 'outputType' | 'help' | 'shouldProcess' | 'manifest'
  | 'engineCommand' | 'params' | 'pipeline' | 'format' | 'forbidden' | 'bridge' | 'variables' | 'unusedParams';

export const CHECK_IDS: readonly CheckId[] = [
  'parse', 'ascii', 'layout', 'verbs', 'cmdletBinding', 'outputType', 'help', 'shouldProcess', 'manifest',
  'engineCommand', 'params', 'pipeline', 'format', 'forbidden', 'bridge', 'variables', 'unusedParams',
];

export interface Analysis {
  problems: Record<CheckId, string[]>;
  functions: FunctionInfo[];
  /** Engine commands the cmdlets use that `describe` does not list yet (checked against schema files). */
  notDescribed: string[];
  /** Commands `describe` maps to a cmdlet that the module does not have. */
  missingCmdlets: string[];
}

export interface AnalyzeOptions {
  parser: Parser;
  described: Map<string, EngineCommand>;
  packageVersion: string;
}

/**
 * Trees and syntax problems by file text: the mutation tests analyse the module once per mutation, and
 * all files but the mutated one are the same text each time (the trees are only read, never edited).
 */
const parseCache = new Map<string, { tree: Tree | null; syntaxProblems: string[] }>();

function parsedText(parser: Parser, text: string): { tree: Tree | null; syntaxProblems: string[] } {
  let entry = parseCache.get(text);
  if (entry === undefined) {
    const tree = parser.parse(text);
    const syntaxProblems: string[] = [];
    for (const node of tree === null ? [] : descendants(tree.rootNode)) {
      if (node.isError || node.type === 'ERROR') syntaxProblems.push(`${node.startPosition.row + 1}: syntax error near ${JSON.stringify(node.text.slice(0, 60))}`);
      else if (node.isMissing) syntaxProblems.push(`${node.startPosition.row + 1}: missing ${node.type}`);
      else if (node.type === 'pipeline_chain_tail') syntaxProblems.push(`${node.startPosition.row + 1}: && and || need PowerShell 7 (the module supports 5.1)`);
    }
    entry = { tree, syntaxProblems };
    parseCache.set(text, entry);
  }
  return entry;
}

export function analyzeModule(files: Map<string, string>, options: AnalyzeOptions): Analysis {
  const problems = Object.fromEntries(CHECK_IDS.map((id) => [id, [] as string[]])) as Record<CheckId, string[]>;
  const report = (id: CheckId, message: string): void => void problems[id].push(message);

  // parse + ascii ------------------------------------------------------------------------------------
  const parsed: ParsedFile[] = [];
  for (const [path, text] of files) {
    if (/[^\x09\x0a\x0d\x20-\x7e]/.test(text)) {
      const at = text.search(/[^\x09\x0a\x0d\x20-\x7e]/);
      report('ascii', `${path}:${text.slice(0, at).split('\n').length}: non-ASCII character (Windows PowerShell 5.1 reads files without a BOM as ANSI)`);
    }
    if (!/\.(ps1|psm1|psd1)$/.test(path)) continue;
    const { tree, syntaxProblems } = parsedText(options.parser, text);
    if (tree === null) {
      report('parse', `${path}: tree-sitter returned no tree`);
      continue;
    }
    parsed.push({ path, text, tree });
    for (const problem of syntaxProblems) report('parse', `${path}:${problem}`);
  }

  const functions = collectFunctions(parsed);
  const publicFunctions = functions.filter((f) => f.isPublic);

  // layout ----------------------------------------------------------------------------------------------
  for (const file of parsed.filter((f) => /^psmodule\/(Public|Private)\/.*\.ps1$/.test(f.path))) {
    const base = file.path.replace(/^.*\//, '').replace(/\.ps1$/, '');
    const top = file.tree.rootNode.namedChildren.filter((c) => c.type !== 'comment');
    const statements = top.flatMap((c) => (c.type === 'statement_list' ? c.namedChildren.filter((s) => s.type !== 'empty_statement') : [c]));
    const defined = statements.filter((s) => s.type === 'function_statement');
    if (defined.length !== 1 || statements.length !== 1) {
      report('layout', `${file.path}: must hold exactly one function and nothing else (found ${statements.length} statements, ${defined.length} functions)`);
    }
    const name = defined[0]?.namedChildren.find((c) => c.type === 'function_name')?.text.trim();
    if (name !== undefined && name !== base) report('layout', `${file.path}: defines ${name}; the file must be named after its function`);
    const nested = ofType(file.tree.rootNode, 'function_statement').length;
    if (nested > defined.length) report('layout', `${file.path}: nested function definitions`);
  }
  for (const path of files.keys()) {
    if (/^psmodule\/(Public|Private)\//.test(path) && !path.endsWith('.ps1')) report('layout', `${path}: only .ps1 files belong in Public/ and Private/`);
  }

  // verbs, CmdletBinding, OutputType, help ------------------------------------------------------------
  for (const fn of functions) {
    const [verb, noun] = fn.name.split('-');
    if (verb === undefined || noun === undefined || !APPROVED_VERBS.has(verb)) report('verbs', `${fn.name}: "${verb}" is not an approved verb (Get-Verb)`);
    else if (!/^[A-Z][A-Za-z0-9]*$/.test(noun) || (!noun.startsWith('OfflineSeed') && !USER_NAMED_CMDLETS.has(fn.name))) report('verbs', `${fn.name}: the noun must be PascalCase and start with the OfflineSeed prefix`);
    if (fn.cmdletBinding === undefined) report('cmdletBinding', `${fn.name}: no [CmdletBinding()] attribute`);
    if (fn.help === undefined) {
      report('help', `${fn.name}: no comment-based help`);
      continue;
    }
    const sections = helpSections(fn.help);
    if (!sections.has('SYNOPSIS')) report('help', `${fn.name}: help has no .SYNOPSIS`);
    if (!fn.isPublic) continue;
    if (fn.outputTypes.length === 0) report('outputType', `${fn.name}: no [OutputType(...)]`);
    for (const key of ['DESCRIPTION', 'OUTPUTS']) if (!sections.has(key)) report('help', `${fn.name}: help has no .${key}`);
    for (const [key, texts] of sections) if (texts.some((t) => t === '')) report('help', `${fn.name}: .${key} is empty`);
    if ((sections.get('EXAMPLE') ?? []).length < 2) report('help', `${fn.name}: help needs at least two .EXAMPLE sections`);
    if (!(sections.get('LINK') ?? []).some((l) => l === 'about_OfflineSeed')) report('help', `${fn.name}: help needs .LINK about_OfflineSeed`);
    for (const type of fn.outputTypes) {
      if (!(sections.get('OUTPUTS') ?? []).some((o) => o.includes(type))) report('help', `${fn.name}: .OUTPUTS does not name ${type}`);
    }
    const documented = new Set([...sections.keys()].filter((k) => k.startsWith('PARAMETER ')).map((k) => k.slice(10).toLowerCase()));
    for (const p of fn.params) if (!documented.has(p.name.toLowerCase())) report('help', `${fn.name}: no .PARAMETER ${p.name}`);
    const supportsShouldProcess = fn.bindingArgs.has('supportsshouldprocess');
    for (const d of documented) {
      const isCommon = supportsShouldProcess && (d === 'whatif' || d === 'confirm');
      if (!isCommon && !fn.params.some((p) => p.name.toLowerCase() === d)) report('help', `${fn.name}: .PARAMETER ${d} documents a parameter that does not exist`);
    }
  }

  // ShouldProcess -----------------------------------------------------------------------------------------
  for (const fn of functions) {
    const verb = fn.name.split('-')[0] ?? '';
    const supports = fn.bindingArgs.has('supportsshouldprocess') && !/\$false/i.test(fn.bindingArgs.get('supportsshouldprocess') ?? '');
    const calls = ofType(fn.body, 'invokation_expression').filter((c) => /^\$PSCmdlet\.ShouldProcess\s*\(/i.test(c.text));
    if (fn.isPublic && STATE_CHANGING_VERBS.has(verb) && !supports) report('shouldProcess', `${fn.name}: a ${verb} cmdlet changes state and must declare SupportsShouldProcess`);
    if (supports && calls.length === 0) report('shouldProcess', `${fn.name}: declares SupportsShouldProcess but never calls $PSCmdlet.ShouldProcess(`);
    if (!supports && calls.length > 0) report('shouldProcess', `${fn.name}: calls ShouldProcess without declaring SupportsShouldProcess`);
    if (supports && !fn.bindingArgs.has('confirmimpact')) report('shouldProcess', `${fn.name}: SupportsShouldProcess without an explicit ConfirmImpact`);
    if (fn.isPublic && (verb === 'Start' || verb === 'Restore') && !/^['"]Medium['"]$/i.test(fn.bindingArgs.get('confirmimpact') ?? '')) {
      report('shouldProcess', `${fn.name}: ConfirmImpact must be 'Medium'`);
    }
    if (fn.isPublic && supports) {
      for (const call of engineCalls(fn)) if (!call.dryRunArgument) report('shouldProcess', `${fn.name}: -WhatIf must reach the engine (pass -DryRun to Invoke-OfflineSeedEngine)`);
      if (!/\$WhatIfPreference/i.test(fn.body.text)) report('shouldProcess', `${fn.name}: must tell -WhatIf (run as a dry run) from a declined -Confirm (do nothing) with $WhatIfPreference`);
    }
  }

  // manifest ----------------------------------------------------------------------------------------------
  const manifestFile = parsed.find((f) => f.path === 'OfflineSeed.psd1');
  if (manifestFile === undefined) report('manifest', 'OfflineSeed.psd1 is missing');
  else {
    let manifest: Record<string, unknown> = {};
    try {
      const hash = ofType(manifestFile.tree.rootNode, 'hash_literal_expression')[0];
      if (hash === undefined) throw new Error('no hashtable');
      manifest = evaluateData(hash) as Record<string, unknown>;
    } catch (error) {
      report('manifest', `OfflineSeed.psd1 is not plain data: ${(error as Error).message}`);
    }
    const get = (key: string): unknown => Object.entries(manifest).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
    const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
    const expectString = (key: string, expected?: string): void => {
      const value = get(key);
      if (typeof value !== 'string' || value.trim() === '') report('manifest', `${key} must be a non-empty string`);
      else if (expected !== undefined && value !== expected) report('manifest', `${key} is '${value}', expected '${expected}'`);
    };
    expectString('RootModule', 'psmodule/OfflineSeed.psm1');
    expectString('ModuleVersion', options.packageVersion);
    expectString('Author');
    expectString('CompanyName');
    expectString('Copyright');
    expectString('Description');
    expectString('PowerShellVersion', '5.1');
    const guid = get('GUID');
    if (typeof guid !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) report('manifest', 'GUID must be a GUID');
    const editions = asList(get('CompatiblePSEditions')).map(String).sort();
    if (editions.join(',') !== 'Core,Desktop') report('manifest', `CompatiblePSEditions must be Desktop and Core, is ${editions.join(', ')}`);
    for (const key of ['FunctionsToExport', 'CmdletsToExport', 'VariablesToExport', 'AliasesToExport']) {
      const value = get(key);
      if (!Array.isArray(value)) report('manifest', `${key} must be an explicit array`);
      else if (value.some((v) => typeof v !== 'string' || /[*?]/.test(v))) report('manifest', `${key} must not use wildcards`);
      else if (key !== 'FunctionsToExport' && value.length > 0) report('manifest', `${key} must be @()`);
    }
    const exported = asList(get('FunctionsToExport')).map(String).sort();
    const publicNames = publicFunctions.map((f) => f.name).sort();
    if (exported.join(',') !== publicNames.join(',')) {
      report('manifest', `FunctionsToExport (${exported.join(', ')}) must equal the functions in psmodule/Public (${publicNames.join(', ')})`);
    }
    const formats = asList(get('FormatsToProcess')).map(String);
    if (formats.join(',') !== 'psmodule/OfflineSeed.format.ps1xml') report('manifest', `FormatsToProcess must be psmodule/OfflineSeed.format.ps1xml, is ${formats.join(', ')}`);
    const fileList = asList(get('FileList')).map(String).sort();
    const actual = [...files.keys()].sort();
    const missing = actual.filter((f) => !fileList.includes(f));
    const extra = fileList.filter((f) => !actual.includes(f));
    if (missing.length > 0) report('manifest', `FileList lacks ${missing.join(', ')}`);
    if (extra.length > 0) report('manifest', `FileList names files that do not exist: ${extra.join(', ')}`);
    for (const key of ['RootModule', 'FormatsToProcess']) {
      for (const path of asList(get(key)).map(String)) if (!files.has(path)) report('manifest', `${key} names ${path}, which does not exist`);
    }
    const privateData = get('PrivateData') as Record<string, unknown> | undefined;
    const psData = (privateData?.['PSData'] ?? {}) as Record<string, unknown>;
    const tags = asList(psData['Tags']).map(String);
    for (const tag of ['PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux']) if (!tags.includes(tag)) report('manifest', `PrivateData.PSData.Tags lacks ${tag}`);
    if (tags.some((t) => /\s/.test(t))) report('manifest', 'PSData tags must not contain spaces');
    for (const key of ['ProjectUri', 'ReleaseNotes']) {
      if (typeof psData[key] !== 'string' || (psData[key] as string).trim() === '') report('manifest', `PrivateData.PSData.${key} is missing`);
    }
  }

  // engine commands and params ----------------------------------------------------------------------------
  const notDescribed = new Set<string>();
  const resultTypes = new Map<string, JsonSchema>();
  for (const command of options.described.values()) resultTypes.set(command.resultTypeName, command.result);
  const cmdletOfCommand = new Map<string, string>();
  for (const fn of publicFunctions) {
    const calls = engineCalls(fn);
    if (calls.length === 0) {
      report('engineCommand', `${fn.name}: never calls Invoke-OfflineSeedEngine`);
      continue;
    }
    for (const call of calls) {
      if (call.command === undefined) {
        report('engineCommand', `${fn.name}: Invoke-OfflineSeedEngine needs a literal -Command 'group.name'`);
        continue;
      }
      if (call.cmdletArgument?.toLowerCase() !== '$pscmdlet') report('engineCommand', `${fn.name}: pass -Cmdlet $PSCmdlet so records are written as ${fn.name}`);
      let engine = options.described.get(call.command);
      if (engine === undefined) {
        engine = commandFromSchemaFiles(call.command);
        if (engine === undefined) {
          report('engineCommand', `${fn.name}: engine command ${call.command} is neither in describe nor in schemas/commands`);
          continue;
        }
        notDescribed.add(call.command);
        resultTypes.set(engine.resultTypeName, engine.result);
      }
      cmdletOfCommand.set(call.command, fn.name);
      if (engine.cmdlet !== undefined && engine.cmdlet !== fn.name) report('engineCommand', `${fn.name}: describe says ${call.command} is fronted by ${engine.cmdlet}`);
      if (!fn.outputTypes.includes(engine.resultTypeName)) report('outputType', `${fn.name}: [OutputType] must be '${engine.resultTypeName}' (${call.command}'s result type), is ${fn.outputTypes.join(', ') || 'missing'}`);

      const properties = engine.params.properties ?? {};
      for (const [key, values] of call.keys) {
        const property = properties[key];
        if (property === undefined) {
          report('params', `${fn.name}: ${call.command} has no param "${key}" (params: ${Object.keys(properties).join(', ')})`);
          continue;
        }
        const behind = new Set(values.flatMap((v) => [...parametersBehind(fn, v)]));
        const paramInfos = fn.params.filter((p) => behind.has(p.name));
        if (property['x-secret'] === true || SECRET_PARAMS.has(key)) {
          const fromSecure = values.every((v) => {
            const direct = /^\$(\w+)$/.exec(v.text.trim());
            const param = direct === null ? undefined : fn.params.find((p) => p.name.toLowerCase() === direct[1]!.toLowerCase());
            return param !== undefined && /^(System\.Security\.)?SecureString$/i.test(param.type);
          });
          if (!fromSecure) report('params', `${fn.name}: secret param "${key}" must be set straight from a [SecureString] parameter`);
        }
        for (const param of paramInfos) {
          if (param.validateSet !== undefined && Array.isArray(property.enum)) {
            const a = [...param.validateSet].sort().join(',');
            const b = property.enum.map(String).sort().join(',');
            if (a !== b) report('params', `${fn.name}: [ValidateSet] of -${param.name} (${a}) differs from ${key}'s enum (${b})`);
          }
          const itemSchema = property.type === 'array' ? property.items ?? {} : property;
          if (param.validatePattern !== undefined && itemSchema.pattern !== undefined && param.validatePattern !== itemSchema.pattern) {
            report('params', `${fn.name}: [ValidatePattern] of -${param.name} differs from the schema pattern of ${key} (${itemSchema.pattern})`);
          }
          // Only a number in the schema has a range to compare (a parameter can also feed an object built from it).
          const numeric = itemSchema.type === 'integer' || itemSchema.type === 'number';
          if (numeric && param.validateRange !== undefined && (param.validateRange[0] !== itemSchema.minimum || param.validateRange[1] !== itemSchema.maximum)) {
            report('params', `${fn.name}: [ValidateRange] of -${param.name} differs from ${key}'s range ${itemSchema.minimum}..${itemSchema.maximum}`);
          }
        }
      }
      for (const required of engine.params.required ?? []) {
        const values = call.keys.get(required);
        if (values === undefined) {
          report('params', `${fn.name}: ${call.command} requires "${required}", which the cmdlet never sets`);
          continue;
        }
        const behind = [...new Set(values.flatMap((v) => [...parametersBehind(fn, v)]))];
        const params = fn.params.filter((p) => behind.includes(p.name));
        if (params.length > 0 && !params.some((p) => p.mandatory)) {
          report('params', `${fn.name}: "${required}" is required by ${call.command}, so -${params.map((p) => p.name).join('/-')} must be Mandatory`);
        }
      }
    }
  }
  const missingCmdlets = [...options.described.values()]
    .filter((c) => c.cmdlet !== undefined && !publicFunctions.some((f) => f.name === c.cmdlet))
    .map((c) => `${c.command} (${c.cmdlet})`);

  // pipeline identifiers ------------------------------------------------------------------------------------
  for (const fn of publicFunctions) {
    for (const p of fn.params) {
      if (['StagingPath', 'Repository', 'JobName'].includes(p.name) && !p.pipelineByPropertyName) {
        report('pipeline', `${fn.name}: -${p.name} is an identifier and must be ValueFromPipelineByPropertyName`);
      }
      if (p.name === 'JobName' && p.validatePattern !== '^[a-z][a-z0-9-]*$') report('pipeline', `${fn.name}: -JobName needs [ValidatePattern('^[a-z][a-z0-9-]*$')]`);
      if (['Password', 'Secret', 'Key', 'Token'].some((s) => p.name.endsWith(s)) && !/SecureString$/i.test(p.type)) {
        report('pipeline', `${fn.name}: -${p.name} must be a [SecureString]`);
      }
    }
    const pipelineParams = fn.params.filter((p) => p.pipelineByPropertyName || /ValueFromPipeline\b/i.test(p.node.text));
    const hasProcess = fn.body.namedChildren.some((c) => c.type === 'script_block_body' && ofType(c, 'block_name').some((b) => b.text.trim().toLowerCase() === 'process'));
    if (!hasProcess) report('pipeline', `${fn.name}: needs a process block${pipelineParams.length > 0 ? ' (it takes pipeline input)' : ''}`);
  }

  // format file ----------------------------------------------------------------------------------------------
  const formatText = files.get('psmodule/OfflineSeed.format.ps1xml');
  if (formatText === undefined) report('format', 'psmodule/OfflineSeed.format.ps1xml is missing');
  else {
    let root: XmlElement | undefined;
    try {
      root = parseXml(formatText);
    } catch (error) {
      report('format', `OfflineSeed.format.ps1xml is not well-formed: ${(error as Error).message}`);
    }
    if (root !== undefined) {
      if (root.name !== 'Configuration') report('format', 'the root element must be <Configuration>');
      const views = xmlChildren(root, 'ViewDefinitions', 'View');
      const viewed = new Set<string>();
      const names = new Set<string>();
      for (const view of views) {
        const name = xmlChildren(view, 'Name')[0]?.text.trim() ?? '';
        if (name === '') report('format', 'a <View> has no <Name>');
        if (names.has(name)) report('format', `two views are named ${name}`);
        names.add(name);
        const typeNames = xmlChildren(view, 'ViewSelectedBy', 'TypeName').map((t) => t.text.trim());
        if (typeNames.length === 0) report('format', `view ${name} has no ViewSelectedBy/TypeName`);
        const controls = view.children.filter((c) => ['TableControl', 'ListControl', 'WideControl', 'CustomControl'].includes(c.name));
        if (controls.length !== 1) report('format', `view ${name} needs exactly one control`);
        for (const control of controls.filter((c) => c.name === 'TableControl')) {
          const headers = xmlChildren(control, 'TableHeaders', 'TableColumnHeader').length;
          for (const row of xmlChildren(control, 'TableRowEntries', 'TableRowEntry')) {
            const items = xmlChildren(row, 'TableColumnItems', 'TableColumnItem').length;
            if (items !== headers) report('format', `view ${name}: ${headers} column headers but ${items} column items`);
          }
        }
        for (const typeName of typeNames) {
          viewed.add(typeName);
          const schema = resultTypes.get(typeName);
          if (schema === undefined) continue;
          const known = new Set(Object.keys(schema.properties ?? {}).map((k) => k.toLowerCase()));
          for (const property of xmlDescendants(view, 'PropertyName').map((p) => p.text.trim())) {
            if (!known.has(property.toLowerCase())) report('format', `view ${name}: ${typeName} has no property ${property}`);
          }
          for (const block of xmlDescendants(view, 'ScriptBlock')) {
            for (const match of block.text.matchAll(/\$_\.(\w+)/g)) {
              if (!known.has(match[1]!.toLowerCase())) report('format', `view ${name}: ${typeName} has no property ${match[1]} (script block)`);
            }
          }
        }
      }
      const needed = new Set<string>(REQUIRED_VIEWS);
      for (const command of options.described.values()) if (command.cmdlet !== undefined) needed.add(command.resultTypeName);
      for (const command of notDescribed) needed.add(commandFromSchemaFiles(command)!.resultTypeName);
      for (const fn of publicFunctions) for (const type of fn.outputTypes) needed.add(type);
      for (const type of needed) if (!viewed.has(type)) report('format', `no view for ${type}`);
    }
  }

  // forbidden constructs ---------------------------------------------------------------------------------
  for (const file of parsed) {
    const root = file.tree.rootNode;
    for (const command of ofType(root, 'command')) {
      const name = command.namedChildren.find((c) => c.type === 'command_name')?.text.trim().toLowerCase() ?? '';
      const line = command.startPosition.row + 1;
      if (name === 'write-host') report('forbidden', `${file.path}:${line}: Write-Host (use the Information stream)`);
      if (name === 'invoke-expression' || name === 'iex') report('forbidden', `${file.path}:${line}: Invoke-Expression`);
      if (name === 'read-host') report('forbidden', `${file.path}:${line}: Read-Host (breaks non-interactive use)`);
      if (name === 'convertto-securestring' && /-AsPlainText/i.test(command.text)) report('forbidden', `${file.path}:${line}: ConvertTo-SecureString -AsPlainText`);
      if (name === 'convertfrom-securestring') report('forbidden', `${file.path}:${line}: ConvertFrom-SecureString turns a secret into text`);
      // Write-Error loses the engine's errorId and category: errors go through $Cmdlet.WriteError in the bridge.
      if (name === 'write-error') report('forbidden', `${file.path}:${line}: Write-Error (build an ErrorRecord and use $PSCmdlet.WriteError)`);
      // Prompts: in powershell -NonInteractive (scheduled tasks, runbooks, DSC) they throw instead of asking.
      if (name === 'get-credential') report('forbidden', `${file.path}:${line}: Get-Credential prompts (take a [pscredential] parameter)`);
      if (name === 'pause') report('forbidden', `${file.path}:${line}: pause waits for a key press`);
    }
    for (const statement of ofType(root, 'flow_control_statement')) {
      // Scripts (psmodule/Scripts: a scheduled task's action) report through their exit code; module code never exits.
      if (/^exit\b/i.test(statement.text) && !file.path.startsWith('psmodule/Scripts/')) report('forbidden', `${file.path}:${statement.startPosition.row + 1}: exit in module code ends the user's session`);
    }
    for (const call of ofType(root, 'invokation_expression')) {
      const line = call.startPosition.row + 1;
      if (/^\$Host\.UI\.(Prompt|PromptForChoice|PromptForCredential|ReadLine|ReadLineAsSecureString)\b/i.test(call.text) || /^\$Host\.UI\.RawUI\.ReadKey/i.test(call.text)) {
        report('forbidden', `${file.path}:${line}: ${call.text.split('(')[0]} prompts (fails in a non-interactive host)`);
      }
      if (/^\[(System\.)?Console\]::(ReadLine|ReadKey|Read)\b/i.test(call.text)) report('forbidden', `${file.path}:${line}: reads the console (fails in a non-interactive host)`);
      // ShouldContinue always prompts, even with -Confirm:$false: only behind -Force (PSSA AvoidShouldContinueWithoutForce).
      if (/^\$PSCmdlet\.ShouldContinue\s*\(/i.test(call.text)) {
        const condition = ancestors(call).find((a) => a.type === 'if_statement' || a.type === 'elseif_clause');
        if (condition === undefined || !/\$Force\s+-or\s+\$PSCmdlet\.ShouldContinue\s*\(/i.test(condition.text)) {
          report('forbidden', `${file.path}:${line}: ShouldContinue without -Force: write if ($Force -or $PSCmdlet.ShouldContinue(...)) so scripts can pass -Force`);
        }
      }
    }
    for (const variable of ofType(root, 'variable')) {
      if (/^\$global:/i.test(variable.text)) report('forbidden', `${file.path}:${variable.startPosition.row + 1}: global variable ${variable.text}`);
    }
    if (file.path.startsWith('psmodule/Public/')) {
      for (const pattern of [/SecureStringToBSTR/i, /PtrToString/i, /NetworkCredential/i, /ConvertFrom-SecureString/i, /GetNetworkCredential/i]) {
        if (pattern.test(file.text)) report('forbidden', `${file.path}: ${pattern.source}: cmdlets pass SecureStrings on; only the bridge decodes them, at write time`);
      }
    }
    if (/PtrToString/i.test(file.text)) report('forbidden', `${file.path}: PtrToString* makes a managed string copy of a secret`);
    if (/SecureStringToBSTR/i.test(file.text)) {
      const finallyText = ofType(root, 'finally_clause').map((f) => f.text).join('\n');
      if (!/ZeroFreeBSTR/.test(finallyText)) report('forbidden', `${file.path}: SecureStringToBSTR without ZeroFreeBSTR in a finally block`);
    }
  }

  // the bridge ------------------------------------------------------------------------------------------
  const bridge = functions.find((f) => f.name === 'Invoke-OfflineSeedEngine');
  if (bridge === undefined) report('bridge', 'Invoke-OfflineSeedEngine is missing');
  else {
    const text = bridge.body.text;
    const required: [RegExp, string][] = [
      [/ReadLineAsync\(\)/, 'reads stdout with ReadLineAsync'],
      [/\.Wait\(200\)/, 'polls with Wait(200) on the pipeline thread'],
      [/StandardError\.ReadToEndAsync\(\)/, 'drains stderr with ReadToEndAsync'],
      [/UseShellExecute\s*=\s*\$false/, 'sets UseShellExecute = $false'],
      [/RedirectStandardInput\s*=\s*\$true/, 'redirects stdin'],
      [/RedirectStandardOutput\s*=\s*\$true/, 'redirects stdout'],
      [/RedirectStandardError\s*=\s*\$true/, 'redirects stderr'],
      [/StandardOutputEncoding\s*=/, 'sets StandardOutputEncoding'],
      [/StandardErrorEncoding\s*=/, 'sets StandardErrorEncoding'],
      [/UTF8Encoding\]::new\(\$false\)/, 'uses UTF-8 without BOM'],
      [/StandardInput\.BaseStream/, 'writes stdin as bytes to StandardInput.BaseStream'],
      [/ConvertTo-Json -Depth 20 -Compress/, 'serializes the request with ConvertTo-Json -Depth 20 -Compress'],
      [/\$Cmdlet\.WriteProgress\(/, 'maps progress to WriteProgress'],
      [/\$Cmdlet\.WriteVerbose\(/, 'maps verbose logs'],
      [/\$Cmdlet\.WriteInformation\(/, 'maps information logs'],
      [/\$Cmdlet\.WriteWarning\(/, 'maps warning logs'],
      [/\$Cmdlet\.WriteDebug\(/, 'maps debug logs'],
      [/\$Cmdlet\.WriteObject\(/, 'writes result objects'],
      [/\$Cmdlet\.WriteError\(/, 'writes non-terminating errors'],
      [/\$Cmdlet\.ThrowTerminatingError\(/, 'throws terminating errors'],
      [/OfflineSeed\.EngineCrashed/, 'reports crashes as OfflineSeed.EngineCrashed'],
    ];
    for (const [pattern, what] of required) if (!pattern.test(text)) report('bridge', `Invoke-OfflineSeedEngine ${what}`);
    for (const pattern of [/OutputDataReceived/i, /ErrorDataReceived/i, /BeginOutputReadLine/i, /BeginErrorReadLine/i, /Register-ObjectEvent/i, /add_Exited/i]) {
      if (pattern.test(text)) report('bridge', `Invoke-OfflineSeedEngine must not use event handlers (${pattern.source}): Write calls must stay on the pipeline thread`);
    }
    const finallies = ofType(bridge.body, 'finally_clause');
    if (finallies.length === 0) report('bridge', 'Invoke-OfflineSeedEngine has no finally block');
    for (const clause of finallies) {
      for (const command of ofType(clause, 'command')) {
        report('bridge', `Invoke-OfflineSeedEngine's finally block calls ${command.namedChildren[0]?.text.trim()}: only .NET method calls work there after Ctrl+C`);
      }
    }
    const finallyText = finallies.map((f) => f.text).join('\n');
    for (const [pattern, what] of [
      [/StandardInput\.Close\(\)/, 'closes stdin'],
      [/WaitForExit\(5000\)/, 'waits up to 5 s'],
      [/\.Kill\(\$true\)/, 'kills the process tree (Kill($true), .NET Core 3+)'],
      [/\.Kill\(\)/, 'falls back to Kill() on .NET Framework'],
      [/ProgressRecordType\]::Completed/, 'completes every progress bar'],
    ] as [RegExp, string][]) {
      if (!pattern.test(finallyText)) report('bridge', `the finally block of Invoke-OfflineSeedEngine ${what}`);
    }
    // Secrets never reach a trace: values that can hold them stay out of every Write call.
    const secretHolders = /\$(Parameters|wireParams|requestJson|secrets|value|token)\b/i;
    for (const call of ofType(bridge.body, 'invokation_expression')) {
      if (/^\$Cmdlet\.Write(Debug|Verbose|Information|Warning)\(/i.test(call.text) && secretHolders.test(call.text)) {
        report('bridge', `Invoke-OfflineSeedEngine:${call.startPosition.row + 1}: a trace may contain a secret: ${call.text.slice(0, 80)}`);
      }
    }
    for (const name of SECRET_PARAMS) {
      if (!new RegExp(`'${name}'`).test(files.get('psmodule/OfflineSeed.psm1') ?? '')) report('bridge', `the module's list of secret params lacks ${name}`);
    }
  }

  // variables: read but never set (typos), set but never read, parameters never used ---------------------
  const scriptVariables = new Set<string>();
  for (const file of parsed) {
    for (const assignment of ofType(file.tree.rootNode, 'left_assignment_expression')) {
      const first = ofType(assignment, 'variable')[0];
      if (first !== undefined && /^\$script:/i.test(first.text)) scriptVariables.add(variableName(first).toLowerCase());
    }
  }
  for (const fn of functions) {
    const declared = new Set(fn.params.map((p) => p.name.toLowerCase()));
    const assigned = new Map<string, Node>();
    const assignedNodes = new Set<string>();
    for (const node of ofType(fn.body, 'left_assignment_expression')) {
      const first = ofType(node, 'variable')[0];
      const access = ofType(node, 'element_access', 'member_access')[0];
      if (first === undefined || access !== undefined) continue;
      assigned.set(variableName(first).toLowerCase(), first);
      assignedNodes.add(nodeKey(first));
    }
    for (const loop of ofType(fn.body, 'foreach_statement')) {
      const variable = loop.namedChildren.find((c) => c.type === 'variable');
      if (variable !== undefined) {
        assigned.set(variableName(variable).toLowerCase(), variable);
        assignedNodes.add(nodeKey(variable));
      }
    }
    const read = new Set<string>();
    for (const variable of ofType(fn.body, 'variable')) {
      if (assignedNodes.has(nodeKey(variable)) || closest(variable, 'param_block') !== undefined) continue;
      const name = variableName(variable).toLowerCase();
      const line = variable.startPosition.row + 1;
      read.add(name);
      if (/^(env|using|global):/.test(name)) continue;
      if (name.startsWith('script:')) {
        if (!scriptVariables.has(name)) report('variables', `${fn.file}:${line}: ${variable.text} is never assigned in the module`);
        continue;
      }
      if (!declared.has(name) && !assigned.has(name) && !AUTOMATIC_VARIABLES.has(name)) {
        report('variables', `${fn.file}:${line}: ${fn.name} reads ${variable.text}, which it never sets (a typo, or a variable that does not exist in Windows PowerShell 5.1 under Set-StrictMode)`);
      }
    }
    for (const [name, node] of assigned) {
      if (name === 'null' || name.includes(':')) continue;
      if (!read.has(name)) report('variables', `${fn.file}:${node.startPosition.row + 1}: ${fn.name} sets $${name} but never reads it`);
    }
    // As PSScriptAnalyzer's ReviewUnusedParameter: a function that hands $PSBoundParameters on as a
    // whole (not just .ContainsKey) may use any of its parameters through it.
    const forwardsBound = /\$PSBoundParameters(?!\s*[.[])/i.test(fn.body.text);
    for (const p of fn.params) {
      if (!forwardsBound && !read.has(p.name.toLowerCase())) report('unusedParams', `${fn.name}: parameter -${p.name} is never used`);
    }
  }

  return { problems, functions, notDescribed: [...notDescribed], missingCmdlets };
}
