// What a Terraform module's expressions are, as far as the files tell: literals, variables with
// defaults, `.tfvars` values or module arguments, locals, other resources' written attributes, called
// modules' outputs, string templates, operators, conditionals, `for` expressions and the pure
// functions of collections and strings. Everything else is an `Unknown` that carries why, so the
// reader can say so.
import * as path from 'path';
import { linearReplace } from '../linearPattern';
import { literalString, type HclBlock, type HclBody, type HclExpression, type HclTemplate } from './hclParser';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | Unknown;

/** A value the files do not determine, and why. */
export class Unknown {
  constructor(readonly reason: string) {}
}

/** An expression Terraform itself would fail on (an attribute that is not there, an index past the end): what `try()` and `can()` catch. */
export class Invalid extends Unknown {}

/** An expression with the file it is written in. */
export interface Sourced {
  expression: HclExpression;
  file: string;
  text: string;
  /** Where it is evaluated, when not where it is used: a module argument is evaluated in its caller. */
  context?: EvaluationContext;
}

/** A module's evaluator and the `each`/`count` in force: where an expression's names mean something. */
export interface EvaluationContext {
  evaluator: Evaluator;
  scope: Scope;
}

export interface TerraformResource {
  /** `resource` or `data`. */
  mode: string;
  type: string;
  name: string;
  block: HclBlock;
  file: string;
  text: string;
}

/** One folder of `.tf` files: Terraform's unit of variables, locals and resource addresses. */
export interface TerraformModule {
  folder: string;
  /** The root module's folder: Terraform's working directory, which `file()` paths, `path.root` and `path.cwd` are from. */
  rootFolder: string;
  variables: Map<string, Sourced | Unknown>;
  /** `type = object({ x = optional(string) })`: what a variable's value is converted to. */
  variableTypes: Map<string, HclExpression>;
  locals: Map<string, Sourced>;
  /** By address: `azurerm_api_management_api.orders`, `data.azurerm_key_vault.kv`. */
  resources: Map<string, TerraformResource>;
}

/** `each`, `count` and `dynamic` block iterators in force where an expression is evaluated. */
export interface Scope {
  each?: { key: Value; value: Value };
  /** The names `for` expressions bind (`for k, v in ...`). */
  bound?: ReadonlyMap<string, Value>;
  countIndex?: number;
  iterators?: ReadonlyMap<string, { key: Value; value: Value }>;
}

/** What the reader knows beyond expressions: a resource instance's id, a called module's instances. */
export interface ModuleLinks {
  /** For references to `.id`: a Terraform resource type knows its ARM shape. */
  idOf(resource: TerraformResource, scope: Scope): Value;
  /** The name a resource is read under when the attribute naming it is not known: its address. */
  placeholderName(resource: TerraformResource, scope: Scope, attribute: string): string | undefined;
  /** The instances of `module "name"`, each with its outputs. */
  moduleInstances(name: string): ModuleInstance[] | Unknown;
}

export interface ModuleInstance {
  key: Value;
  single?: boolean;
  output(name: string): Value;
}

/** References followed through locals and variables before the chain is taken for a cycle. */
const MAX_REFERENCE_DEPTH = 64;
/** Instances one `for_each` or `count` may make. */
const MAX_INSTANCES = 1000;

export class Evaluator {
  private depth = 0;

  constructor(
    readonly module: TerraformModule,
    private readonly links: ModuleLinks,
  ) {}

  evaluate(expression: HclExpression, scope: Scope): Value {
    if (this.depth >= MAX_REFERENCE_DEPTH) return new Unknown('references nest too deep (a cycle?)');
    this.depth++;
    try {
      return this.evaluateInner(expression, scope);
    } finally {
      this.depth--;
    }
  }

  private evaluateInner(expression: HclExpression, scope: Scope): Value {
    switch (expression.kind) {
      case 'literal':
        return expression.value;
      case 'template':
        return this.template(expression, scope);
      case 'tuple':
        return expression.items.map((item) => this.evaluate(item, scope));
      case 'object': {
        const object: { [key: string]: Value } = {};
        for (const item of expression.items) {
          if (item.key === undefined) return new Unknown('an object key is computed');
          object[item.key] = this.evaluate(item.value, scope);
        }
        return object;
      }
      case 'call': {
        const args = expression.args.map((arg) => this.evaluate(arg, scope));
        if (expression.expandsLast) {
          const last = args.pop();
          if (!Array.isArray(last)) return last instanceof Unknown ? last : new Invalid(`${expression.name}(...) expands something other than a list`);
          args.push(...last);
        }
        return this.call(expression.name, args);
      }
      case 'traversal':
        return this.reference(expression, scope);
      case 'conditional': {
        const test = toBoolean(this.evaluate(expression.test, scope));
        if (typeof test === 'boolean') return this.evaluate(test ? expression.then : expression.otherwise, scope);
        return test instanceof Unknown ? test : new Invalid('a condition is not a boolean');
      }
      case 'operation':
        return expression.left
          ? operate(expression.operator, this.evaluate(expression.left, scope), this.evaluate(expression.right, scope))
          : negate(expression.operator, this.evaluate(expression.right, scope));
      case 'for':
        return this.forExpression(expression, scope);
      case 'other':
        return new Unknown(expression.reason);
    }
  }

  /** `[for k, v in collection : value if condition]`, `{for ... : key => value}`. */
  private forExpression(expression: Extract<HclExpression, { kind: 'for' }>, scope: Scope): Value {
    const entries = forEntries(this.evaluate(expression.collection, scope));
    if (entries instanceof Unknown) return entries;
    const items: Value[] = [];
    const object: { [key: string]: Value } = {};
    for (const [key, value] of entries.slice(0, MAX_INSTANCES)) {
      const bound = new Map(scope.bound);
      bound.set(expression.valueName, value);
      if (expression.keyName !== undefined) bound.set(expression.keyName, key);
      const itemScope = { ...scope, bound };
      if (expression.condition) {
        const keep = toBoolean(this.evaluate(expression.condition, itemScope));
        if (typeof keep !== 'boolean') return keep instanceof Unknown ? keep : new Invalid('a for expression\'s condition is not a boolean');
        if (!keep) continue;
      }
      const item = this.evaluate(expression.value, itemScope);
      if (!expression.key) {
        items.push(item);
        continue;
      }
      const name = this.evaluate(expression.key, itemScope);
      if (name instanceof Unknown) return name;
      if (typeof name !== 'string' && typeof name !== 'number' && typeof name !== 'boolean') return new Invalid('a for expression makes a key that is not a string');
      const text = String(name);
      if (expression.grouped) object[text] = [...((object[text] as Value[] | undefined) ?? []), item];
      else if (text in object) return new Invalid(`a for expression makes the key "${text}" twice`);
      else object[text] = item;
    }
    return expression.key ? object : items;
  }

  private template(template: HclTemplate, scope: Scope): Value {
    const [only] = template.parts;
    // `"${x}"` is x itself, whatever its type.
    if (template.parts.length === 1 && only.kind === 'interpolation' && !template.heredoc) return this.evaluate(only.expression, scope);
    let result = '';
    for (const part of template.parts) {
      if (part.kind === 'text') result += part.value;
      else if (part.kind === 'directive') return new Unknown('a template directive (%{...}) is not evaluated');
      else {
        const value = this.evaluate(part.expression, scope);
        if (value instanceof Unknown) return value;
        if (typeof value === 'object' && value !== null) return new Unknown('a list or object is interpolated into a string');
        result += value === null ? '' : String(value);
      }
    }
    return template.heredoc?.indented ? dedent(result) : result;
  }

  private call(name: string, args: Value[]): Value {
    // try() and can() catch what Terraform would fail on; what is only not known stays not known.
    if (name === 'try') {
      const index = args.findIndex((arg) => !(arg instanceof Invalid));
      return index === -1 ? new Invalid('every argument of try() fails') : args[index];
    }
    if (name === 'can') return args[0] instanceof Invalid ? false : args[0] instanceof Unknown ? args[0] : true;
    if (name === 'coalesce') return coalesce(args);
    const unknown = args.find((arg): arg is Unknown => arg instanceof Unknown);
    if (unknown) return unknown;
    const [first, second, third] = args;
    const strings = args.every((arg) => typeof arg === 'string') ? (args as string[]) : undefined;
    switch (name) {
      case 'jsonencode':
      case 'tostring':
      case 'tolist':
      case 'tomap':
        return first ?? null;
      case 'toset':
        return Array.isArray(first) ? distinct(first) : (first ?? null);
      case 'tobool':
        return toBoolean(first);
      case 'tonumber':
        return typeof first === 'string' && first.trim() !== '' && !isNaN(Number(first)) ? Number(first) : (first ?? null);
      case 'lower':
      case 'upper':
        if (strings?.length !== 1) break;
        return name === 'lower' ? strings[0].toLowerCase() : strings[0].toUpperCase();
      case 'format':
        if (typeof first !== 'string' || /%[^sd%]/.test(first)) break;
        return format(first, args.slice(1));
      case 'join':
        if (typeof first !== 'string' || !Array.isArray(second)) break;
        return joinStrings(first, second);
      case 'replace':
        if (strings?.length !== 3) break;
        return replace(strings[0], strings[1], strings[2]);
      case 'length':
        if (typeof first === 'string') return [...first].length;
        if (Array.isArray(first)) return first.length;
        if (isPlainObject(first)) return Object.keys(first).length;
        break;
      case 'keys':
      case 'values':
        if (!isPlainObject(first)) break;
        // Terraform gives a map's keys, and its values, in the keys' lexical order.
        return Object.keys(first)
          .sort()
          .map((key) => (name === 'keys' ? key : first[key]));
      case 'concat':
        return args.every(Array.isArray) ? (args as Value[][]).flat() : new Invalid('concat of something other than lists');
      case 'flatten':
        return Array.isArray(first) ? flatten(first) : new Invalid('flatten of something other than a list');
      case 'distinct':
        return Array.isArray(first) ? distinct(first) : new Invalid('distinct of something other than a list');
      case 'contains':
        return Array.isArray(first) ? first.some((item) => sameValue(item, second ?? null)) : new Invalid('contains of something other than a list');
      case 'merge':
        return args.every((arg) => isPlainObject(arg) || arg === null) ? Object.assign({}, ...args) : new Invalid('merge of something other than objects');
      case 'lookup':
        if (isPlainObject(first) && typeof second === 'string') return second in first ? first[second] : (third ?? new Invalid(`lookup of "${second}" finds nothing`));
        break;
    }
    return new Unknown(`${name}(...) is not evaluated`);
  }

  private reference(traversal: Extract<HclExpression, { kind: 'traversal' }>, scope: Scope): Value {
    const { root, steps } = traversal;
    const first = steps[0]?.kind === 'attribute' ? steps[0].name : undefined;
    const bound = scope.bound?.get(root);
    if (bound !== undefined) return this.steps(bound, steps, scope);
    const iterator = scope.iterators?.get(root);
    if (iterator && first) return this.steps(first === 'key' ? iterator.key : iterator.value, steps.slice(1), scope);
    switch (root) {
      case 'var':
        return this.steps(first === undefined ? new Unknown('var') : this.variable(first), steps.slice(1), scope);
      case 'local':
        return this.steps(first === undefined ? new Unknown('local') : this.local(first), steps.slice(1), scope);
      case 'each':
        if (!scope.each) return new Unknown('each is used outside for_each');
        return this.steps(first === 'key' ? scope.each.key : scope.each.value, steps.slice(1), scope);
      case 'count':
        return scope.countIndex === undefined ? new Unknown('count.index is used outside count') : scope.countIndex;
      case 'path':
        // Relative to the working directory, as Terraform gives them: `modules/apim` for a called module, `.` for the root.
        if (first === 'root' || first === 'cwd') return '.';
        return first === 'module' ? path.relative(this.module.rootFolder, this.module.folder).split(path.sep).join('/') || '.' : new Unknown(`path.${first}`);
      case 'module':
        return first === undefined ? new Unknown('module') : this.moduleOutput(first, steps.slice(1), scope);
      case 'data':
        return new Unknown(`${root}.${first ?? ''} is known only when Terraform runs`);
      case 'terraform':
        return new Unknown('terraform.workspace is known only when Terraform runs');
    }
    if (!first) return new Unknown(`${root} is not a known name`);
    const resource = this.module.resources.get(`${root}.${first}`);
    if (!resource) return new Unknown(`${root}.${first} is not declared in this folder`);
    const instances = this.instances(resource.block);
    let rest = steps.slice(1);
    let instanceScope: Scope | undefined = instances instanceof Unknown ? undefined : instances.length === 1 && instances[0].single ? instances[0].scope : undefined;
    if (!instanceScope) {
      if (instances instanceof Unknown) return instances;
      const index = rest[0];
      if (index?.kind !== 'index') return new Unknown(`${root}.${first} has several instances`);
      const key = this.evaluate(index.key, scope);
      if (key instanceof Unknown) return key;
      instanceScope = instances.find((instance) => instance.key === key)?.scope;
      if (!instanceScope) return new Unknown(`${root}.${first}[${JSON.stringify(key)}] is not an instance`);
      rest = rest.slice(1);
    }
    const attribute = rest[0];
    if (attribute?.kind !== 'attribute') return new Unknown(`${root}.${first} is a whole resource`);
    const written = resource.block.body.attributes.find((candidate) => candidate.name === attribute.name);
    let value = written ? this.evaluate(written.value, instanceScope) : attribute.name === 'id' ? this.links.idOf(resource, instanceScope) : new Unknown(`${root}.${first}.${attribute.name} is set by Azure when Terraform runs`);
    // `api_name = azurerm_api_management_api.orders.name` names the API by the placeholder it is read under.
    if (value instanceof Unknown) value = this.links.placeholderName(resource, instanceScope, attribute.name) ?? value;
    return this.steps(value, rest.slice(1), scope);
  }

  /** `module.name.output` or `module.name[key].output`: the output's value in the called module. */
  private moduleOutput(name: string, steps: readonly Extract<HclExpression, { kind: 'traversal' }>['steps'][number][], scope: Scope): Value {
    const instances = this.links.moduleInstances(name);
    if (instances instanceof Unknown) return instances;
    let rest = steps;
    let instance = instances.length === 1 && instances[0].single ? instances[0] : undefined;
    if (!instance) {
      const index = rest[0];
      if (index?.kind !== 'index') return new Unknown(`module.${name} has several instances`);
      const key = this.evaluate(index.key, scope);
      if (key instanceof Unknown) return key;
      instance = instances.find((candidate) => candidate.key === key);
      if (!instance) return new Unknown(`module.${name}[${JSON.stringify(key)}] is not an instance`);
      rest = rest.slice(1);
    }
    const output = rest[0];
    if (output?.kind !== 'attribute') return new Unknown(`module.${name} is a whole module`);
    return this.steps(instance.output(output.name), rest.slice(1), scope);
  }

  /** The instances `for_each` or `count` make of a resource (one, `single`, without either). */
  instances(block: HclBlock): { key: Value; scope: Scope; single?: boolean }[] | Unknown {
    const attributes = block.body.attributes;
    const forEach = attributes.find((attribute) => attribute.name === 'for_each');
    const count = attributes.find((attribute) => attribute.name === 'count');
    if (forEach) {
      const collection = this.evaluate(forEach.value, {});
      const entries = iterationEntries(collection);
      if (entries instanceof Unknown) return entries;
      return entries.slice(0, MAX_INSTANCES).map(([key, value]) => ({ key, scope: { each: { key, value } } }));
    }
    if (count) {
      const number = this.evaluate(count.value, {});
      if (number instanceof Unknown) return number;
      if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) return new Unknown('count is not a whole number');
      return Array.from({ length: Math.min(number, MAX_INSTANCES) }, (_, index) => ({ key: index, scope: { countIndex: index } }));
    }
    return [{ key: null, scope: {}, single: true }];
  }

  /** `.name` and `[key]` steps into a value. */
  private steps(value: Value, steps: readonly Extract<HclExpression, { kind: 'traversal' }>['steps'][number][], scope: Scope): Value {
    let current = value;
    for (const step of steps) {
      if (current instanceof Unknown) return current;
      const key = step.kind === 'attribute' ? step.name : this.evaluate(step.key, scope);
      if (key instanceof Unknown) return key;
      if (Array.isArray(current) && (typeof key === 'number' || /^\d+$/.test(String(key)))) current = current[Number(key)] ?? new Invalid(`index ${String(key)} is past the end`);
      else if (isPlainObject(current) && typeof key === 'string') current = key in current ? current[key] : new Invalid(`it has no "${key}"`);
      else return new Invalid(`${JSON.stringify(key)} cannot be looked up in this value`);
    }
    return current;
  }

  private variable(name: string): Value {
    const value = this.module.variables.get(name);
    if (value === undefined) return new Unknown(`var.${name} is not declared in this folder`);
    if (value instanceof Unknown) return value;
    const given = value.context ? value.context.evaluator.evaluate(value.expression, value.context.scope) : this.evaluate(value.expression, {});
    const type = this.module.variableTypes.get(name);
    return type ? this.withOptionalAttributes(given, type) : given;
  }

  /**
   * A value as its type makes it, as far as `optional()` goes: an object attribute the type says is
   * optional and the value leaves out (or sets to null) is the default `optional(type, default)` gives,
   * else null. Other conversions are not made.
   */
  private withOptionalAttributes(value: Value, type: HclExpression, depth = 0): Value {
    if (type.kind !== 'call' || value instanceof Unknown || depth > MAX_REFERENCE_DEPTH) return value;
    const [inner, fallback] = type.args;
    switch (type.name) {
      case 'optional':
        if (value === null && fallback) return this.withOptionalAttributes(this.evaluate(fallback, {}), inner, depth + 1);
        return inner ? this.withOptionalAttributes(value, inner, depth + 1) : value;
      case 'list':
      case 'set':
        return Array.isArray(value) && inner ? value.map((item) => this.withOptionalAttributes(item, inner, depth + 1)) : value;
      case 'map':
        return isPlainObject(value) && inner ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.withOptionalAttributes(item, inner, depth + 1)])) : value;
      case 'object': {
        if (!isPlainObject(value) || inner?.kind !== 'object') return value;
        const object = { ...value };
        for (const { key, value: attributeType } of inner.items) {
          if (key === undefined) continue;
          const isOptional = attributeType.kind === 'call' && attributeType.name === 'optional';
          if (key in object) object[key] = this.withOptionalAttributes(object[key], attributeType, depth + 1);
          else if (isOptional) object[key] = this.withOptionalAttributes(null, attributeType, depth + 1);
        }
        return object;
      }
    }
    return value;
  }

  private local(name: string): Value {
    const value = this.module.locals.get(name);
    return value ? this.evaluate(value.expression, {}) : new Unknown(`local.${name} is not declared in this folder`);
  }

  /**
   * Where the value of an expression is written, with where to evaluate it: followed through `var.*`
   * and `local.*` to the default, `.tfvars` value, local or module argument that holds it.
   */
  definitionOf(sourced: Sourced, scope: Scope, depth = 0): Sourced & { context: EvaluationContext } {
    const { expression } = sourced;
    const here = { ...sourced, context: sourced.context ?? { evaluator: this as Evaluator, scope } };
    if (expression.kind !== 'traversal' || expression.steps.length !== 1 || expression.steps[0].kind !== 'attribute' || depth > MAX_REFERENCE_DEPTH) return here;
    const name = expression.steps[0].name;
    const next = expression.root === 'var' ? this.module.variables.get(name) : expression.root === 'local' ? this.module.locals.get(name) : undefined;
    if (!next || next instanceof Unknown) return here;
    const evaluator = next.context?.evaluator ?? this;
    return evaluator.definitionOf(next, next.context?.scope ?? {}, depth + 1);
  }
}

/** The nested blocks of `type` in `body`, `dynamic "type"` blocks expanded when their `for_each` is known. */
export function blocksOf(evaluator: Evaluator, body: HclBody, type: string, scope: Scope): { body: HclBody; scope: Scope }[] | Unknown {
  const found: { body: HclBody; scope: Scope }[] = body.blocks.filter((block) => block.type === type).map((block) => ({ body: block.body, scope }));
  for (const dynamic of body.blocks) {
    if (dynamic.type !== 'dynamic' || dynamic.labels[0] !== type) continue;
    const forEach = dynamic.body.attributes.find((attribute) => attribute.name === 'for_each');
    const content = dynamic.body.blocks.find((block) => block.type === 'content');
    if (!forEach || !content) continue;
    const entries = iterationEntries(evaluator.evaluate(forEach.value, scope));
    if (entries instanceof Unknown) return entries;
    const iteratorName = literalString(dynamic.body.attributes.find((attribute) => attribute.name === 'iterator')?.value) ?? type;
    for (const [key, value] of entries.slice(0, MAX_INSTANCES)) {
      const iterators = new Map(scope.iterators);
      iterators.set(iteratorName, { key, value });
      found.push({ body: content.body, scope: { ...scope, iterators } });
    }
  }
  return found;
}

/** A `for` expression's keys and values: a list's indexes, a map's keys. */
function forEntries(collection: Value): [Value, Value][] | Unknown {
  if (Array.isArray(collection)) return collection.map((item, index) => [index, item]);
  if (isPlainObject(collection)) return Object.entries(collection);
  return collection instanceof Unknown ? collection : new Invalid('a for expression goes over something other than a list or a map');
}

/** `for_each`'s entries: a map's keys and values, a set's strings as both. */
function iterationEntries(collection: Value): [Value, Value][] | Unknown {
  if (collection instanceof Unknown) return collection;
  if (Array.isArray(collection)) {
    const unknown = collection.find((item): item is Unknown => item instanceof Unknown);
    return unknown ?? collection.map((item, index) => [typeof item === 'string' ? item : index, item]);
  }
  if (isPlainObject(collection)) return Object.entries(collection);
  return new Unknown('for_each is not a map or a set');
}

export function isPlainObject(value: Value | undefined): value is { [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Unknown);
}

/** The first unknown in a value, looking into lists and objects. */
export function firstUnknown(value: Value): Unknown | undefined {
  if (value instanceof Unknown) return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const unknown = firstUnknown(item);
      if (unknown) return unknown;
    }
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) {
      const unknown = firstUnknown(item);
      if (unknown) return unknown;
    }
  }
  return undefined;
}

/** Terraform converts the strings "true" and "false" where a bool is expected. */
export function toBoolean(value: Value | undefined): Value {
  if (value === 'true' || value === 'false') return value === 'true';
  return value ?? null;
}

export function shorten(text: string, length = 80): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > length ? oneLine.slice(0, length - 1) + '…' : oneLine;
}

function format(pattern: string, args: Value[]): Value {
  let index = 0;
  let unknown: Unknown | undefined;
  const result = pattern.replace(/%([sd%])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[index++];
    if (arg instanceof Unknown) unknown = arg;
    return typeof arg === 'object' ? '' : String(arg);
  });
  return unknown ?? result;
}

/** `a op b`: arithmetic, comparison and logic. `false && x` is false and `true || x` true, whatever x is. */
function operate(operator: string, left: Value, right: Value): Value {
  if (operator === '&&' || operator === '||') {
    const [a, b] = [toBoolean(left), toBoolean(right)];
    const decisive = operator === '||';
    if (a === decisive || b === decisive) return decisive;
    if (a instanceof Unknown || b instanceof Unknown) return a instanceof Unknown ? a : (b as Unknown);
    return typeof a === 'boolean' && typeof b === 'boolean' ? !decisive : new Invalid(`\`${operator}\` of something other than booleans`);
  }
  if (left instanceof Unknown || right instanceof Unknown) return left instanceof Unknown ? left : (right as Unknown);
  if (operator === '==' || operator === '!=') {
    const unknown = firstUnknown(left) ?? firstUnknown(right);
    return unknown ?? sameValue(left, right) === (operator === '==');
  }
  // Terraform converts numeric strings where numbers are expected.
  const [a, b] = [toNumber(left), toNumber(right)];
  if (a === undefined || b === undefined) return new Invalid(`\`${operator}\` of something other than numbers`);
  switch (operator) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? new Invalid('a division by zero') : a / b;
    case '%':
      return b === 0 ? new Invalid('a division by zero') : a % b;
  }
  return new Unknown(`\`${operator}\` is not evaluated`);
}

function negate(operator: string, operand: Value): Value {
  if (operand instanceof Unknown) return operand;
  if (operator === '!') {
    const value = toBoolean(operand);
    return typeof value === 'boolean' ? !value : new Invalid('`!` of something other than a boolean');
  }
  const number = toNumber(operand);
  return number === undefined ? new Invalid('`-` of something other than a number') : -number;
}

function toNumber(value: Value): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.trim() !== '' && !isNaN(Number(value)) ? Number(value) : undefined;
}

/** Terraform's equality: same type and value, lists and objects by their items. */
function sameValue(left: Value, right: Value): boolean {
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, index) => sameValue(item, right[index]));
  if (isPlainObject(left) && isPlainObject(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => key in right && sameValue(left[key], right[key]));
  }
  return left === right;
}

function distinct(items: Value[]): Value[] {
  return items.filter((item, index) => items.findIndex((other) => sameValue(item, other)) === index);
}

function flatten(items: Value[]): Value[] {
  return items.flatMap((item) => (Array.isArray(item) ? flatten(item) : [item]));
}

/** The first argument that is neither null nor an empty string; one not known before it leaves the result not known. */
function coalesce(args: Value[]): Value {
  for (const arg of args) {
    if (arg instanceof Unknown) return arg;
    if (arg !== null && arg !== '') return arg;
  }
  return new Invalid('every argument of coalesce() is null or empty');
}

/** `replace(text, "old", "new")`, or a `/regular expression/` run by RE2 (linear time, as Terraform's own). */
function replace(text: string, search: string, replacement: string): Value {
  if (search.length > 1 && search.startsWith('/') && search.endsWith('/')) {
    try {
      return linearReplace(search.slice(1, -1), text, replacement);
    } catch (error) {
      return new Invalid(`replace()'s pattern ${search} is refused (${(error as Error).message})`);
    }
  }
  return search === '' ? text : text.split(search).join(replacement);
}

function joinStrings(separator: string, items: Value[]): Value {
  const unknown = items.find((item): item is Unknown => item instanceof Unknown);
  if (unknown) return unknown;
  return items.every((item) => typeof item === 'string') ? items.join(separator) : new Unknown('join of something other than strings');
}

/** `<<-EOT`: each line loses the indentation all non-blank lines share. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)![0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(Math.min(common, /^[ \t]*/.exec(line)![0].length))).join('\n');
}

/**
 * A root module's variables: `.tfvars` values win over defaults. Besides the auto-loaded ones, the
 * `.tfvars` given with `-var-file` (beside the module, or in an environment folder) count when they
 * agree; `dev.tfvars` and `prod.tfvars` that disagree leave it unknown, naming them.
 */
export function moduleVariables(
  folder: string,
  declared: readonly { name: string; default?: Sourced }[],
  tfvars: readonly { file: string; attributes: Map<string, Sourced> }[],
): Map<string, Sourced | Unknown> {
  const isAutoLoaded = (file: string) => path.basename(file) === 'terraform.tfvars' || file.endsWith('.auto.tfvars');
  const variables = new Map<string, Sourced | Unknown>();
  for (const { name, default: fallback } of declared) {
    const auto = tfvars.filter(({ file, attributes }) => isAutoLoaded(file) && attributes.has(name));
    // Terraform loads terraform.tfvars, then *.auto.tfvars in name order: the last one wins.
    const autoValue = auto.length > 0 ? auto[auto.length - 1].attributes.get(name) : undefined;
    const chosen = tfvars.filter(({ file, attributes }) => !isAutoLoaded(file) && attributes.has(name));
    const chosenTexts = new Set(chosen.map(({ attributes }) => sourceText(attributes.get(name)!)));
    if (chosenTexts.size > 1) {
      variables.set(name, new Unknown(`var.${name} is set differently by ${chosen.map(({ file }) => path.relative(folder, file).split(path.sep).join('/')).join(' and ')}`));
    } else {
      const value = chosen[0]?.attributes.get(name) ?? autoValue ?? fallback;
      variables.set(name, value ?? new Unknown(`var.${name} has no default and no value in a .tfvars file beside it or in an environment folder`));
    }
  }
  return variables;
}

function sourceText({ expression, text }: Sourced): string {
  return text.slice(expression.span.start, expression.span.end);
}
