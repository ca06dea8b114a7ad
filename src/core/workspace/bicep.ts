// Reads APIM resources declared in Bicep, one deployment at a time: an entry file (a .bicep file no
// other one uses as a module) and the modules it calls, with the params they are passed, form one
// scope where names, params and vars resolve. `existing` resources are references, never
// declarations. Specs and policies come from `loadTextContent(...)`, inline strings, params and vars;
// what the files do not determine is reported where it is written, never guessed.
import * as path from 'path';
import { BICEP_SYNTAX, writtenPropertyEdits, type WrittenObject, type WrittenValue } from '../fixes/writtenProperties';
import type { Declaration, InlinePolicy, PolicyAttachment } from '../model';
import type { JsonPath } from '../parse/document';
import { parsePolicyXml } from '../policy/xml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblemKind } from '../problems';
import type { Span } from '../text';
import { decodeJsonString, placeXmlText } from './armText';
import type { ReadContext } from './context';
import { declarationOf, isObject, NOT_KNOWN, type Properties } from './declaration';
import { buildDeclaredContent, kindInScope, READ_KINDS, type DeclaredResource } from './declaredResources';
import { parseBicepExpression, type BicepNode, type ObjectEntry } from './bicepExpression';
import { bicepValueAt, parseBicepFile, type BicepExpression, type BicepFile, type BicepLoop, type BicepModule, type BicepObject, type BicepResource, type BicepValue } from './bicepParser';
import { Evaluator, HOLE, isPlainObject, Loaded, ResourceReference, Text, Unknown, unknownPartOf, type NameScope, type Value } from './bicepValues';
import { qualifyDeployments } from './bicepDeployments';
import { shorten } from './terraformValues';
import { emptyContent, type ServiceContent } from './resources';

const PROVIDER = 'microsoft.apimanagement/';
/** A `.bicep` file that may declare APIM resources; others are not read. */
export const BICEP_MENTIONS_APIM = /Microsoft\.ApiManagement\/service/i;
/** Modules called inside one another before the chain is refused. */
const MAX_MODULE_DEPTH = 16;
/** File instances (entry and module calls, loops included) of one deployment. */
const MAX_INSTANCES = 1000;
/** Resources or modules one `for` loop may make. */
const MAX_LOOP_ITEMS = 1000;
/** Parent chains followed before they are taken for a cycle (`a.parent = b`, `b.parent = a`). */
const MAX_PARENT_DEPTH = 8;

/**
 * The properties the model reads, per resource kind: only these are said when not known (a
 * description or a logger id that only Azure knows changes nothing analysed).
 */
const READ_PROPERTIES: Record<string, readonly string[]> = {
  'service/apis': ['path', 'protocols', 'subscriptionRequired', 'serviceUrl', 'apiRevision', 'isCurrent', 'apiVersion', 'apiVersionSetId', 'type', 'apiType', 'format'],
  'service/apis/operations': ['method', 'urlTemplate'],
  'service/products': ['subscriptionRequired', 'state'],
  'service/products/apilinks': ['apiId'],
  'service/subscriptions': ['scope', 'state'],
  'service/backends': ['url', 'protocol', 'tls', 'credentials'],
  'service/namedvalues': ['secret', 'keyVault'],
  'service/apiversionsets': ['versioningScheme'],
};

/** The APIM resources of the `.bicep` files among `files`, with `.bicepparam` and `*.parameters.json` files naming them. */
export function readBicep(files: readonly string[], ctx: ReadContext): ServiceContent {
  const sources = new BicepSources(files, ctx);
  const contents: { entry: string; content: ServiceContent }[] = [];
  const visited = new Set<string>();
  const read = (entry: string) => {
    const what = `The Bicep deployment of ${relativePath(ctx, entry)}`;
    const declared = ctx.isolate(entry, what, () => new Deployment(entry, sources, ctx, visited).read());
    if (!declared?.length) return;
    const content = ctx.isolate(entry, what, () => buildDeclaredContent(declared, ctx, 'bicep'));
    if (content) contents.push({ entry, content });
  };
  for (const entry of sources.entries()) read(entry);
  // Files only reachable through a cycle of modules are read as deployments of their own.
  for (const file of sources.bicepFiles) if (!visited.has(file) && BICEP_MENTIONS_APIM.test(sources.parse(file)?.text ?? '')) read(file);
  return contents.length === 0 ? emptyContent() : qualifyDeployments(contents, (entry) => relativePath(ctx, entry));
}

interface ParsedSource {
  text: string;
  parsed: BicepFile;
}

/** A parameter file's value for one param: its text tells whether two files agree. */
interface ParameterValue {
  file: string;
  text: string;
  value: () => Value;
}

/** The scanned Bicep files, parsed once, and which parameter files name which template. */
class BicepSources {
  readonly bicepFiles: string[];
  private readonly parsed = new Map<string, ParsedSource | undefined>();
  private readonly parameterFiles: string[];

  constructor(
    files: readonly string[],
    private readonly ctx: ReadContext,
  ) {
    this.bicepFiles = files.filter((file) => file.endsWith('.bicep')).sort();
    this.parameterFiles = files.filter((file) => file.endsWith('.bicepparam') || /\.parameters\.json$/i.test(file)).sort();
  }

  parse(file: string): ParsedSource | undefined {
    if (this.parsed.has(file)) return this.parsed.get(file);
    const text = this.ctx.files.read(file).text;
    const source =
      text === undefined
        ? undefined
        : this.ctx.isolate(file, path.basename(file), () => ({
            text,
            parsed: parseBicepFile(text, (span) => this.ctx.report([{ file, span, kind: 'too-deep', message: `Values are nested more than ${MAX_NESTING_DEPTH} levels deep: what is below is read as empty.` }])),
          }));
    this.parsed.set(file, source);
    return source;
  }

  /** Files no other file calls as a module, in path order. */
  entries(): string[] {
    const called = new Set<string>();
    for (const file of this.bicepFiles) {
      for (const module of this.parse(file)?.parsed.modules ?? []) called.add(path.resolve(path.dirname(file), module.path));
    }
    return this.bicepFiles.filter((file) => !called.has(file));
  }

  /** The values parameter files give `template`'s params: `.bicepparam` files `using` it, `x.parameters.json` beside `x.bicep`. */
  parameterValues(template: string, deployment: Deployment): Map<string, ParameterValue[]> {
    const values = new Map<string, ParameterValue[]>();
    const add = (name: string, value: ParameterValue) => values.set(name, [...(values.get(name) ?? []), value]);
    for (const file of this.parameterFiles) {
      if (file.endsWith('.bicepparam')) {
        const source = this.parse(file);
        const using = source?.parsed.using;
        if (!source || !using || path.resolve(path.dirname(file), using.path) !== template) continue;
        this.ctx.noteRead(file);
        const instance = new FileInstance(deployment, file, source, () => undefined, 'the parameter file', []);
        for (const [name, binding] of source.parsed.params) {
          if (binding.value) add(name, { file, text: source.text.slice(binding.value.span.start, binding.value.span.end), value: () => instance.param(name) });
        }
      } else if (path.dirname(file) === path.dirname(template) && path.basename(file).toLowerCase() === path.basename(template, '.bicep').toLowerCase() + '.parameters.json') {
        const document = this.ctx.parseDocument(file);
        const parameters = isObject(document?.value) ? document.value.parameters : undefined;
        if (!document || !isObject(parameters)) continue;
        for (const [name, parameter] of Object.entries(parameters)) {
          const span = document.valueSpan(['parameters', name, 'value']);
          if (!isObject(parameter) || !('value' in parameter) || !span) continue;
          add(name, { file, text: document.text.slice(span.start, span.end), value: () => jsonValue(parameter.value, document.text, ['parameters', name, 'value'], (at) => document.valueSpan(at), file) });
        }
      }
    }
    return values;
  }
}

/** A JSON value as a Bicep value, strings located in the JSON file. */
function jsonValue(value: unknown, text: string, at: JsonPath, spanOf: (at: JsonPath) => Span | undefined, file: string): Value {
  if (typeof value === 'string') {
    const span = spanOf(at);
    const decoded = span && text[span.start] === '"' ? decodeJsonString(text, span) : undefined;
    return decoded && decoded.value === value ? new Text(value, { file, offsets: decoded.offsets }) : new Text(value);
  }
  if (Array.isArray(value)) return value.map((item, index) => jsonValue(item, text, [...at, index], spanOf, file));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonValue(item, text, [...at, key], spanOf, file)]));
  return typeof value === 'number' || typeof value === 'boolean' || value === null ? value : null;
}

/** One deployment: the entry file and its module calls, each a `FileInstance` with the params it is passed. */
class Deployment {
  readonly evaluator = new Evaluator();
  private readonly declared: DeclaredResource[] = [];
  private readonly declaredIds = new Set<string>();
  private instances = 0;

  constructor(
    readonly entry: string,
    readonly sources: BicepSources,
    readonly ctx: ReadContext,
    private readonly visited: Set<string>,
  ) {}

  read(): DeclaredResource[] {
    const source = this.sources.parse(this.entry);
    if (!source) return [];
    const given = this.sources.parameterValues(this.entry, this);
    const paramSource = (name: string): Value | undefined => {
      const values = given.get(name);
      if (!values) return undefined;
      const texts = new Set(values.map((value) => value.text));
      if (texts.size > 1) return new Unknown(`param ${name} is set differently by ${values.map((value) => path.basename(value.file)).join(' and ')}`);
      return values[0].value();
    };
    this.populate(this.instantiate(this.entry, source, paramSource, 'no parameter file gives it a value', [this.entry]));
    return this.declared;
  }

  private instantiate(file: string, source: ParsedSource, paramSource: (name: string) => Value | undefined, noValue: string, chain: readonly string[]): FileInstance {
    this.visited.add(file);
    if (BICEP_MENTIONS_APIM.test(source.text)) this.ctx.noteRead(file);
    return new FileInstance(this, file, source, paramSource, noValue, chain);
  }

  /** Declares what a file instance and the modules it calls deploy. */
  private populate(instance: FileInstance): void {
    for (const resource of instance.parsed.resources) this.declare(instance, resource);
    for (const module of instance.parsed.modules) {
      const called = instance.moduleCall(module);
      if (!(called instanceof Unknown)) for (const child of called) if (child) this.populate(child);
    }
  }

  /**
   * A module call's instances, one per loop item (undefined for an item its condition leaves
   * undeployed), with the params this call passes; or why it is not read, said once.
   */
  callModule(caller: FileInstance, module: BicepModule): (FileInstance | undefined)[] | Unknown {
    const reference = module.path;
    if (/^(br|ts)[:/]/.test(reference)) {
      // A registry module is not fetched; said only when it is an API Management one.
      if (/api-?management/i.test(reference)) this.report(caller.file, module.pathSpan, `The registry module ${reference} is not fetched: the APIM resources it declares are not read.`, 'remote-ref');
      return new Unknown(`module ${module.symbol} comes from ${reference}, which is not fetched`);
    }
    const file = path.resolve(path.dirname(caller.file), reference);
    const notRead = (message: string, kind: InputProblemKind) => {
      this.report(caller.file, module.pathSpan, message, kind);
      return new Unknown(`module ${module.symbol} is not read`);
    };
    if (!file.endsWith('.bicep')) return new Unknown(`module ${module.symbol} is not a .bicep file`);
    if (!this.ctx.files.isInside(file)) return notRead(`The module ${reference} is outside the scanned folder; it was not opened.`, 'outside-root');
    const { chain } = caller;
    if (chain.includes(file)) return notRead(`The module ${reference} calls itself through ${chain.map((item) => path.basename(item)).join(' → ')}: it is not read again.`, 'ref-cycle');
    if (chain.length > MAX_MODULE_DEPTH) return notRead(`Modules are called more than ${MAX_MODULE_DEPTH} deep: ${reference} is not read.`, 'too-deep');
    const source = this.ctx.files.exists(file) ? this.sources.parse(file) : undefined;
    if (!source) return notRead(`The module ${reference} is not a file that could be read.`, 'unresolved-ref');
    // Called, even when not deployed: not a deployment of its own.
    this.visited.add(file);
    const paramsNode = bicepValueAt(module.body, ['params']);
    const instances: (FileInstance | undefined)[] = [];
    for (const locals of this.loopItems(caller, module.loop, `module ${module.symbol}`)) {
      if (!this.isDeployed(caller, module.condition, locals, `module ${module.symbol}`)) {
        instances.push(undefined);
        continue;
      }
      if (++this.instances > MAX_INSTANCES) {
        this.report(caller.file, module.span, `The deployment calls more than ${MAX_INSTANCES} modules: the rest are not read.`, 'over-budget');
        break;
      }
      const scope = caller.scope(locals);
      // Params written one by one are evaluated one by one; a spread among them needs the whole object.
      const oneByOne = paramsNode?.kind === 'object' && paramsNode.spreads.length === 0;
      const passed = oneByOne ? undefined : paramsNode && this.evaluator.evaluate(caller.node(paramsNode), scope);
      const paramSource = (name: string): Value | undefined => {
        if (oneByOne && paramsNode?.kind === 'object') {
          const value = paramsNode.properties.get(name)?.value;
          return value && this.evaluator.evaluate(caller.node(value), scope);
        }
        if (passed === undefined) return undefined;
        if (isPlainObject(passed)) return passed[name] ?? unknownPartOf(passed)?.unknown;
        return passed instanceof Unknown ? passed : undefined;
      };
      instances.push(this.instantiate(file, source, paramSource, `module ${module.symbol} in ${path.basename(caller.file)} does not pass it`, [...chain, file]));
    }
    return instances;
  }

  /**
   * Whether a declaration written `= if (condition) {...}` is deployed (one loop item of it). A false
   * condition is said, as what is not read; one the files do not determine is said too, and taken
   * as deployed: a resource that may be deployed is judged rather than left out.
   */
  isDeployed(instance: FileInstance, condition: BicepExpression | undefined, locals: ReadonlyMap<string, Value>, what: string): boolean {
    if (!condition) return true;
    const value = this.evaluator.evaluate(instance.node(condition), instance.scope(locals));
    const written = `\`${shorten(condition.text)}\``;
    if (value === false) this.report(instance.file, condition.span, `${what}: the condition ${written} is false${instance.deploymentNote()}: it is not deployed, and not read.`, 'skipped');
    else if (value !== true) {
      const reason = value instanceof Unknown ? value.reason : 'it is not a boolean';
      this.report(instance.file, condition.span, `${what}: the condition ${written} is not known from the files (${reason})${instance.deploymentNote()}; it is read as deployed.`);
    }
    return value !== false;
  }

  /** The loop variables of each item of `loop` (one empty set without a loop); a collection not known is said. */
  loopItems(instance: FileInstance, loop: BicepLoop | undefined, what: string): Map<string, Value>[] {
    if (!loop) return [new Map()];
    const collection = this.evaluator.evaluate(instance.node(loop.collection), instance.scope(new Map()));
    if (!Array.isArray(collection)) {
      const reason = collection instanceof Unknown ? collection.reason : 'it is not an array';
      this.report(instance.file, loop.collection.span, `${what}: the loop over \`${shorten(loop.collection.text)}\` is not known from the files (${reason})${instance.deploymentNote()}; what it declares is not read.`);
      return [];
    }
    return collection.slice(0, MAX_LOOP_ITEMS).map((item, index) => new Map<string, Value>([[loop.item, item], ...(loop.index ? [[loop.index, index] as [string, Value]] : [])]));
  }

  private declare(instance: FileInstance, resource: BicepResource): void {
    if (resource.existing) return;
    const type = instance.staticType(resource).toLowerCase();
    if (!type.startsWith(PROVIDER) || !READ_KINDS.has(kindInScope(type.slice(PROVIDER.length)))) return;
    for (const locals of this.loopItems(instance, resource.loop, resource.symbol)) {
      if (!this.isDeployed(instance, resource.condition, locals, resource.symbol)) continue;
      const declared = this.ctx.isolate(instance.file, resource.symbol, () => new ResourceReader(instance, resource, locals).read());
      if (!declared) continue;
      // The same resource declared twice in one deployment (a module called twice alike) is one resource.
      const id = `${declared.kind}\0${declared.names.join('/')}`;
      if (this.declaredIds.has(id)) continue;
      this.declaredIds.add(id);
      this.declared.push(declared);
    }
  }

  report(file: string, span: Span, message: string, kind: InputProblemKind = 'unresolved-value'): void {
    this.ctx.report([{ file, span, kind, message }]);
  }
}

/** One file of a deployment with the params it is given: where names resolve. */
class FileInstance {
  private readonly values = new Map<string, Value | typeof PENDING>();
  private readonly nodes = new Map<number, BicepNode>();
  private readonly symbols: Map<string, BicepResource>;
  private readonly moduleCalls = new Map<BicepModule, (FileInstance | undefined)[] | Unknown>();
  readonly file: string;
  readonly text: string;
  readonly parsed: BicepFile;

  constructor(
    readonly deployment: Deployment,
    file: string,
    source: ParsedSource,
    private readonly paramSource: (name: string) => Value | undefined,
    private readonly noValue: string,
    /** The files from the entry to this one: a module calling one of them is a cycle. */
    readonly chain: readonly string[],
  ) {
    this.file = file;
    this.text = source.text;
    this.parsed = source.parsed;
    this.symbols = new Map(source.parsed.resources.map((resource) => [resource.symbol, resource]));
  }

  /** The expression at a parsed value, parsed once. */
  node(value: BicepValue): BicepNode {
    let node = this.nodes.get(value.span.start);
    if (!node) this.nodes.set(value.span.start, (node = parseBicepExpression(this.text, value.span)));
    return node;
  }

  param(name: string): Value {
    return this.memo(`param ${name}`, () => {
      const given = this.paramSource(name);
      const binding = this.parsed.params.get(name);
      const fallback = binding?.value;
      // Bicep gives a param its default when it is passed null (`x: item.?x` with no x).
      if (given !== undefined && !(given === null && fallback)) return given;
      if (fallback) return this.evaluate(fallback, new Map());
      return binding?.nullable ? null : new Unknown(`param ${name} has no default, and ${this.noValue}`);
    });
  }

  private variable(name: string): Value {
    return this.memo(`var ${name}`, () => this.evaluate(this.parsed.vars.get(name)!.value!, new Map()));
  }

  /** A param's or var's value, evaluated once; one that depends on itself is not known. */
  private memo(key: string, compute: () => Value): Value {
    const known = this.values.get(key);
    if (known === PENDING) return new Unknown(`${key} depends on itself`);
    if (known !== undefined) return known;
    this.values.set(key, PENDING);
    const value = compute();
    this.values.set(key, value);
    return value;
  }

  evaluate(value: BicepValue, locals: ReadonlyMap<string, Value>): Value {
    return this.deployment.evaluator.evaluate(this.node(value), this.scope(locals));
  }

  scope(locals: ReadonlyMap<string, Value>): NameScope {
    return {
      file: this.file,
      lookup: (name) => {
        const local = locals.get(name);
        if (local !== undefined) return local;
        if (this.parsed.params.has(name)) return this.param(name);
        if (this.parsed.vars.get(name)?.value) return this.variable(name);
        const resource = this.symbols.get(name);
        if (resource) return this.reference(resource, resource.loop ? undefined : new Map());
        const module = this.parsed.modules.find((candidate) => candidate.symbol === name);
        if (module) return this.moduleReference(module);
        return new Unknown(`${name} is not declared in ${path.basename(this.file)}`);
      },
      nested: (parent, child) => {
        if (parent instanceof Unknown) return parent;
        const resource = this.parsed.resources.find((candidate) => candidate.symbol === child && candidate.lexicalParent !== undefined && parent instanceof ResourceReference && candidate.lexicalParent.symbol === parent.symbol);
        return resource ? this.reference(resource, locals) : new Unknown(`::${child} is not a resource declared inside it`);
      },
      loadedFile: (relative, call) => {
        const loaded = path.resolve(path.dirname(this.file), relative);
        if (this.deployment.ctx.files.isInside(loaded)) return loaded;
        this.deployment.report(this.file, call.span, `${this.text.slice(call.span.start, call.span.end)} points outside the scanned folder; it was not opened.`, 'outside-root');
        return new Unknown(`${relative} is outside the scanned folder`);
      },
      readText: (file) => this.deployment.ctx.readText(file),
    };
  }

  /** The instances of a module call, made once: for what they declare and for their outputs. */
  moduleCall(module: BicepModule): (FileInstance | undefined)[] | Unknown {
    let called = this.moduleCalls.get(module);
    if (!called) {
      // Set while the call is worked out, so that a module whose params read its own outputs ends.
      this.moduleCalls.set(module, new Unknown(`module ${module.symbol} depends on its own outputs`));
      called = this.deployment.callModule(this, module);
      this.moduleCalls.set(module, called);
    }
    return called;
  }

  /** An output of this file instance, for `module.outputs.name` in its caller. */
  output(name: string): Value {
    const binding = this.parsed.outputs.get(name);
    if (!binding?.value) return new Unknown(`${path.basename(this.file)} has no output ${name}`);
    return this.memo(`output ${name}`, () => this.evaluate(binding.value!, new Map()));
  }

  /** A module symbol: `mod.outputs.name`, or `mods[i].outputs.name` for a module called in a loop. */
  private moduleReference(module: BicepModule, item?: number): ResourceReference {
    return new ResourceReference(
      module.symbol,
      (member) => {
        if (module.loop && item === undefined) return new Unknown(`module ${module.symbol} is a loop: it needs an index`);
        const called = this.moduleCall(module);
        if (called instanceof Unknown) return called;
        if (member !== 'outputs') return new Unknown(`${module.symbol}.${member} is set by Azure when it deploys`);
        const instance = called[item ?? 0];
        if (!instance) return new Unknown(item === undefined || item < called.length ? `module ${module.symbol} is not deployed` : `${module.symbol}[${item}] is not an item of the loop`);
        return new ResourceReference(module.symbol, (output) => instance.output(output));
      },
      module.loop && item === undefined ? (index) => (typeof index === 'number' ? this.moduleReference(module, index) : new Unknown(`${module.symbol}[...] needs a number`)) : undefined,
    );
  }

  /** A resource symbol; `locals` are the loop item of a looped resource (undefined until it is indexed). */
  reference(resource: BicepResource, locals: ReadonlyMap<string, Value> | undefined): ResourceReference {
    const identity = (depth: number) => (locals ? this.identity(resource, locals, depth) : undefined);
    return new ResourceReference(
      resource.symbol,
      (member) => {
        if (!locals) return new Unknown(`${resource.symbol} is a loop: it needs an index`);
        if (member === 'name') return this.evaluateAt(resource, ['name'], locals);
        if (member === 'properties') {
          const properties = this.evaluateAt(resource, ['properties'], locals);
          if (!isPlainObject(properties)) return properties;
          // What is not written there (an endpoint, a host name) Azure sets.
          return new ResourceReference(resource.symbol, (key) => properties[key] ?? new Unknown(`${resource.symbol}.properties.${key} is set by Azure when it deploys`));
        }
        if (member === 'type') return new Text(this.staticType(resource));
        if (member === 'id') return armId(identity(0)!);
        return new Unknown(`${resource.symbol}.${member} is set by Azure when it deploys`);
      },
      resource.loop && !locals
        ? (index) => {
            const items = this.deployment.loopItems(this, resource.loop, resource.symbol);
            const item = typeof index === 'number' ? items[index] : undefined;
            return item ? this.reference(resource, item) : new Unknown(`${resource.symbol}[${String(index)}] is not an item of the loop`);
          }
        : undefined,
      identity,
    );
  }

  private evaluateAt(resource: BicepResource, at: JsonPath, locals: ReadonlyMap<string, Value>): Value {
    const value = bicepValueAt(resource.body, at);
    return value ? this.evaluate(value, locals) : new Unknown(`${resource.symbol}.${at.join('.')} is not written`);
  }

  /** The type without evaluating anything: a child's short type joined to its parent's. */
  staticType(resource: BicepResource, depth = 0): string {
    if (/^[^/]+\.[^/]+\//.test(resource.type) || depth > MAX_PARENT_DEPTH) return resource.type;
    const parentValue = bicepValueAt(resource.body, ['parent']);
    const parentSymbol = parentValue?.kind === 'expression' ? /^\w+/.exec(parentValue.text)?.[0] : undefined;
    const parent = resource.lexicalParent ?? (parentSymbol === undefined ? undefined : this.symbols.get(parentSymbol));
    return parent ? `${this.staticType(parent, depth + 1)}/${resource.type}` : resource.type;
  }

  /** The type and one name per type segment; a name not known is an `Unknown`. */
  identity(resource: BicepResource, locals: ReadonlyMap<string, Value>, depth: number): Identity {
    const type = this.staticType(resource);
    const segments = type.split('/').length - 1;
    const name = this.evaluateAt(resource, ['name'], locals);
    const parentValue = resource.lexicalParent
      ? this.reference(resource.lexicalParent, resource.lexicalParent.loop ? undefined : locals)
      : bicepValueAt(resource.body, ['parent']) && this.evaluateAt(resource, ['parent'], locals);
    const parent = parentValue instanceof ResourceReference && depth < MAX_PARENT_DEPTH ? parentValue.identity?.(depth + 1) : undefined;
    const own = splitName(name);
    if (parent) return { type, names: [...parent.names, own[own.length - 1]] };
    return { type, names: own.length === segments ? own : Array.from({ length: segments }, (_, index) => own[index] ?? new Unknown(name instanceof Unknown ? name.reason : `the name has no part for ${type.split('/')[index + 1]}`)) };
  }

  /** Said after a problem in a module, which may be called by several deployments. */
  deploymentNote(): string {
    return this.file === this.deployment.entry ? '' : ` in the deployment of ${relativePath(this.deployment.ctx, this.deployment.entry)}`;
  }
}

const PENDING = Symbol('pending');

interface Identity {
  type: string;
  names: (string | Unknown)[];
}

/** `'svc/apis/orders'` into its parts; a part with a hole is not known. */
function splitName(name: Value): (string | Unknown)[] {
  if (name instanceof Unknown) return [name];
  if (!(name instanceof Text)) return [new Unknown('the name is not a string')];
  return name.value.split('/').map((part) => (part.includes(HOLE) ? (name.hole ?? new Unknown('a part of the name is not known')) : part));
}

/**
 * A resource id as ARM writes it from the provider on (what comes before does not change what is
 * analysed, nor does the service's name: one that is not known is left empty, as in `read`).
 */
function armId({ type, names }: Identity): Text {
  const [namespace, ...types] = type.split('/');
  const hole = names.slice(1).find((name): name is Unknown => name instanceof Unknown);
  const parts = types.map((segment, index) => `/${segment}/${typeof names[index] === 'string' ? names[index] : index === 0 ? '' : HOLE}`);
  return new Text(`/providers/${namespace}${parts.join('')}`, undefined, hole);
}

/** Reads one APIM resource (one loop item) into a declared resource. */
class ResourceReader {
  private readonly deployment: Deployment;
  private readonly propertiesValue?: BicepValue;
  private readonly propertiesNode?: BicepNode;
  /** The kind as the service has it, a workspace's resource too (see `kindInScope`). */
  private kind = '';

  constructor(
    private readonly instance: FileInstance,
    private readonly resource: BicepResource,
    private readonly locals: ReadonlyMap<string, Value>,
  ) {
    this.deployment = instance.deployment;
    this.propertiesValue = bicepValueAt(resource.body, ['properties']);
    this.propertiesNode = this.propertiesValue && instance.node(this.propertiesValue);
  }

  read(): DeclaredResource | undefined {
    const { instance, resource } = this;
    const identity = instance.identity(resource, this.locals, 0);
    const kind = identity.type.slice(PROVIDER.length).toLowerCase();
    this.kind = kindInScope(kind);
    const names: string[] = [];
    for (const [index, name] of identity.names.entries()) {
      if (typeof name === 'string') names.push(name);
      // The service's name changes nothing analysed (one service): one that is not known is left empty, unsaid.
      else if (index === 0) names.push('');
      else return this.unresolvedName(name);
    }
    const value = this.propertiesNode ? this.deployment.evaluator.evaluate(this.propertiesNode, instance.scope(this.locals)) : {};
    const plain = this.plain(value, []);
    const properties = isObject(plain) ? plain : {};
    const declaration = this.declaration();
    const declared: DeclaredResource = {
      file: instance.file,
      span: resource.span,
      kind,
      names,
      properties,
      declaration,
      definitionFile: () => this.definitionFile(value, properties),
      policy: () => this.policy(value),
    };
    return this.kind === 'service/products/apilinks' ? this.apiLink(declared, value) : declared;
  }

  private unresolvedName(unknown: Unknown): undefined {
    const name = bicepValueAt(this.resource.body, ['name']);
    this.report(name?.span ?? this.resource.span, `${this.resource.symbol}: name = \`${shorten(name ? this.written(name.span) : '')}\` is not known from the files (${unknown.reason})${this.instance.deploymentNote()}; the resource is not read.`);
    return undefined;
  }

  /** `service/products/apiLinks` links the API its `apiId` names: read as the product's API. */
  private apiLink(declared: DeclaredResource, value: Value): DeclaredResource | undefined {
    const apiId = isPlainObject(value) ? value.apiId : undefined;
    const apiName = apiId instanceof Text && !apiId.hole ? /\/apis\/([^/]+)\/?$/i.exec(apiId.value)?.[1] : undefined;
    if (apiName === undefined) {
      if (!(apiId instanceof Text && apiId.hole) && !(apiId instanceof Unknown)) this.report(this.locate(['apiId']) ?? this.resource.span, `${this.resource.symbol}: apiId does not name an API${this.instance.deploymentNote()}; the link is not read.`, 'invalid-artifact');
      return undefined;
    }
    return { ...declared, kind: declared.kind.replace(/apilinks$/, 'apis'), names: [...declared.names.slice(0, -1), apiName] };
  }

  /**
   * A value as plain JSON. Unknown parts of the properties the model reads are NOT_KNOWN (and said),
   * so that rules do not take them for absent; other unknown parts are left out.
   */
  private plain(value: Value, at: JsonPath): unknown {
    const isRead = (key: string | number | undefined) => READ_PROPERTIES[this.kind]?.includes(String(key)) ?? false;
    const unknown = value instanceof Unknown ? value : value instanceof Text ? value.hole : undefined;
    if (unknown) {
      if (!isRead(at[0])) return undefined;
      const span = this.locate(at) ?? this.resource.span;
      this.report(span, `${this.resource.symbol}: properties.${at.join('.')} = \`${shorten(this.written(span))}\` is not known from the files (${unknown.reason})${this.instance.deploymentNote()}.`);
      return NOT_KNOWN;
    }
    if (value instanceof Text) return value.value;
    if (value instanceof Loaded) return value.call;
    if (value instanceof ResourceReference) return undefined;
    if (Array.isArray(value)) {
      const items = value.map((item, index) => this.plain(item, [...at, index]));
      if (items.includes(NOT_KNOWN)) return NOT_KNOWN;
      return items.includes(undefined) ? undefined : items;
    }
    if (isPlainObject(value)) {
      const object: Properties = {};
      for (const [key, item] of Object.entries(value)) {
        const plain = this.plain(item, [...at, key]);
        if (plain !== undefined) object[key] = plain;
      }
      const part = unknownPartOf(value);
      if (!part || (at.length > 0 && !isRead(at[0]))) return object;
      const where = at.length === 0 ? 'properties' : `properties.${at.join('.')}`;
      this.deployment.report(part.file, part.span, `${this.resource.symbol}: a spread in ${where} is not known from the files (${part.unknown.reason})${this.instance.deploymentNote()}; what it may set is not read.`);
      if (at.length > 0) return Object.keys(object).length === 0 ? NOT_KNOWN : object;
      // Any read property the spread may set is not known, rather than absent.
      for (const key of READ_PROPERTIES[this.kind] ?? []) if (!(key in object)) object[key] = NOT_KNOWN;
      return object;
    }
    return value;
  }

  /** Properties are edited where `properties: { ... }` writes them; `any({...})` or a variable leaves them alone. */
  private declaration(): Declaration {
    const { instance, resource } = this;
    const located = declarationOf(instance.file, resource.span, (property) => this.locate(property), resource.body?.properties.get('properties')?.keySpan ?? resource.span);
    const written = this.propertiesValue;
    // A spread may set the very property an edit would add: such objects are not edited.
    if (written?.kind !== 'object' || written.spreads.length > 0) return located;
    return {
      ...located,
      editProperties: (changes) => {
        const edits = writtenPropertyEdits(instance.text, writtenBicepObject(written), changes, BICEP_SYNTAX);
        return edits && edits.length > 0 ? { file: instance.file, edits } : undefined;
      },
    };
  }

  /** Where a property is written: in the resource's `properties` (through `any({...})`). */
  private locate(property: JsonPath): Span | undefined {
    const written = bicepValueAt(this.propertiesValue, property);
    if (written) return written.span;
    let node = this.propertiesNode;
    for (const key of property) {
      while (node?.kind === 'call' && node.name.toLowerCase() === 'any') node = node.args[0];
      if (node?.kind === 'object') node = this.propertyNode(node.properties, key);
      else if (node?.kind === 'array' && typeof key === 'number') node = node.items[key];
      else return undefined;
    }
    return node?.span;
  }

  /** The property `key` of an object literal: written in it, else in the last spread of a literal object that sets it. */
  private propertyNode(entries: readonly ObjectEntry[], key: string | number): BicepNode | undefined {
    for (let index = entries.length - 1; index >= 0; index--) {
      const entry = entries[index];
      if (entry.key !== undefined) {
        if (entry.key === key) return entry.value;
        continue;
      }
      const spread = this.spreadObject(entry.spread);
      const found = spread && this.propertyNode(spread.properties, key);
      if (found) return found;
    }
    return undefined;
  }

  /** The object literal a spread merges: itself, or the branch of a conditional its known test takes. */
  private spreadObject(node: BicepNode): Extract<BicepNode, { kind: 'object' }> | undefined {
    if (node.kind === 'object') return node;
    if (node.kind !== 'ternary') return undefined;
    const test = this.deployment.evaluator.evaluate(node.test, this.instance.scope(this.locals));
    return typeof test === 'boolean' ? this.spreadObject(test ? node.then : node.otherwise) : undefined;
  }

  /** An API's definition: a local file loaded by `loadTextContent` / `loadJsonContent`. */
  private definitionFile(value: Value, properties: Properties): string | undefined {
    if (this.kind !== 'service/apis' || !isPlainObject(value) || !('value' in value)) return undefined;
    const definition = value.value;
    if (definition instanceof Loaded) return definition.file;
    const unknown = definition instanceof Unknown ? definition : definition instanceof Text ? definition.hole : undefined;
    const isLink = typeof properties.format === 'string' && properties.format.includes('link');
    if (unknown && !isLink) {
      const span = this.locate(['value']) ?? this.resource.span;
      this.report(span, `${this.resource.symbol}: the API definition \`${shorten(this.written(span))}\` is not known from the files (${unknown.reason})${this.instance.deploymentNote()}; its operations are not read.`);
    }
    return undefined;
  }

  /** The policy of a `.../policies` or `policyFragments` resource: a loaded file, or a string read where it is written. */
  private policy(value: Value): PolicyAttachment | undefined {
    if (!isPlainObject(value) || !('value' in value)) return undefined;
    const policy = value.value;
    const span = this.locate(['value']) ?? this.resource.span;
    const format = value.format instanceof Text ? value.format.value : '';
    if (format.endsWith('-link')) {
      this.report(span, `${this.resource.symbol}: the policy is fetched from a URL when Azure deploys; it is not read.`, 'remote-ref');
      return undefined;
    }
    if (policy instanceof Loaded) return this.deployment.ctx.readPolicy(policy.file);
    const text = policy instanceof Text ? policy : this.deployment.evaluator.textOf(policy, this.instance.scope(this.locals));
    const unknown = text instanceof Unknown ? text : text.hole;
    if (unknown) this.report(span, `${this.resource.symbol}: the policy \`${shorten(this.written(span))}\` is not known from the files (${unknown.reason})${this.instance.deploymentNote()}${text instanceof Text ? ': it is read with that part as written' : ''}.`);
    if (text instanceof Unknown) return undefined;
    // Read in place: the characters stand at their offsets in the file that writes them.
    const file = text.source?.file ?? this.instance.file;
    const fileText = file === this.instance.file ? this.instance.text : this.deployment.ctx.readText(file);
    if (fileText === undefined) return undefined;
    const offsets = text.source?.offsets ?? Array.from({ length: text.value.length }, () => span.start);
    const xml = parsePolicyXml(file, placeXmlText(fileText, text.value.split(HOLE).join(' '), offsets));
    this.deployment.ctx.report(xml.problems);
    return { file, xml, inline: this.inlinePolicy(text) };
  }

  /** A policy string is edited in place only when it is the literal the resource writes, without `${...}`. */
  private inlinePolicy(text: Text): InlinePolicy {
    const written = bicepValueAt(this.propertiesValue, ['value']);
    const offsets = text.source?.file === this.instance.file ? text.source.offsets : undefined;
    const fromLiteral = written?.kind === 'string' && !text.hole && offsets !== undefined && offsets.every((offset) => offset >= written.contentSpan.start && offset < written.contentSpan.end);
    if (!fromLiteral || (!written.multiline && written.value.includes('${'))) return { syntax: 'computed' };
    return { syntax: written.multiline ? 'bicep-multiline' : 'bicep', text: text.value, offsets, end: written.contentSpan.end };
  }

  private written(span: Span): string {
    return this.instance.text.slice(span.start, span.end);
  }

  private report(span: Span, message: string, kind?: InputProblemKind): void {
    this.deployment.report(this.instance.file, span, message, kind);
  }
}

function writtenBicepObject(object: BicepObject): WrittenObject {
  return {
    entries: new Map([...object.properties].map(([key, { keySpan, value }]) => [key, { span: { start: keySpan.start, end: value.span.end }, value: value.kind === 'object' ? writtenBicepObject(value) : writtenBicepValue(value) }])),
  };
}

/** Strings with `${...}` (even escaped, to be safe), references and calls are not literals. */
function writtenBicepValue(value: BicepValue): WrittenValue {
  const isLiteral = (item: BicepValue): boolean =>
    item.kind === 'literal' || (item.kind === 'string' && (item.multiline || !item.value.includes('${'))) || (item.kind === 'array' && item.items.every(isLiteral));
  return { span: value.span, literal: isLiteral(value) };
}

function relativePath(ctx: ReadContext, file: string): string {
  return path.relative(ctx.files.rootFolder, file).split(path.sep).join('/');
}
