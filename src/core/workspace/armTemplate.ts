// Reads APIM resources declared in ARM JSON templates: `Microsoft.ApiManagement/service/...`
// resources at any depth (top level with `svc/api` names, nested `resources` with short types,
// inline nested deployments, templates linked by `templateLink` that are files of the scanned folder),
// each copy of a `copy` loop, their names and properties evaluated from parameters (defaults, a
// parameter file beside the template, or what the linking deployment passes) and variables, inline
// policies read in place, and `-link` policies and definitions matched to the local file of the same name.
import * as path from 'path';
import type { InlinePolicy, PolicyAttachment } from '../model';
import type { JsonPath, ParsedDocument } from '../parse/document';
import { parsePolicyXml } from '../policy/xml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblem } from '../problems';
import type { Span } from '../text';
import type { ReadContext } from './context';
import { declarationOf, isObject, isString, valueAt, type Properties } from './declaration';
import { buildDeclaredContent, kindInScope, READ_KINDS, type DeclaredResource } from './declaredResources';
import { evaluate, isExpression, isPlainObject, parseExpression, PartialString, Unknown, type ArmValue, type ExpressionNode, type ExpressionScope } from './armExpression';
import { decodeJsonString, placeXmlText } from './armText';
import { relativeOrSelf } from './files';
import { emptyContent, type ServiceContent } from './resources';

const PROVIDER = 'microsoft.apimanagement/';
const DEPLOYMENTS = 'microsoft.resources/deployments';
/** A type with its namespace (`Microsoft.ApiManagement/service/apis`), not a child's short type (`apis`). */
const FULL_TYPE = /^[^/]+\.[^/]+\/./;
/** APIOps writes ARM `properties` into files named so; they are never templates. */
const APIOPS_INFORMATION = /Information\.json$/;
const JSON_FILE = /\.json$/i;
const PARAMETER_FILE = /parameters\.json$/i;
/** How far into a file to look for the template schema before parsing it. */
const SNIFF_CHARS = 4096;
/** Templates linked inside one another before the chain is refused. */
const MAX_LINK_DEPTH = 16;
/** Linked templates one deployment reads (a template linked twice is read twice), so that fan-out cannot multiply. */
const MAX_LINKED_READS = 1000;
/** Copies one `copy` loop makes: ARM's own limit, past which it refuses the template. */
const MAX_COPY_COUNT = 800;
/** Copies (of resources and of properties, nested loops multiplied) one deployment makes. */
const MAX_DEPLOYMENT_COPIES = 2_000;

/** The APIM resources of the ARM templates among `files` (the other files are not parsed). */
export function readArmTemplates(files: readonly string[], ctx: ReadContext): ServiceContent {
  const localFiles = new LocalFiles(files);
  let listed: Set<string> | undefined;
  const notCompiled = (file: string) => !isCompiledFromReadBicep(file, (listed ??= new Set(files)), ctx);
  // Whether a file is a template at all is asked once: most JSON files (specs) are not, and their text is then searched no further.
  const templates = files.filter((file) => mayBeTemplate(file) && looksLikeTemplate(ctx.files.read(file).text));
  const linking = templates.filter((file) => LINKS_TEMPLATES.test(ctx.files.read(file).text!) && notCompiled(file));
  const linkingSet = new Set(linking);
  const others = templates.filter((file) => !linkingSet.has(file) && MENTIONS_APIM_SERVICE.test(ctx.files.read(file).text!) && notCompiled(file));
  const deployments: Deployment[] = [];
  const reached = new Set<string>();
  // Templates that link others first: what they link is then not read on its own only to be dropped.
  for (const file of [...linking, ...others]) {
    if (reached.has(file)) continue;
    const deployment = new Deployment(file, localFiles, ctx);
    if (!ctx.isolate(file, path.basename(file), () => new TemplateReader(file, deployment).read())) continue;
    deployments.push(deployment);
    for (const read of deployment.declaredBy.keys()) reached.add(read);
  }
  const declared = deployedOnce(deployments, ctx);
  return ctx.isolate(declared[0]?.file ?? '', 'The ARM template declarations', () => buildDeclaredContent(declared, ctx, 'arm')) ?? emptyContent();
}

/** A resource of a type outside API Management that a template declares (a site, a workflow, an account), evaluated where it is written. */
export interface TemplateResource {
  file: string;
  span: Span;
  /** The full type: `Microsoft.Web/sites/config` for a `config` nested in a site. */
  type: string;
  /** One per type segment below the provider; undefined where the files do not determine it. */
  names: (string | undefined)[];
  /** The name as written (`[parameters('siteName')]`). */
  nameText: string;
  /** A key of the resource (`kind`, `properties`, `identity`, `tags`) evaluated; what is not known stays `Unknown`. */
  evaluate(key: string): ArmValue;
  /** Where a key's value (`properties`, `properties.siteConfig`) is written. */
  spanOf(jsonPath: JsonPath): Span | undefined;
  /** The resource's text as written, to find references to another resource in it. */
  text: string;
}

/**
 * The resources of the types `wanted` accepts in the templates among `files` that mention one of
 * them (`mentions`): each copy, nested and inline-deployed ones, with the parameters and variables of
 * the template (defaults, its parameter file, or what the linking template passes), read as
 * `readArmTemplates` reads APIM resources. A template linked by another one is read there only.
 */
export function readTemplateResources(files: readonly string[], ctx: ReadContext, mentions: RegExp, wanted: (type: string) => boolean): TemplateResource[] {
  const localFiles = new LocalFiles(files);
  let listed: Set<string> | undefined;
  const candidates = files.filter((file) => {
    if (!mayBeTemplate(file)) return false;
    const text = ctx.files.read(file).text;
    return text !== undefined && (mentions.test(text) || LINKS_TEMPLATES.test(text)) && looksLikeTemplate(text) && !isCompiledFromReadBicep(file, (listed ??= new Set(files)), ctx);
  });
  const linking = candidates.filter((file) => LINKS_TEMPLATES.test(ctx.files.read(file).text!));
  const found: TemplateResource[] = [];
  const reached = new Set<string>();
  for (const file of [...linking, ...candidates.filter((candidate) => !linking.includes(candidate))]) {
    if (reached.has(file)) continue;
    const deployment = new Deployment(file, localFiles, ctx);
    ctx.isolate(file, path.basename(file), () => new TemplateReader(file, deployment, undefined, { wanted, found }).read());
    deployment.keep(() => true);
    for (const read of deployment.declaredBy.keys()) reached.add(read);
  }
  return found;
}

/**
 * The resources of the deployments, each template's counted once. A template that another one links
 * is deployed with the parameters that one passes, so it is read there and not on its own (the APIM
 * DevOps resource kit's master template and the templates beside it are one deployment); templates
 * that link one another in a cycle are read from the first of them. A template that two deployments
 * link is read in the first, and the second says so where it links it.
 */
function deployedOnce(deployments: readonly Deployment[], ctx: ReadContext): DeclaredResource[] {
  const linked = new Set(deployments.flatMap((deployment) => [...deployment.declaredBy.keys()].filter((file) => file !== deployment.entry)));
  /** Each template read, to the entry of the deployment it is read in. */
  const readIn = new Map<string, string>();
  const declared: DeclaredResource[] = [];
  const relative = (file: string) => relativeOrSelf(ctx.files.rootFolder, file);
  const keep = (deployment: Deployment) => {
    const dropped = new Set<string>();
    for (const [file, resources] of deployment.declaredBy) {
      const entry = readIn.get(file);
      if (entry === undefined) declared.push(...resources);
      else {
        dropped.add(file);
        const at = deployment.linkedAt.get(file);
        const message = `The template ${relative(file)} is read once, in the deployment of ${relative(entry)}, which links it too; the parameters passed here are not applied.`;
        if (at) deployment.report(at.file, at.span, 'skipped', message);
      }
    }
    for (const file of deployment.declaredBy.keys()) if (!readIn.has(file)) readIn.set(file, deployment.entry);
    deployment.keep((problem) => !dropped.has(problem.file));
  };
  for (const deployment of deployments) if (!linked.has(deployment.entry)) keep(deployment);
  for (const deployment of deployments) if (!readIn.has(deployment.entry)) keep(deployment);
  return declared;
}

/**
 * Whether a template is the Bicep compiler's output (`metadata._generator.name: "bicep"`) of the
 * `.bicep` file of the same name beside it, among the files read (the Bicep reader reads each as a
 * deployment or as a module): the same deployment, so it is not read a second time, and that is said
 * where the template names its generator.
 */
function isCompiledFromReadBicep(file: string, listed: ReadonlySet<string>, ctx: ReadContext): boolean {
  const bicep = file.replace(/\.json$/i, '.bicep');
  if (bicep === file || !listed.has(bicep) || !/"_generator"\s*:/.test(ctx.files.read(file).text ?? '')) return false;
  // Parsed without counting it read: it is not.
  const document = ctx.isolate(file, path.basename(file), () => ctx.documents.parse(file))?.document;
  const generatorPath = ['metadata', '_generator', 'name'];
  const generator = document && jsonAt(document, generatorPath);
  if (!isString(generator) || generator.toLowerCase() !== 'bicep') return false;
  const message = `This template is the Bicep compiler's output of ${path.basename(bicep)} beside it, which is read: it is not read a second time.`;
  ctx.report([{ file, span: document!.valueSpan(generatorPath), kind: 'skipped', message }]);
  return true;
}

/** What a template that may deploy APIM resources mentions. */
const MENTIONS_APIM_SERVICE = /Microsoft\.ApiManagement\/service/i;
/** What a template that links other templates (the resource kit's master template) has, which may deploy APIM resources. */
const LINKS_TEMPLATES = /"templateLink"\s*:/;

/** An ARM template that mentions APIM resources, by its name and its text; other files are not parsed. */
export function looksLikeApimTemplate(file: string, text: string | undefined): boolean {
  return mayBeTemplate(file) && looksLikeTemplate(text) && MENTIONS_APIM_SERVICE.test(text);
}

/** By its name: asked first, so that the other files (specs, policies) are not read, nor searched, for templates on every scan. */
function mayBeTemplate(file: string): boolean {
  if (!JSON_FILE.test(file)) return false;
  const name = path.basename(file);
  return !APIOPS_INFORMATION.test(name) && !PARAMETER_FILE.test(name);
}

function looksLikeTemplate(text: string | undefined): text is string {
  return text !== undefined && (/deploymentTemplate\.json/i.test(text.slice(0, SNIFF_CHARS)) || /"contentVersion"\s*:/.test(text));
}

/**
 * One deployment: an entry template and the templates it links, read with the parameters passed.
 * Its problems are held until it is known to be read as a deployment of its own (`keep`).
 */
class Deployment {
  /** The resources each template read declares, the entry's first. */
  readonly declaredBy = new Map<string, DeclaredResource[]>();
  /** Where each linked template is first linked. */
  readonly linkedAt = new Map<string, { file: string; span?: Span }>();
  private held: InputProblem[] | undefined = [];
  private linkedReads = 0;
  private copies = 0;

  constructor(
    readonly entry: string,
    readonly localFiles: LocalFiles,
    readonly ctx: ReadContext,
  ) {}

  report(file: string, span: Span | undefined, kind: InputProblem['kind'], message: string): void {
    const problem = { file, span, kind, message };
    if (this.held) this.held.push(problem);
    else this.ctx.report([problem]);
  }

  /** Reports the problems held that `wanted` keeps; later ones (of policies read lazily) are reported at once. */
  keep(wanted: (problem: InputProblem) => boolean): void {
    this.ctx.report((this.held ?? []).filter(wanted));
    this.held = undefined;
  }

  declared(file: string, resources: readonly DeclaredResource[]): void {
    const known = this.declaredBy.get(file);
    if (known) known.push(...resources);
    else this.declaredBy.set(file, [...resources]);
  }

  takeLinkedRead(): boolean {
    return ++this.linkedReads <= MAX_LINKED_READS;
  }

  takeCopies(count: number): boolean {
    if (this.copies + count > MAX_DEPLOYMENT_COPIES) return false;
    this.copies += count;
    return true;
  }
}

/**
 * The scanned files by base name and by folder, to find a linked file and a template's parameter file;
 * indexed when first asked, as most scans read no template and an estate has thousands of files.
 */
class LocalFiles {
  private indexed?: { byBaseName: Map<string, string[]>; parameterFiles: Map<string, string[]> };

  constructor(private readonly files: readonly string[]) {}

  private index() {
    if (this.indexed) return this.indexed;
    const byBaseName = new Map<string, string[]>();
    const parameterFiles = new Map<string, string[]>();
    for (const file of this.files) {
      const name = path.basename(file);
      const named = byBaseName.get(name) ?? [];
      named.push(file);
      byBaseName.set(name, named);
      if (!PARAMETER_FILE.test(name)) continue;
      const inFolder = parameterFiles.get(path.dirname(file)) ?? [];
      inFolder.push(file);
      parameterFiles.set(path.dirname(file), inFolder);
    }
    return (this.indexed = { byBaseName, parameterFiles });
  }

  named(name: string): readonly string[] {
    return this.index().byBaseName.get(name) ?? [];
  }

  /** The parameter file beside `template` that names it (`x.parameters.json` for `x.json` or `x.template.json`), else the only one there. */
  parameterFileOf(template: string): string | undefined {
    const candidates = this.index().parameterFiles.get(path.dirname(template)) ?? [];
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

/** A parameter's value given from outside the template; `linkedFrom` names the template that links this one and passed it. */
type ParameterSource = { value: ArmValue; writtenAt?: WrittenAt; linkedFrom?: string } | { keyVaultIn: string };

/** What the scopes of one template share: its parameters and variables, evaluated once, and the deployment's count of copies. */
interface TemplateDeclarations {
  evaluated: Map<string, ArmValue>;
  declaredPaths: Map<string, JsonPath | undefined>;
  evaluating: Set<string>;
  takeCopies: (count: number) => boolean;
}

/**
 * Where expressions of one template are evaluated: its parameters (given by a parameter file or a
 * deployment, else their defaults) and variables, each evaluated once, and the indexes of the copy
 * loops around the expression.
 */
class TemplateScope implements ExpressionScope {
  constructor(
    readonly document: ParsedDocument,
    private readonly templatePath: JsonPath,
    private readonly given: ReadonlyMap<string, ParameterSource>,
    takeCopies: (count: number) => boolean,
    private readonly shared: TemplateDeclarations = { evaluated: new Map(), declaredPaths: new Map(), evaluating: new Set(), takeCopies },
    /** Loop names (lower case) to their index; the innermost loop is `innermost`. */
    private readonly loops: ReadonlyMap<string, number> = new Map(),
    private readonly innermost?: string,
  ) {}

  /** This scope inside copy `index` of the loop `name`. */
  inLoop(name: string, index: number): TemplateScope {
    const loop = name.toLowerCase();
    return new TemplateScope(this.document, this.templatePath, this.given, this.shared.takeCopies, this.shared, new Map([...this.loops, [loop, index]]), loop);
  }

  copyIndex(loop: string | undefined, at: Unknown): number | Unknown {
    const index = this.loops.get(loop?.toLowerCase() ?? this.innermost ?? '');
    if (index !== undefined) return index;
    return new Unknown(at.span, at.text, loop === undefined ? 'copyIndex() is used outside a copy loop' : `no copy loop named '${loop}' encloses it`);
  }

  parameter(name: string, at: Unknown): ArmValue {
    const given = this.given.get(name.toLowerCase());
    if (given && 'keyVaultIn' in given) return new Unknown(at.span, at.text, `it is a Key Vault reference in ${given.keyVaultIn}`);
    // What a linking template could not tell is said here, where this template uses it.
    if (given) return given.linkedFrom === undefined ? given.value : relocated(given.value, at, given.linkedFrom);
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
    const { declaredPaths } = this.shared;
    if (declaredPaths.has(id)) return declaredPaths.get(id);
    const declarations = jsonAt(this.document, [...this.templatePath, section]);
    const key = isObject(declarations) ? Object.keys(declarations).find((candidate) => candidate.toLowerCase() === name.toLowerCase()) : undefined;
    const declaredPath = key === undefined ? undefined : [...this.templatePath, section, key];
    declaredPaths.set(id, declaredPath);
    return declaredPath;
  }

  /** The parameter or variable `name` (case-insensitive), evaluated once; one that refers back to itself is unknown. */
  private declared(section: 'parameters' | 'variables', name: string, at: Unknown, evaluateAt: (declaredPath: JsonPath) => ArmValue): ArmValue {
    const declaredPath = this.declaredPath(section, name);
    if (declaredPath === undefined) return new Unknown(at.span, at.text, `the template declares no ${section === 'parameters' ? 'parameter' : 'variable'} '${name}'`);
    const id = declaredPath.join('/');
    const { evaluated, evaluating } = this.shared;
    const known = evaluated.get(id);
    if (known !== undefined) return known;
    if (evaluating.has(id)) return new Unknown(at.span, at.text, `'${name}' refers back to itself`);
    evaluating.add(id);
    const value = evaluateAt(declaredPath);
    evaluating.delete(id);
    evaluated.set(id, value);
    return value;
  }

  /**
   * The JSON value written at `at` in the template, its expressions evaluated; in a resource's
   * properties (`propertyCopies`), a `copy` array makes each of its properties from copies of its `input`.
   */
  evaluateJson(at: JsonPath, value: unknown, depth = 0, propertyCopies = false): ArmValue {
    if (depth > MAX_NESTING_DEPTH) return null;
    if (typeof value === 'string') return this.evaluateString(at, value);
    if (Array.isArray(value)) return value.map((item, index) => this.evaluateJson([...at, index], item, depth + 1, propertyCopies));
    if (!isObject(value)) return typeof value === 'number' || typeof value === 'boolean' ? value : null;
    const copies = propertyCopies && Array.isArray(value.copy) ? value.copy : undefined;
    const entries = Object.entries(value).filter(([key]) => !copies || key !== 'copy');
    const evaluated: Record<string, ArmValue> = Object.fromEntries(entries.map(([key, item]) => [key, this.evaluateJson([...at, key], item, depth + 1, propertyCopies)]));
    for (const [index, loop] of (copies ?? []).entries()) {
      if (isObject(loop) && isString(loop.name)) evaluated[loop.name] = this.propertyCopy([...at, 'copy', index], loop, depth + 1);
    }
    return evaluated;
  }

  /** The property a property `copy` loop makes: its `input` evaluated once per index; unknown when its count is. */
  private propertyCopy(at: JsonPath, loop: Properties, depth: number): ArmValue {
    const count = this.evaluateJson([...at, 'count'], loop.count, depth + 1);
    const unknown = (reason: string) => new Unknown(this.document.valueSpan([...at, 'count']) ?? { start: 0, end: 0 }, JSON.stringify(loop.count), reason);
    if (count instanceof Unknown) return count;
    if (count instanceof PartialString) return count.firstUnknown;
    if (!isCopyCount(count)) return unknown(`the copy count is not a whole number from 0 to ${MAX_COPY_COUNT}`);
    if (!this.shared.takeCopies(count)) return unknown(`the deployment makes more than ${MAX_DEPLOYMENT_COPIES} copies`);
    const name = String(loop.name);
    return Array.from({ length: count }, (_, index) => this.inLoop(name, index).evaluateJson([...at, 'input'], loop.input, depth + 1, true));
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

/** Resources of other types than API Management's, collected instead of declared. */
interface Collecting {
  wanted: (type: string) => boolean;
  found: TemplateResource[];
}

/** How a linked template is read: with what its deployment passes, below the templates that link to it. */
interface LinkedCall {
  given: ReadonlyMap<string, ParameterSource>;
  /** The templates linking to this one, the entry first. */
  chain: readonly string[];
}

class TemplateReader {
  /** Expressions of the service's name that could not be evaluated: not needed, so not reported where they recur. */
  private readonly serviceNameTexts = new Set<string>();
  private readonly ctx: ReadContext;
  private readonly chain: readonly string[];
  private document!: ParsedDocument;

  constructor(
    private readonly file: string,
    private readonly deployment: Deployment,
    private readonly call?: LinkedCall,
    private readonly collecting?: Collecting,
  ) {
    this.ctx = deployment.ctx;
    this.chain = [...(call?.chain ?? []), file];
  }

  /** The template's resources and those of the templates it links; undefined when the file is no ARM template. */
  read(): DeclaredResource[] | undefined {
    const document = this.ctx.parseDocument(this.file);
    const root = document?.value;
    if (!document || !isObject(root) || (!Array.isArray(root.resources) && !isObject(root.resources))) return undefined;
    if (!/deploymentTemplate\.json/i.test(String(root.$schema)) && !isString(root.contentVersion)) return undefined;
    this.document = document;
    // Registered first, so that the template comes before those it links.
    this.deployment.declared(this.file, []);
    const parameterFile = this.call ? undefined : this.deployment.localFiles.parameterFileOf(this.file);
    const given = this.call?.given ?? (parameterFile ? this.parameterFileValues(parameterFile) : new Map<string, ParameterSource>());
    const scope = new TemplateScope(document, [], given, (count) => this.deployment.takeCopies(count));
    const resources = this.findResources(scope);
    if (this.collecting) this.collecting.found.push(...resources.map((found) => this.collected(found)));
    const declared = this.collecting ? [] : resources.flatMap((found) => this.declare(found));
    this.deployment.declared(this.file, declared);
    return declared;
  }

  private report(span: Span | undefined, kind: InputProblem['kind'], message: string): void {
    this.deployment.report(this.file, span, kind, message);
  }

  private isServiceName(unknown: Unknown): boolean {
    return this.serviceNameTexts.has(unknown.text.toLowerCase());
  }

  private reportUnknown(unknown: Unknown, consequence: string): void {
    if (this.isServiceName(unknown)) return;
    this.report(unknown.span, 'unresolved-value', `${unknown.text} cannot be evaluated from the repository (${unknown.reason}): ${consequence}.`);
  }

  private relative(file: string): string {
    return relativeOrSelf(this.ctx.files.rootFolder, file);
  }

  private parameterFileValues(parameterFile: string): Map<string, ParameterSource> {
    const values = new Map<string, ParameterSource>();
    const document = this.ctx.parseDocument(parameterFile);
    const parameters = document && jsonAt(document, ['parameters']);
    if (!document || !isObject(parameters)) return values;
    for (const [name, entry] of Object.entries(parameters)) {
      if (!isObject(entry)) continue;
      // Parameter files hold values, not expressions: ARM does not evaluate them.
      if ('value' in entry) values.set(name.toLowerCase(), { value: entry.value as ArmValue, writtenAt: { document, jsonPath: ['parameters', name, 'value'] } });
      else if ('reference' in entry) values.set(name.toLowerCase(), { keyVaultIn: path.basename(parameterFile) });
    }
    return values;
  }

  /**
   * Every resource of the template, nested ones, each copy of a `copy` loop and those of inline nested
   * deployments included, in document order; linked templates are read on the way.
   */
  private findResources(rootScope: TemplateScope): FoundResource[] {
    const found: FoundResource[] = [];
    const pending: { jsonPath: JsonPath; scope: TemplateScope; parent?: FoundResource; isCopy?: boolean }[] = [];
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
      // An `existing` resource (compiled Bicep) is a reference to one deployed elsewhere, never a declaration.
      if (!isObject(resource) || resource.existing === true) continue;
      const writtenType = scope.evaluateJson([...jsonPath, 'type'], resource.type);
      if (typeof writtenType !== 'string') continue;
      const isDeployment = writtenType.toLowerCase() === DEPLOYMENTS;
      const childOf = parent && !FULL_TYPE.test(writtenType) ? parent : undefined;
      const type = childOf ? `${childOf.type}/${writtenType}` : writtenType;
      // Kinds the model is not built from (diagnostics, loggers) are not read, nor their conditions.
      if (!isDeployment && !(this.collecting ? this.collecting.wanted(type) : isReadKind(type))) continue;
      if (!next.isCopy && resource.copy !== undefined) {
        const copies = this.copies(jsonPath, scope, isDeployment ? 'deployment' : `${type.split('/').pop()} resource`);
        for (const copy of copies.reverse()) pending.push({ jsonPath, scope: copy, parent, isCopy: true });
        continue;
      }
      if (!this.isDeployed(jsonPath, scope, isDeployment ? 'deployment' : `${type.split('/').pop()} resource`)) continue;
      if (isDeployment) {
        if (isObject(valueAt(resource, ['properties', 'template']))) pushResources([...jsonPath, 'properties', 'template', 'resources'], this.nestedDeployment(jsonPath, scope));
        else if (valueAt(resource, ['properties', 'templateLink']) !== undefined) this.readLinkedTemplate(jsonPath, scope);
        continue;
      }
      const names = this.resourceNames(jsonPath, scope, type, childOf);
      if (!names) continue;
      const foundResource: FoundResource = { jsonPath, scope, type, names };
      found.push(foundResource);
      pushResources([...jsonPath, 'resources'], scope, foundResource);
    }
    return found;
  }

  /**
   * Whether a resource (one copy of it) with a `condition` is deployed. A false condition is said, as
   * what is not read; one the files do not determine is said too, and taken as deployed: a resource
   * that may be deployed is judged rather than left out.
   */
  private isDeployed(jsonPath: JsonPath, scope: TemplateScope, what: string): boolean {
    const conditionPath = [...jsonPath, 'condition'];
    const written = jsonAt(this.document, conditionPath);
    if (written === undefined) return true;
    const value = scope.evaluateJson(conditionPath, written);
    const span = this.document.valueSpan(conditionPath);
    const text = typeof written === 'string' ? `\`${written}\`` : JSON.stringify(written);
    if (value === false) this.report(span, 'skipped', `This ${what}'s condition ${text} is false: it is not deployed, and not read.`);
    else if (value !== true) {
      const unknown = value instanceof Unknown ? value : value instanceof PartialString ? value.firstUnknown : undefined;
      if (unknown) this.reportUnknown(unknown, `this ${what}'s condition is not known, so it is read as deployed`);
      else this.report(span, 'invalid-artifact', `This ${what}'s condition ${text} is not a boolean: it is read as deployed.`);
    }
    return value !== false;
  }

  /** The scopes of a resource's copies, one per index of its `copy` loop; none, reported, when the count is not known. */
  private copies(jsonPath: JsonPath, scope: TemplateScope, what: string): TemplateScope[] {
    const copyPath = [...jsonPath, 'copy'];
    const copy = jsonAt(this.document, copyPath);
    const countPath = [...copyPath, 'count'];
    const count = isObject(copy) ? scope.evaluateJson(countPath, copy.count) : undefined;
    const span = this.document.valueSpan(isObject(copy) && 'count' in copy ? countPath : copyPath);
    const consequence = `the copies of this ${what} are not read`;
    if (count instanceof Unknown || count instanceof PartialString) {
      this.reportUnknown(count instanceof Unknown ? count : count.firstUnknown, `the number of copies is not known, so ${consequence}`);
      return [];
    }
    if (!isCopyCount(count)) {
      this.report(span, 'invalid-artifact', `The copy count is not a whole number from 0 to ${MAX_COPY_COUNT} (ARM's limit): ${consequence}.`);
      return [];
    }
    if (!this.deployment.takeCopies(count)) {
      this.report(span, 'over-budget', `The deployment makes more than ${MAX_DEPLOYMENT_COPIES} copies: ${consequence}.`);
      return [];
    }
    const name = isObject(copy) && isString(copy.name) ? copy.name : '';
    return Array.from({ length: count }, (_, index) => scope.inLoop(name, index));
  }

  /** The scope of an inline nested deployment's template: its own (`inner`) or its parent's (`outer`, ARM's default). */
  private nestedDeployment(jsonPath: JsonPath, scope: TemplateScope): TemplateScope {
    const properties = jsonAt(this.document, [...jsonPath, 'properties']);
    if (String(valueAt(isObject(properties) ? properties : {}, ['expressionEvaluationOptions', 'scope'])).toLowerCase() !== 'inner') return scope;
    return new TemplateScope(this.document, [...jsonPath, 'properties', 'template'], this.givenParameters(jsonPath, scope), (count) => this.deployment.takeCopies(count));
  }

  /** What a deployment passes to its template's parameters, evaluated here; `linkedFrom` when the template is another file. */
  private givenParameters(jsonPath: JsonPath, scope: TemplateScope, linkedFrom?: string): Map<string, ParameterSource> {
    const given = new Map<string, ParameterSource>();
    const parametersPath = [...jsonPath, 'properties', 'parameters'];
    const parameters = jsonAt(this.document, parametersPath);
    for (const [name, entry] of Object.entries(isObject(parameters) ? parameters : {})) {
      const entryPath = [...parametersPath, name];
      if (isObject(entry) && 'reference' in entry) given.set(name.toLowerCase(), { keyVaultIn: path.basename(this.file) });
      else if (isObject(entry) && 'value' in entry) {
        const valuePath = [...entryPath, 'value'];
        given.set(name.toLowerCase(), { value: scope.evaluateJson(valuePath, entry.value), writtenAt: this.writtenAt(scope, valuePath), linkedFrom });
      } else if (isString(entry)) {
        // Compiled Bicep passes an optional parameter as one expression that makes its `{ value }`.
        const made = scope.evaluateJson(entryPath, entry);
        const value = isPlainObject(made) ? Object.entries(made).find(([key]) => key.toLowerCase() === 'value')?.[1] : made instanceof PartialString ? made.firstUnknown : made;
        if (value !== undefined) given.set(name.toLowerCase(), { value, linkedFrom });
      }
    }
    return given;
  }

  /** Where the value at `valuePath` is written as a plain string: there, or where the parameter or variable it names is. */
  private writtenAt(scope: TemplateScope, valuePath: JsonPath): WrittenAt | undefined {
    const written = jsonAt(this.document, valuePath);
    if (!isString(written) || written.startsWith('[[')) return undefined;
    if (!isExpression(written)) return { document: this.document, jsonPath: valuePath };
    const parsed = scope.parse(valuePath);
    return 'error' in parsed ? undefined : scope.writtenAt(parsed.node);
  }

  /**
   * A template linked by `templateLink` (`relativePath`, or a `uri` that names a file of the scanned
   * folder), read as part of this deployment with the parameters it is passed here.
   */
  private readLinkedTemplate(jsonPath: JsonPath, scope: TemplateScope): void {
    const linkPath = [...jsonPath, 'properties', 'templateLink'];
    const link = jsonAt(this.document, linkPath);
    const key = isObject(link) ? ['relativePath', 'uri'].find((candidate) => link[candidate] !== undefined) : undefined;
    if (key === undefined) {
      this.report(this.document.valueSpan(linkPath), 'invalid-artifact', 'The deployment links its template by neither a relativePath nor a uri (a template spec is not read): what it deploys was not read.');
      return;
    }
    const file = this.linkedFile(scope, [...linkPath, key], 'template of this deployment');
    if (!file) return;
    const span = this.document.valueSpan([...linkPath, key]);
    const linked = this.relative(file);
    if (this.chain.includes(file)) return this.report(span, 'ref-cycle', `The template ${linked} is already being read, and it links here (a cycle of links): it is not read again.`);
    if (this.chain.length > MAX_LINK_DEPTH) return this.report(span, 'too-deep', `Templates are linked more than ${MAX_LINK_DEPTH} deep: ${linked} was not read.`);
    if (!this.deployment.takeLinkedRead()) return this.report(span, 'over-budget', `The deployment links more than ${MAX_LINKED_READS} templates: ${linked} was not read.`);
    const given = this.linkedParameters(jsonPath, scope, linked);
    if (!given) return;
    if (!this.deployment.linkedAt.has(file)) this.deployment.linkedAt.set(file, { file: this.file, span });
    const reader = new TemplateReader(file, this.deployment, { given, chain: this.chain }, this.collecting);
    this.ctx.isolate(file, path.basename(file), () => reader.read() ?? this.report(span, 'invalid-artifact', `${linked} is not an ARM template: nothing was read from it.`));
  }

  /** The parameters of a linked template: what the deployment passes, or the local file its `parametersLink` names; undefined (reported) when that file is not local. */
  private linkedParameters(jsonPath: JsonPath, scope: TemplateScope, linked: string): Map<string, ParameterSource> | undefined {
    const parametersLinkPath = [...jsonPath, 'properties', 'parametersLink'];
    if (jsonAt(this.document, parametersLinkPath) === undefined) return this.givenParameters(jsonPath, scope, path.basename(this.file));
    const parameterFile = this.linkedFile(scope, [...parametersLinkPath, 'uri'], `parameter file of ${linked} (and with it that template)`);
    return parameterFile ? this.parameterFileValues(parameterFile) : undefined;
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

  private collected(found: FoundResource): TemplateResource {
    const { jsonPath, scope, type, names } = found;
    const document = this.document;
    const span = document.valueSpan(jsonPath) ?? { start: 0, end: 0 };
    const written = jsonAt(document, [...jsonPath, 'name']);
    return {
      file: this.file,
      span,
      type,
      names,
      nameText: isString(written) ? written : '(no name)',
      evaluate: (key) => scope.evaluateJson([...jsonPath, key], jsonAt(document, [...jsonPath, key]), 0, key === 'properties'),
      spanOf: (at) => document.valueSpan([...jsonPath, ...at]),
      text: document.text.slice(span.start, span.end),
    };
  }

  private declare(found: FoundResource): DeclaredResource[] {
    const { jsonPath, scope, type, names } = found;
    const propertiesPath = [...jsonPath, 'properties'];
    const kind = type.slice(PROVIDER.length).toLowerCase();
    const scopeKind = kindInScope(kind);
    const linkedValue = scopeKind === 'service/apis' || kind.endsWith('policies') || scopeKind === 'service/policyfragments';
    const evaluated = scope.evaluateJson(propertiesPath, jsonAt(this.document, propertiesPath), 0, true);
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
    if (format.includes('link')) return this.linkedFile(found.scope, valuePath, 'definition of the API');
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
      const linked = this.linkedFile(found.scope, valuePath, 'policy');
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
   * The local file a link names: ARM fetches it from a URL at deployment, and the repository keeps
   * it at the path after the URL's base (`concat(parameters('base'), '/apis/orders.json')`, from the
   * template's folder), or at least under the same file name (the APIM DevOps extractor's `policies/` folder).
   */
  private linkedFile(scope: TemplateScope, valuePath: JsonPath, what: string): string | undefined {
    const written = jsonAt(this.document, valuePath);
    const value = scope.evaluateJson(valuePath, written);
    const span = this.document.valueSpan(valuePath);
    const known = typeof value === 'string' ? [value] : value instanceof PartialString ? value.parts.filter(isString) : [];
    const link = known.reverse().find((part) => /[^/?#]\.[A-Za-z0-9]+(?:[?#].*)?$/.test(part.trim()))?.trim();
    const fileName = link && /([^/?#]+)(?:[?#].*)?$/.exec(link)?.[1];
    if (!link || !fileName) {
      const unknown = value instanceof Unknown ? value : value instanceof PartialString ? value.firstUnknown : new Unknown(span ?? { start: 0, end: 0 }, String(written), 'it names no file');
      this.reportUnknown(unknown, `the file of the ${what} cannot be told, so it was not read`);
      return undefined;
    }
    const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(link);
    if (typeof value === 'string' && !hasScheme) return this.relativeFile(link, span, what);
    const afterBase = hasScheme ? undefined : path.resolve(path.dirname(this.file), link.replace(/[?#].*$/, '').replace(/^\/+/, ''));
    if (afterBase && this.ctx.files.isInside(afterBase) && this.ctx.files.exists(afterBase)) return afterBase;
    const candidates = this.deployment.localFiles.named(fileName);
    const near = candidates.filter((candidate) => candidate.startsWith(path.dirname(this.file) + path.sep));
    const chosen = candidates.length === 1 ? candidates : near.length === 1 ? near : [];
    if (chosen.length === 1) return chosen[0];
    if (candidates.length > 1) {
      const listed = candidates.map((candidate) => this.relative(candidate)).join(', ');
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

/** The service, whose nested resources may be read, or a kind the model is built from. */
function isReadKind(type: string): boolean {
  const kind = type.toLowerCase().slice(PROVIDER.length);
  return kind === 'service' || READ_KINDS.has(kindInScope(kind));
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

/** A copy loop's count ARM accepts: a whole number from 0 to its limit. */
function isCopyCount(count: ArmValue | undefined): count is number {
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 && count <= MAX_COPY_COUNT;
}

/**
 * A value a linking template passed, its unknown parts moved to `at`, where this template uses it:
 * what the linking template could not tell is said at the use, with the expression it came from.
 */
function relocated(value: ArmValue, at: Unknown, linkedFrom: string): ArmValue {
  const moved = (unknown: Unknown) => new Unknown(at.span, at.text, `${linkedFrom} passes ${unknown.text}, which is not known: ${unknown.reason}`);
  if (value instanceof Unknown) return moved(value);
  if (value instanceof PartialString) return new PartialString(value.parts.map((part) => (part instanceof Unknown ? moved(part) : part)));
  if (Array.isArray(value)) return value.map((item) => relocated(item, at, linkedFrom));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, relocated(item, at, linkedFrom)]));
  return value;
}
