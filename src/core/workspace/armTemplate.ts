// Reads APIM resources declared in ARM JSON templates: `Microsoft.ApiManagement/service/...`
// resources at any depth (top level with `svc/api` names, nested `resources` with short types,
// inline nested deployments), their names and properties evaluated from parameters (defaults and a
// parameter file beside the template) and variables, inline policies read in place, and `-link`
// policies and definitions matched to the local file of the same name.
import * as path from 'path';
import type { InlinePolicy, PolicyAttachment } from '../model';
import type { JsonPath, ParsedDocument } from '../parse/document';
import { parsePolicyXml } from '../policy/xml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblem } from '../problems';
import type { Span } from '../text';
import type { ReadContext } from './context';
import { declarationOf, isObject, isString, valueAt, type Properties } from './declaration';
import { buildDeclaredContent, kindInScope, type DeclaredResource } from './declaredResources';
import { evaluate, isExpression, parseExpression, PartialString, Unknown, type ArmValue, type ExpressionNode, type ExpressionScope } from './armExpression';
import { decodeJsonString, placeXmlText } from './armText';
import { emptyContent, type ServiceContent } from './resources';

const PROVIDER = 'microsoft.apimanagement/';
const DEPLOYMENTS = 'microsoft.resources/deployments';
/** A type with its namespace (`Microsoft.ApiManagement/service/apis`), not a child's short type (`apis`). */
const FULL_TYPE = /^[^/]+\.[^/]+\/./;
/** APIOps writes ARM `properties` into files named so; they are never templates. */
const APIOPS_INFORMATION = /Information\.json$/;
const PARAMETER_FILE = /parameters\.json$/i;
/** How far into a file to look for the template schema before parsing it. */
const SNIFF_CHARS = 4096;

/** The APIM resources of the ARM templates among `files` (the other files are not parsed). */
export function readArmTemplates(files: readonly string[], ctx: ReadContext): ServiceContent {
  const localFiles = new LocalFiles(files);
  const declared: DeclaredResource[] = [];
  for (const file of files) {
    if (!looksLikeApimTemplate(file, ctx.files.read(file).text)) continue;
    for (const resource of ctx.isolate(file, path.basename(file), () => new TemplateReader(file, ctx, localFiles).read()) ?? []) declared.push(resource);
  }
  return ctx.isolate(declared[0]?.file ?? '', 'The ARM template declarations', () => buildDeclaredContent(declared, ctx, 'arm')) ?? emptyContent();
}

/** An ARM template that mentions APIM resources, by its name and its text; other files are not parsed. */
export function looksLikeApimTemplate(file: string, text: string | undefined): boolean {
  const name = path.basename(file);
  if (!name.toLowerCase().endsWith('.json') || APIOPS_INFORMATION.test(name) || PARAMETER_FILE.test(name)) return false;
  if (text === undefined || !/Microsoft\.ApiManagement\/service/i.test(text)) return false;
  return /deploymentTemplate\.json/i.test(text.slice(0, SNIFF_CHARS)) || /"contentVersion"\s*:/.test(text);
}

/** The scanned files by base name and by folder, to find a linked file and a template's parameter file. */
class LocalFiles {
  private readonly byBaseName = new Map<string, string[]>();
  private readonly parameterFiles = new Map<string, string[]>();

  constructor(files: readonly string[]) {
    for (const file of files) {
      const name = path.basename(file);
      const named = this.byBaseName.get(name) ?? [];
      named.push(file);
      this.byBaseName.set(name, named);
      if (!PARAMETER_FILE.test(name)) continue;
      const inFolder = this.parameterFiles.get(path.dirname(file)) ?? [];
      inFolder.push(file);
      this.parameterFiles.set(path.dirname(file), inFolder);
    }
  }

  named(name: string): readonly string[] {
    return this.byBaseName.get(name) ?? [];
  }

  /** The parameter file beside `template` that names it (`x.parameters.json` for `x.json` or `x.template.json`), else the only one there. */
  parameterFileOf(template: string): string | undefined {
    const candidates = this.parameterFiles.get(path.dirname(template)) ?? [];
    const stem = (file: string, suffix: RegExp) => path.basename(file).toLowerCase().replace(suffix, '');
    const templateStem = stem(template, /[.-]?(template)?\.json$/);
    const naming = candidates.filter((candidate) => stem(candidate, /[.-]?parameters\.json$/) === templateStem);
    if (naming.length === 1) return naming[0];
    return candidates.length === 1 ? candidates[0] : undefined;
  }
}

/** The value at `jsonPath` of a parsed document. */
function jsonAt(document: ParsedDocument, jsonPath: JsonPath): unknown {
  return valueAt({ root: document.value }, ['root', ...jsonPath]);
}

/** Where a value is written as it is (a JSON string that is no expression): a policy in it is read in place. */
interface WrittenAt {
  document: ParsedDocument;
  jsonPath: JsonPath;
}

type ParameterSource = { value: ArmValue; writtenAt?: WrittenAt } | { keyVaultIn: string };

/**
 * Where expressions of one template are evaluated: its parameters (given by a parameter file or a
 * nested deployment, else their defaults) and variables, each evaluated once.
 */
class TemplateScope implements ExpressionScope {
  private readonly evaluated = new Map<string, ArmValue>();
  private readonly declaredPaths = new Map<string, JsonPath | undefined>();
  private readonly evaluating = new Set<string>();

  constructor(
    readonly document: ParsedDocument,
    private readonly templatePath: JsonPath,
    private readonly given: ReadonlyMap<string, ParameterSource>,
  ) {}

  parameter(name: string, at: Unknown): ArmValue {
    const given = this.given.get(name.toLowerCase());
    if (given) return 'value' in given ? given.value : new Unknown(at.span, at.text, `it is a Key Vault reference in ${given.keyVaultIn}`);
    // Told where it is used, not remembered: each use is reported where it is written.
    const declaredPath = this.declaredPath('parameters', name);
    if (declaredPath && jsonAt(this.document, [...declaredPath, 'defaultValue']) === undefined) {
      return new Unknown(at.span, at.text, 'the parameter has no defaultValue, and no parameter file gives it a value');
    }
    return this.declared('parameters', name, at, (found) => this.evaluateJson([...found, 'defaultValue'], jsonAt(this.document, [...found, 'defaultValue'])));
  }

  variable(name: string, at: Unknown): ArmValue {
    return this.declared('variables', name, at, (declaredPath) => this.evaluateJson(declaredPath, jsonAt(this.document, declaredPath)));
  }

  /**
   * Where the value of `parameters('name')` or `variables('name')` is written, when it is a plain
   * string there: in the parameter file, as the parameter's default, or as the variable.
   */
  writtenAt(node: ExpressionNode): WrittenAt | undefined {
    const [name] = node.kind === 'call' ? node.args : [];
    if (node.kind !== 'call' || node.args.length !== 1 || name.kind !== 'string') return undefined;
    const section = node.name.toLowerCase();
    const given = section === 'parameters' ? this.given.get(name.value.toLowerCase()) : undefined;
    let written: WrittenAt | undefined;
    if (given) written = 'writtenAt' in given ? given.writtenAt : undefined;
    else if (section === 'parameters' || section === 'variables') {
      const declaredPath = this.declaredPath(section, name.value);
      written = declaredPath && { document: this.document, jsonPath: section === 'parameters' ? [...declaredPath, 'defaultValue'] : declaredPath };
    }
    const value = written && jsonAt(written.document, written.jsonPath);
    return isString(value) && !isExpression(value) && !value.startsWith('[[') ? written : undefined;
  }

  private declaredPath(section: 'parameters' | 'variables', name: string): JsonPath | undefined {
    const id = `${section}/${name.toLowerCase()}`;
    if (this.declaredPaths.has(id)) return this.declaredPaths.get(id);
    const declarations = jsonAt(this.document, [...this.templatePath, section]);
    const key = isObject(declarations) ? Object.keys(declarations).find((candidate) => candidate.toLowerCase() === name.toLowerCase()) : undefined;
    const declaredPath = key === undefined ? undefined : [...this.templatePath, section, key];
    this.declaredPaths.set(id, declaredPath);
    return declaredPath;
  }

  /** The parameter or variable `name` (case-insensitive), evaluated once; one that refers back to itself is unknown. */
  private declared(section: 'parameters' | 'variables', name: string, at: Unknown, evaluateAt: (declaredPath: JsonPath) => ArmValue): ArmValue {
    const declaredPath = this.declaredPath(section, name);
    if (declaredPath === undefined) return new Unknown(at.span, at.text, `the template declares no ${section === 'parameters' ? 'parameter' : 'variable'} '${name}'`);
    const id = declaredPath.join('/');
    const known = this.evaluated.get(id);
    if (known !== undefined) return known;
    if (this.evaluating.has(id)) return new Unknown(at.span, at.text, `'${name}' refers back to itself`);
    this.evaluating.add(id);
    const value = evaluateAt(declaredPath);
    this.evaluating.delete(id);
    this.evaluated.set(id, value);
    return value;
  }

  /** The JSON value written at `at` in the template, its expressions evaluated. */
  evaluateJson(at: JsonPath, value: unknown, depth = 0): ArmValue {
    if (depth > MAX_NESTING_DEPTH) return null;
    if (typeof value === 'string') return this.evaluateString(at, value);
    if (Array.isArray(value)) return value.map((item, index) => this.evaluateJson([...at, index], item, depth + 1));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.evaluateJson([...at, key], item, depth + 1)]));
    return typeof value === 'number' || typeof value === 'boolean' ? value : null;
  }

  private evaluateString(at: JsonPath, value: string): ArmValue {
    if (!isExpression(value)) return value.startsWith('[[') ? value.slice(1) : value;
    const parsed = this.parse(at);
    if ('error' in parsed) return parsed.error;
    return evaluate(parsed.node, this, parsed.text, parsed.offsets);
  }

  /** The expression written at `jsonPath` of the document, with the file offset of each of its characters. */
  parse(jsonPath: JsonPath): { node: ExpressionNode; text: string; offsets: number[] } | { error: Unknown } {
    const span = this.document.valueSpan(jsonPath) ?? { start: 0, end: 0 };
    const { value: text, offsets } = decodeJsonString(this.document.text, span);
    const node = parseExpression(text, offsets);
    if ('error' in node) return { error: new Unknown(node.span, text, `the expression does not parse: ${node.error}`) };
    return { node, text, offsets };
  }
}

/** A resource found in a template, before its properties are read. */
interface FoundResource {
  jsonPath: JsonPath;
  scope: TemplateScope;
  /** `Microsoft.ApiManagement/service/apis`. */
  type: string;
  /** One per type segment; undefined for a service whose name is not known (APIM resources never need it). */
  names: (string | undefined)[];
}

class TemplateReader {
  /** Expressions of the service's name that could not be evaluated: not needed, so not reported where they recur. */
  private readonly serviceNameTexts = new Set<string>();
  private document!: ParsedDocument;

  constructor(
    private readonly file: string,
    private readonly ctx: ReadContext,
    private readonly localFiles: LocalFiles,
  ) {}

  read(): DeclaredResource[] {
    const document = this.ctx.parseDocument(this.file);
    const root = document?.value;
    if (!document || !isObject(root) || (!Array.isArray(root.resources) && !isObject(root.resources))) return [];
    if (!/deploymentTemplate\.json/i.test(String(root.$schema)) && !isString(root.contentVersion)) return [];
    this.document = document;
    const scope = new TemplateScope(document, [], this.parameterFileValues());
    return this.findResources(scope).flatMap((found) => this.declare(found));
  }

  private report(span: Span | undefined, kind: InputProblem['kind'], message: string): void {
    this.ctx.report([{ file: this.file, span, kind, message }]);
  }

  private isServiceName(unknown: Unknown): boolean {
    return this.serviceNameTexts.has(unknown.text.toLowerCase());
  }

  private reportUnknown(unknown: Unknown, consequence: string): void {
    if (this.isServiceName(unknown)) return;
    this.report(unknown.span, 'unresolved-value', `${unknown.text} cannot be evaluated from the repository (${unknown.reason}): ${consequence}.`);
  }

  private parameterFileValues(): Map<string, ParameterSource> {
    const values = new Map<string, ParameterSource>();
    const parameterFile = this.localFiles.parameterFileOf(this.file);
    const document = parameterFile ? this.ctx.parseDocument(parameterFile) : undefined;
    const parameters = document && jsonAt(document, ['parameters']);
    if (!parameterFile || !document || !isObject(parameters)) return values;
    for (const [name, entry] of Object.entries(parameters)) {
      if (!isObject(entry)) continue;
      // Parameter files hold values, not expressions: ARM does not evaluate them.
      if ('value' in entry) values.set(name.toLowerCase(), { value: entry.value as ArmValue, writtenAt: { document, jsonPath: ['parameters', name, 'value'] } });
      else if ('reference' in entry) values.set(name.toLowerCase(), { keyVaultIn: path.basename(parameterFile) });
    }
    return values;
  }

  /** Every resource of the template, nested ones and those of inline nested deployments included, in document order. */
  private findResources(rootScope: TemplateScope): FoundResource[] {
    const found: FoundResource[] = [];
    const pending: { jsonPath: JsonPath; scope: TemplateScope; parent?: FoundResource }[] = [];
    const pushResources = (containerPath: JsonPath, scope: TemplateScope, parent?: FoundResource) => {
      const container = jsonAt(this.document, containerPath);
      const keys = Array.isArray(container) ? container.map((_, index) => index) : isObject(container) ? Object.keys(container) : [];
      // Reversed onto a stack, so that resources come out in document order.
      for (const key of keys.reverse()) pending.push({ jsonPath: [...containerPath, key], scope, parent });
    };
    pushResources(['resources'], rootScope);
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { jsonPath, scope, parent } = next;
      // Each level of nesting is two JSON levels deep, so the parser's depth limit bounds this walk too.
      const resource = jsonAt(this.document, jsonPath);
      if (!isObject(resource)) continue;
      const writtenType = scope.evaluateJson([...jsonPath, 'type'], resource.type);
      if (typeof writtenType !== 'string') continue;
      if (writtenType.toLowerCase() === DEPLOYMENTS) {
        const nested = this.nestedDeployment(jsonPath, scope);
        if (nested) pushResources([...jsonPath, 'properties', 'template', 'resources'], nested);
        continue;
      }
      const childOf = parent && !FULL_TYPE.test(writtenType) ? parent : undefined;
      const type = childOf ? `${childOf.type}/${writtenType}` : writtenType;
      if (!type.toLowerCase().startsWith(PROVIDER + 'service')) continue;
      const names = this.resourceNames(jsonPath, scope, type, childOf);
      if (!names) continue;
      const foundResource: FoundResource = { jsonPath, scope, type, names };
      found.push(foundResource);
      pushResources([...jsonPath, 'resources'], scope, foundResource);
    }
    return found;
  }

  /** The scope of an inline nested deployment's template: its own (`inner`) or its parent's (`outer`, ARM's default). */
  private nestedDeployment(jsonPath: JsonPath, scope: TemplateScope): TemplateScope | undefined {
    const properties = jsonAt(this.document, [...jsonPath, 'properties']);
    if (!isObject(properties) || !isObject(properties.template)) return undefined;
    if (String(valueAt(properties, ['expressionEvaluationOptions', 'scope'])).toLowerCase() !== 'inner') return scope;
    const given = new Map<string, ParameterSource>();
    const parameters = isObject(properties.parameters) ? properties.parameters : {};
    for (const [name, entry] of Object.entries(parameters)) {
      if (isObject(entry) && 'value' in entry) given.set(name.toLowerCase(), { value: scope.evaluateJson([...jsonPath, 'properties', 'parameters', name, 'value'], entry.value) });
      else if (isObject(entry) && 'reference' in entry) given.set(name.toLowerCase(), { keyVaultIn: path.basename(this.file) });
    }
    return new TemplateScope(this.document, [...jsonPath, 'properties', 'template'], given);
  }

  /** One name per segment of `type` below the provider; undefined (reported) when they cannot be told. */
  private resourceNames(jsonPath: JsonPath, scope: TemplateScope, type: string, childOf?: FoundResource): (string | undefined)[] | undefined {
    const namePath = [...jsonPath, 'name'];
    const name = scope.evaluateJson(namePath, jsonAt(this.document, namePath));
    const segments = [...(childOf?.names ?? []), ...nameSegments(name)];
    const expected = type.split('/').length - 1;
    const nameSpan = this.document.valueSpan([...jsonPath, 'name']) ?? this.document.valueSpan(jsonPath);
    if (segments.length !== expected) {
      const written = typeof name === 'string' ? `'${name}'` : 'The name';
      this.report(nameSpan, 'invalid-artifact', `${written} has ${segments.length} segment(s) where ${type} needs ${expected}: the resource was not read.`);
      return undefined;
    }
    const names: (string | undefined)[] = [];
    for (const [index, segment] of segments.entries()) {
      if (!(segment instanceof Unknown)) names.push(segment);
      else if (index === 0) {
        this.serviceNameTexts.add(segment.text.toLowerCase());
        names.push(undefined);
      } else {
        this.reportUnknown(segment, `the name of this ${type.split('/').pop()} resource is not known, so it was not read`);
        return undefined;
      }
    }
    return names;
  }

  private declare(found: FoundResource): DeclaredResource[] {
    const { jsonPath, scope, type, names } = found;
    const propertiesPath = [...jsonPath, 'properties'];
    const kind = type.slice(PROVIDER.length).toLowerCase();
    const scopeKind = kindInScope(kind);
    const linkedValue = scopeKind === 'service/apis' || kind.endsWith('policies') || scopeKind === 'service/policyfragments';
    const evaluated = scope.evaluateJson(propertiesPath, jsonAt(this.document, propertiesPath));
    const properties = this.plainProperties(evaluated, linkedValue ? ['value', 'policyContent'] : []);
    const span = this.document.valueSpan(jsonPath) ?? { start: 0, end: 0 };
    const document = this.document;
    const declaration = declarationOf(this.file, span, (property) => document.valueSpan([...propertiesPath, ...property]), document.keySpan(propertiesPath) ?? span, {
      document,
      propertiesPath,
    });
    return [
      {
        file: this.file,
        span,
        kind,
        names: names.map((name) => name ?? ''),
        properties,
        declaration,
        definitionFile: () => this.definitionFile(found, properties),
        policy: () => this.policy(found, properties),
      },
    ];
  }

  /**
   * Evaluated properties as plain values: what is unknown is left out (read as not written) and
   * reported, except under `handledKeys`, whose readers report it themselves.
   */
  private plainProperties(evaluated: ArmValue, handledKeys: readonly string[]): Properties {
    const toPlain = (value: ArmValue, where: string, depth: number): unknown => {
      if (value instanceof PartialString && value.parts.every((part) => isString(part) || this.isServiceName(part))) {
        // An id of the service's resources: what the rules read is the part after the service name.
        return value.parts.map((part) => (isString(part) ? part : `{${part.text}}`)).join('');
      }
      if (value instanceof Unknown || value instanceof PartialString) {
        const unknown = value instanceof Unknown ? value : value.parts.find((part): part is Unknown => part instanceof Unknown && !this.isServiceName(part))!;
        if (!handledKeys.includes(where.split('.')[1])) this.reportUnknown(unknown, `${where} is read as not written`);
        return undefined;
      }
      if (depth > MAX_NESTING_DEPTH) return undefined;
      if (Array.isArray(value)) return value.map((item, index) => toPlain(item, `${where}[${index}]`, depth + 1));
      if (typeof value === 'object' && value !== null) {
        const entries = Object.entries(value).map(([key, item]) => [key, toPlain(item, `${where}.${key}`, depth + 1)]);
        return Object.fromEntries(entries.filter(([, item]) => item !== undefined));
      }
      return value;
    };
    const plain = toPlain(evaluated, 'properties', 0);
    return isObject(plain) ? plain : {};
  }

  /** The key of a policy's or definition's content (`policyContent` in templates of API versions before 2019), and its format. */
  private contentKey(found: FoundResource, properties: Properties): { valueKey: string; format: string } {
    const written = jsonAt(this.document, [...found.jsonPath, 'properties']);
    const valueKey = isObject(written) && 'policyContent' in written && !('value' in written) ? 'policyContent' : 'value';
    const format = properties.format ?? properties.contentFormat;
    return { valueKey, format: isString(format) ? format.toLowerCase() : '' };
  }

  private definitionFile(found: FoundResource, properties: Properties): string | undefined {
    const { valueKey, format } = this.contentKey(found, properties);
    const valuePath = [...found.jsonPath, 'properties', valueKey];
    if (this.document.valueSpan(valuePath) === undefined) return undefined;
    if (format.includes('link')) return this.linkedFile(found, valuePath, 'definition of the API');
    this.report(this.document.valueSpan(valuePath), 'invalid-artifact', `The API's definition is written inline in the template (format '${format}'): it is not analysed; its operations are read from the template's operation resources only.`);
    return undefined;
  }

  private policy(found: FoundResource, properties: Properties): PolicyAttachment | undefined {
    const { valueKey, format } = this.contentKey(found, properties);
    const valuePath = [...found.jsonPath, 'properties', valueKey];
    const written = jsonAt(this.document, valuePath);
    const span = this.document.valueSpan(valuePath);
    if (!isString(written) || !span) return undefined;
    if (format.endsWith('-link')) {
      const linked = this.linkedFile(found, valuePath, 'policy');
      return linked ? this.ctx.readPolicy(linked) : undefined;
    }
    const located = this.policyText(found.scope, valuePath, written, span);
    if (!located) return undefined;
    const xml = parsePolicyXml(located.document.file, placeXmlText(located.document.text, located.value, located.offsets));
    this.ctx.report(xml.problems);
    // Only a plain JSON string at the resource is edited in place; a `[[`, an expression or a variable is left alone.
    const plainString = located.document === this.document && !written.startsWith('[');
    const inline: InlinePolicy = plainString ? { syntax: 'json', text: located.value, offsets: located.offsets, end: span.end - 1 } : { syntax: 'computed' };
    return { file: located.document.file, xml, inline };
  }

  /**
   * The policy's XML, the document it is written in and the offset there of each character: exact
   * for a string, literals, or a parameter or variable written as a string; else the value's start.
   */
  private policyText(scope: TemplateScope, valuePath: JsonPath, written: string, span: Span): { document: ParsedDocument; value: string; offsets: number[] } | undefined {
    const document = this.document;
    const decoded = decodeJsonString(document.text, span);
    if (!isExpression(written)) return { document, ...(written.startsWith('[[') ? { value: decoded.value.slice(1), offsets: decoded.offsets.slice(1) } : decoded) };
    const parsed = scope.parse(valuePath);
    if ('error' in parsed) {
      this.reportUnknown(parsed.error, 'the policy was not read');
      return undefined;
    }
    const literals = literalText(parsed.node);
    if (literals) return { document, ...literals };
    const writtenAt = scope.writtenAt(parsed.node);
    const writtenSpan = writtenAt?.document.valueSpan(writtenAt.jsonPath);
    if (writtenAt && writtenSpan) return { document: writtenAt.document, ...decodeJsonString(writtenAt.document.text, writtenSpan) };
    const value = evaluate(parsed.node, scope, parsed.text, parsed.offsets);
    if (typeof value === 'string') return { document, value, offsets: Array.from({ length: value.length }, () => span.start) };
    this.reportUnknown(value instanceof PartialString ? value.firstUnknown : value instanceof Unknown ? value : new Unknown(span, written, 'it is not a string'), 'the policy was not read');
    return undefined;
  }

  /**
   * The local file a `-link` value names: ARM fetches it from a URL at deployment, and the
   * repository keeps it under the same file name (the APIM DevOps extractor's `policies/` folder).
   */
  private linkedFile(found: FoundResource, valuePath: JsonPath, what: string): string | undefined {
    const written = jsonAt(this.document, valuePath);
    const value = found.scope.evaluateJson(valuePath, written);
    const span = this.document.valueSpan(valuePath);
    const known = typeof value === 'string' ? [value] : value instanceof PartialString ? value.parts.filter(isString) : [];
    const link = known.reverse().find((part) => /[^/?#]\.[A-Za-z0-9]+(?:[?#].*)?$/.test(part.trim()))?.trim();
    const fileName = link && /([^/?#]+)(?:[?#].*)?$/.exec(link)?.[1];
    if (!link || !fileName) {
      const unknown = value instanceof Unknown ? value : value instanceof PartialString ? value.firstUnknown : new Unknown(span ?? { start: 0, end: 0 }, String(written), 'it names no file');
      this.reportUnknown(unknown, `the file of the ${what} cannot be told, so it was not read`);
      return undefined;
    }
    if (typeof value === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(link)) return this.relativeFile(link, span, what);
    const candidates = this.localFiles.named(fileName);
    const near = candidates.filter((candidate) => candidate.startsWith(path.dirname(this.file) + path.sep));
    const chosen = candidates.length === 1 ? candidates : near.length === 1 ? near : [];
    if (chosen.length === 1) return chosen[0];
    if (candidates.length > 1) {
      const listed = candidates.map((candidate) => path.relative(this.ctx.files.rootFolder, candidate)).join(', ');
      this.report(span, 'unresolved-ref', `The ${what} is linked to a file named ${fileName}, and several have that name (${listed}): none was read.`);
    } else {
      this.report(span, typeof value === 'string' ? 'remote-ref' : 'unresolved-ref', `The ${what} is linked to ${fileName}, and no file in the scanned folder has that name: it was not read (links are never fetched).`);
    }
    return undefined;
  }

  /** A link written as a path (no URL scheme): relative to the template, and only inside the scanned folder. */
  private relativeFile(link: string, span: Span | undefined, what: string): string | undefined {
    const file = path.resolve(path.dirname(this.file), link);
    if (!this.ctx.files.isInside(file)) {
      this.report(span, 'outside-root', `The ${what} is linked to ${link}, which is outside the scanned folder: it was not opened.`);
      return undefined;
    }
    if (this.ctx.files.exists(file)) return file;
    this.report(span, 'unresolved-ref', `The ${what} is linked to ${link}, which is not in the scanned folder: it was not read.`);
    return undefined;
  }
}

/** A name as its `/`-separated segments; a segment with an unknown part is that unknown. */
function nameSegments(name: ArmValue): (string | Unknown)[] {
  if (typeof name === 'string') return name.split('/');
  if (name instanceof Unknown) return [name];
  if (!(name instanceof PartialString)) return [];
  const segments: (string | Unknown)[] = [''];
  for (const part of name.parts) {
    if (part instanceof Unknown) {
      segments[segments.length - 1] = part;
      continue;
    }
    const [first, ...rest] = part.split('/');
    const last = segments[segments.length - 1];
    if (!(last instanceof Unknown)) segments[segments.length - 1] = last + first;
    segments.push(...rest);
  }
  return segments;
}

/** The text of a string literal, or of `concat(...)` of literals, with the file offset of each character. */
function literalText(node: ExpressionNode): { value: string; offsets: number[] } | undefined {
  if (node.kind === 'string') return { value: node.value, offsets: node.offsets };
  if (node.kind !== 'call' || node.name.toLowerCase() !== 'concat' || !node.args.every((arg) => arg.kind === 'string')) return undefined;
  const strings = node.args as Extract<ExpressionNode, { kind: 'string' }>[];
  return { value: strings.map((arg) => arg.value).join(''), offsets: strings.flatMap((arg) => arg.offsets) };
}
