// Reads APIM resources declared in Terraform: the azurerm provider's `azurerm_api_management_*`
// resources and azapi's `azapi_resource` of `Microsoft.ApiManagement/service/...` types. Each folder
// of `.tf` files is a module; a root module is read with the local modules it calls, each call's
// arguments its `var.*`. What the files determine (literals, variables with defaults or `.tfvars`
// values, locals, other resources' attributes, module outputs, known `for_each`/`count`) is
// resolved; what they do not is reported where it is written, never guessed.
import * as path from 'path';
import { HCL_SYNTAX, writtenPropertyEdits, type PropertyChange, type WrittenObject, type WrittenValue } from '../fixes/writtenProperties';
import type { Declaration, InlinePolicy, PolicyAttachment } from '../model';
import { parsePolicyXml } from '../policy/xml';
import { MAX_NESTING_DEPTH } from '../limits';
import type { InputProblemKind } from '../problems';
import type { JsonPath } from '../parse/document';
import type { SourceLocation, Span } from '../text';
import type { ReadContext } from './context';
import { isObject, type Properties } from './declaration';
import { buildDeclaredContent, kindInScope, type DeclaredResource } from './declaredResources';
import { literalString, parseHcl, unescapeAt, type HclAttribute, type HclBlock, type HclBody, type HclExpression, type HclFile, type HclObject, type HclTemplate } from './hclParser';
import { baseApiName, emptyContent, type ServiceContent } from './resources';
import {
  blocksOf,
  Evaluator,
  firstUnknown,
  isPlainObject,
  moduleVariables,
  shorten,
  toBoolean,
  Unknown,
  type EvaluationContext,
  type ModuleInstance,
  type Scope,
  type Sourced,
  type TerraformModule,
  type TerraformResource,
  type Value,
} from './terraformValues';

/** A `.tf` file that may declare APIM resources; a folder without one is not read. */
export const TERRAFORM_MENTIONS_APIM = /azurerm_api_management|Microsoft\.ApiManagement/i;

/** A module block's text that passes APIM resources to a module the tool does not read. */
const MENTIONS_APIM_ARGUMENTS = /api_?management|\bapis\b/i;

/** Modules called within modules before the rest is taken for too deep. */
const MAX_MODULE_DEPTH = 10;
/** Module instances one scan reads, over all roots: `for_each` within `for_each` multiplies. */
const MAX_MODULE_INSTANCES = 1000;

/** The APIM resources of the `.tf` files among `files`, with the `.tfvars` that set their variables (the others are not read). */
export function readTerraform(files: readonly string[], ctx: ReadContext): ServiceContent {
  const tree = new TerraformTree(files, ctx);
  const declared: DeclaredResource[] = [];
  for (const root of tree.roots()) {
    const what = `The Terraform files of ${path.relative(ctx.files.rootFolder, root) || '.'}`;
    const read = ctx.isolate(root, what, () => new TerraformModuleReader(tree, root, root).read());
    if (read) declared.push(...read);
  }
  return ctx.isolate(declared[0]?.file ?? '', 'The Terraform declarations', () => buildDeclaredContent(declared, ctx, 'terraform')) ?? emptyContent();
}

/** A `module` block's `source`: a folder of this repository when it starts with `./` or `../`; else a registry or remote one. */
function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../');
}

type ParsedFile = HclFile & { text: string; tooDeep: Span[] };

/**
 * The folders of `.tf` and `.tfvars` files, parsed once, and which folders call which. A folder that
 * another folder calls as a module is not a root of its own: reading it alone would declare its
 * resources a second time, without the arguments that name them.
 */
class TerraformTree {
  /** `.tf` and `.tfvars` files by folder. */
  readonly folders = new Map<string, string[]>();
  private readonly parsed = new Map<string, ParsedFile | undefined>();
  private readonly calls = new Map<string, string[]>();
  private readonly leadsToApimMemo = new Map<string, boolean>();
  private moduleInstancesLeft = MAX_MODULE_INSTANCES;

  constructor(
    files: readonly string[],
    readonly ctx: ReadContext,
  ) {
    for (const file of files) {
      if (!file.endsWith('.tf') && !file.endsWith('.tfvars')) continue;
      const folder = path.dirname(file);
      this.folders.set(folder, [...(this.folders.get(folder) ?? []), file]);
    }
  }

  tfFiles(folder: string): string[] {
    return (this.folders.get(folder) ?? []).filter((file) => file.endsWith('.tf'));
  }

  /** Folders read as root modules: those that lead to APIM and that no other folder calls, or that only a cycle calls. */
  roots(): string[] {
    const folders = [...this.folders.keys()].filter((folder) => this.leadsToApim(folder));
    const called = new Set(folders.flatMap((folder) => this.localCalls(folder)));
    const roots = folders.filter((folder) => !called.has(folder));
    const reached = new Set<string>();
    const reach = (folder: string): void => {
      if (reached.has(folder)) return;
      reached.add(folder);
      for (const callee of this.localCalls(folder)) reach(callee);
    };
    roots.forEach(reach);
    return [...roots, ...folders.filter((folder) => !reached.has(folder))];
  }

  /** Whether the folder, or a local module it calls, declares APIM resources or passes them to a module that is not read (remote, or outside the root). */
  leadsToApim(folder: string, visiting = new Set<string>()): boolean {
    const known = this.leadsToApimMemo.get(folder);
    if (known !== undefined) return known;
    if (visiting.has(folder)) return false;
    visiting.add(folder);
    const texts = this.tfFiles(folder).map((file) => this.ctx.files.read(file).text ?? '');
    const leads =
      texts.some((text) => TERRAFORM_MENTIONS_APIM.test(text)) ||
      this.moduleBlocks(folder).some(({ block, text }) => this.calledFolder(folder, block) === undefined && MENTIONS_APIM_ARGUMENTS.test(text.slice(block.span.start, block.span.end))) ||
      this.localCalls(folder).some((callee) => this.leadsToApim(callee, visiting));
    visiting.delete(folder);
    this.leadsToApimMemo.set(folder, leads);
    return leads;
  }

  /** The folders of this repository the folder's `module` blocks call. */
  private localCalls(folder: string): string[] {
    let calls = this.calls.get(folder);
    if (calls) return calls;
    calls = this.moduleBlocks(folder).flatMap(({ block }) => this.calledFolder(folder, block) ?? []).filter((callee) => callee !== folder);
    this.calls.set(folder, calls);
    return calls;
  }

  /** The folder of this repository a `module` block calls, when it is one with `.tf` files. */
  private calledFolder(folder: string, block: HclBlock): string | undefined {
    const source = literalString(attributeOf(block.body, 'source')?.value);
    const callee = source !== undefined && isLocalSource(source) ? path.resolve(folder, source) : undefined;
    return callee && this.ctx.files.isInside(callee) && this.tfFiles(callee).length > 0 ? callee : undefined;
  }

  private moduleBlocks(folder: string): { block: HclBlock; text: string }[] {
    return this.tfFiles(folder).flatMap((file) => {
      const text = this.ctx.files.read(file).text;
      // Parsed only when it calls a module: most folders do not.
      if (text === undefined || !/\bmodule\s*"/.test(text)) return [];
      const parsed = this.parse(file, text);
      return parsed ? parsed.body.blocks.filter((block) => block.type === 'module').map((block) => ({ block, text })) : [];
    });
  }

  /** A file's HCL, parsed once; the reader reports what did not parse. */
  parse(file: string, text: string): ParsedFile | undefined {
    if (!this.parsed.has(file)) {
      const tooDeep: Span[] = [];
      this.parsed.set(file, this.ctx.isolate(file, path.basename(file), () => ({ ...parseHcl(text, (span) => tooDeep.push(span)), text, tooDeep })));
    }
    return this.parsed.get(file);
  }

  /** The `.tfvars` of environment folders (folders of `.tfvars` without `.tf` files) below the root module's parent: `env/prod.tfvars`, `../environments/dev.tfvars`. */
  environmentTfvars(rootFolder: string): string[] {
    const parent = path.dirname(rootFolder);
    return [...this.folders]
      .filter(([folder, files]) => folder !== rootFolder && (folder + path.sep).startsWith(parent + path.sep) && files.every((file) => file.endsWith('.tfvars')))
      .flatMap(([, files]) => files);
  }

  /** One more module instance read, while the scan's budget lasts. */
  takeModuleInstance(): boolean {
    if (this.moduleInstancesLeft <= 0) return false;
    this.moduleInstancesLeft--;
    return true;
  }
}

/** How an azurerm resource type maps onto ARM: its type below the service, its names, its properties. */
interface ResourceMapping {
  /** ARM's type below `Microsoft.ApiManagement/`, ARM's casing. */
  type: string;
  /** Attributes naming the resource and its parents below the service, outermost first; a quoted literal stands for itself. */
  names: string[];
  /** The attribute holding the parent's ARM id (a workspace's resources): its names come before `names`, the service's included. */
  parentId?: string;
  properties?: PropertyMapping[];
  /** The attribute holding the policy XML (`xml_content`, or a fragment's `value`). */
  policy?: string;
}

interface PropertyMapping {
  /** The attribute, below the blocks that hold it: `tls.validate_certificate_chain`. */
  from: string;
  to: JsonPath;
  convert?: (value: Value) => Value;
  /** A property no rule reads: when it is not known, nothing is lost worth saying. */
  quiet?: boolean;
}

const displayName: PropertyMapping = { from: 'display_name', to: ['displayName'], quiet: true };

const AZURERM: Record<string, ResourceMapping> = {
  azurerm_api_management_api: {
    type: 'service/apis',
    names: ['name'],
    properties: [
      displayName,
      { from: 'path', to: ['path'] },
      { from: 'protocols', to: ['protocols'] },
      { from: 'subscription_required', to: ['subscriptionRequired'], convert: toBoolean },
      { from: 'service_url', to: ['serviceUrl'] },
      { from: 'revision', to: ['apiRevision'], convert: (value) => (typeof value === 'number' ? String(value) : value) },
      { from: 'version', to: ['apiVersion'] },
      { from: 'version_set_id', to: ['apiVersionSetId'] },
      { from: 'api_type', to: ['type'] },
      { from: 'import.content_format', to: ['format'] },
    ],
  },
  azurerm_api_management_api_operation: {
    type: 'service/apis/operations',
    names: ['api_name', 'operation_id'],
    properties: [displayName, { from: 'method', to: ['method'] }, { from: 'url_template', to: ['urlTemplate'] }],
  },
  azurerm_api_management_api_tag: { type: 'service/apis/tags', parentId: 'api_id', names: ['name'] },
  azurerm_api_management_tag: { type: 'service/tags', names: ['name'], properties: [displayName] },
  azurerm_api_management_api_policy: { type: 'service/apis/policies', names: ['api_name', "'policy'"], policy: 'xml_content' },
  azurerm_api_management_api_operation_policy: { type: 'service/apis/operations/policies', names: ['api_name', 'operation_id', "'policy'"], policy: 'xml_content' },
  azurerm_api_management_policy: { type: 'service/policies', names: ["'policy'"], policy: 'xml_content' },
  azurerm_api_management_product: {
    type: 'service/products',
    names: ['product_id'],
    properties: [
      displayName,
      { from: 'subscription_required', to: ['subscriptionRequired'], convert: toBoolean },
      { from: 'approval_required', to: ['approvalRequired'], convert: toBoolean },
      { from: 'published', to: ['state'], convert: (value) => (typeof toBoolean(value) === 'boolean' ? (toBoolean(value) ? 'published' : 'notPublished') : value) },
    ],
  },
  azurerm_api_management_product_api: { type: 'service/products/apis', names: ['product_id', 'api_name'] },
  azurerm_api_management_product_policy: { type: 'service/products/policies', names: ['product_id', "'policy'"], policy: 'xml_content' },
  azurerm_api_management_subscription: {
    type: 'service/subscriptions',
    // Named by `subscription_id` when written; Azure generates one otherwise (see `subscriptionName`).
    names: [],
    properties: [displayName, { from: 'state', to: ['state'] }],
  },
  azurerm_api_management_backend: {
    type: 'service/backends',
    names: ['name'],
    properties: [
      { from: 'url', to: ['url'] },
      { from: 'protocol', to: ['protocol'] },
      { from: 'tls.validate_certificate_chain', to: ['tls', 'validateCertificateChain'], convert: toBoolean },
      { from: 'tls.validate_certificate_name', to: ['tls', 'validateCertificateName'], convert: toBoolean },
      { from: 'credentials.certificate', to: ['credentials', 'certificate'] },
      { from: 'credentials.header', to: ['credentials', 'header'] },
      { from: 'credentials.query', to: ['credentials', 'query'] },
      { from: 'credentials.authorization.scheme', to: ['credentials', 'authorization', 'scheme'] },
      { from: 'credentials.authorization.parameter', to: ['credentials', 'authorization', 'parameter'] },
    ],
  },
  azurerm_api_management_named_value: {
    type: 'service/namedValues',
    names: ['name'],
    properties: [
      displayName,
      { from: 'secret', to: ['secret'], convert: toBoolean },
      // A value Terraform does not know from the files is not in git: nothing to say about it.
      { from: 'value', to: ['value'], quiet: true },
      { from: 'value_from_key_vault.secret_id', to: ['keyVault', 'secretIdentifier'] },
    ],
  },
  azurerm_api_management_policy_fragment: { type: 'service/policyFragments', names: ['name'], policy: 'value' },
  azurerm_api_management_api_version_set: {
    type: 'service/apiVersionSets',
    names: ['name'],
    properties: [displayName, { from: 'versioning_scheme', to: ['versioningScheme'] }],
  },
  azurerm_api_management_workspace: { type: 'service/workspaces', names: ['name'], properties: [displayName] },
  azurerm_api_management_workspace_policy: { type: 'service/workspaces/policies', parentId: 'api_management_workspace_id', names: ["'policy'"], policy: 'xml_content' },
  azurerm_api_management_workspace_policy_fragment: { type: 'service/workspaces/policyFragments', parentId: 'api_management_workspace_id', names: ['name'], policy: 'xml_content' },
  azurerm_api_management_workspace_api_version_set: {
    type: 'service/workspaces/apiVersionSets',
    parentId: 'api_management_workspace_id',
    names: ['name'],
    properties: [displayName, { from: 'versioning_scheme', to: ['versioningScheme'] }],
  },
};

/** azurerm's default for a subscription's `state`: a submitted subscription's key opens nothing until approved. */
const AZURERM_SUBSCRIPTION_STATE = 'submitted';

/** A resource's ARM identity: its type below `Microsoft.ApiManagement/` and one name per type segment. */
interface Identity {
  type: string;
  names: string[];
}

interface Instance {
  resource: TerraformResource;
  scope: Scope;
  /** `azurerm_api_management_api.orders["v1"]`. */
  address: string;
}

/** How a module is called: what its addresses start with, its arguments, and the modules calling it. */
interface ModuleCall {
  /** `module.apis["echo"].`, before the called module's resource addresses. */
  addressPrefix: string;
  /** Each argument of the `module` block, evaluated where the block is written. */
  arguments: Map<string, Sourced>;
  /** The folders of the modules calling it, the root first. */
  callers: readonly string[];
}

/** A module call that is not followed, and the kind of problem that says so (none for a remote module that passes nothing of APIM). */
class ModuleNotFollowed extends Unknown {
  constructor(
    reason: string,
    readonly kind?: InputProblemKind,
  ) {
    super(reason);
  }
}

interface CalledModule extends ModuleInstance {
  reader: TerraformModuleReader;
}

class TerraformModuleReader {
  private readonly module: TerraformModule;
  private readonly evaluator: Evaluator;
  private readonly moduleBlocks = new Map<string, { block: HclBlock; file: string; text: string }>();
  private readonly outputs = new Map<string, HclExpression>();
  private readonly calledModules = new Map<string, CalledModule[] | ModuleNotFollowed>();
  private readonly addressPrefix: string;

  /** `rootFolder` is the root module's: Terraform's working directory. `call` is absent for the root module itself. */
  constructor(
    private readonly tree: TerraformTree,
    private readonly folder: string,
    private readonly rootFolder: string,
    private readonly call?: ModuleCall,
  ) {
    this.addressPrefix = call?.addressPrefix ?? '';
    this.module = { folder, rootFolder, variables: new Map(), variableTypes: new Map(), locals: new Map(), resources: new Map() };
    this.evaluator = new Evaluator(this.module, {
      idOf: (resource, scope) => {
        const identity = this.identify({ resource, scope, address: this.instanceAddress(resource, scope) }, false);
        return identity ? armId(identity) : new Unknown(`the id of ${resource.type}.${resource.name} is not known`);
      },
      placeholderName: (resource, scope, attribute) => {
        const names = resource.type === 'azurerm_api_management' ? ['name'] : AZURERM[resource.type]?.names;
        return names?.[names.length - 1] === attribute ? this.instanceAddress(resource, scope) : undefined;
      },
      moduleInstances: (name) => this.moduleInstances(name),
    });
    const declaredVariables: { name: string; default?: Sourced }[] = [];
    const tfvars: { file: string; attributes: Map<string, Sourced> }[] = [];
    // Terraform reads `.tfvars` for the root module only; a called module's variables are its call's arguments.
    const tfvarsFiles = call ? [] : [...(tree.folders.get(folder) ?? []).filter((file) => file.endsWith('.tfvars')), ...tree.environmentTfvars(folder)];
    for (const file of [...tree.tfFiles(folder), ...tfvarsFiles].sort()) {
      const parsed = this.parse(file);
      if (!parsed) continue;
      const { body, text } = parsed;
      if (file.endsWith('.tfvars')) {
        tfvars.push({ file, attributes: new Map(body.attributes.map((attribute) => [attribute.name, { expression: attribute.value, file, text }])) });
        continue;
      }
      for (const block of body.blocks) {
        const [first, second] = block.labels;
        if (block.type === 'variable' && first !== undefined) {
          const fallback = attributeOf(block.body, 'default');
          declaredVariables.push({ name: first, default: fallback && { expression: fallback.value, file, text } });
          const type = attributeOf(block.body, 'type');
          if (type) this.module.variableTypes.set(first, type.value);
        } else if (block.type === 'locals') {
          for (const local of block.body.attributes) this.module.locals.set(local.name, { expression: local.value, file, text });
        } else if ((block.type === 'resource' || block.type === 'data') && first !== undefined && second !== undefined) {
          const address = block.type === 'data' ? `data.${first}.${second}` : `${first}.${second}`;
          this.module.resources.set(address, { mode: block.type, type: first, name: second, block, file, text });
        } else if (block.type === 'module' && first !== undefined) {
          this.moduleBlocks.set(first, { block, file, text });
        } else if (block.type === 'output' && first !== undefined) {
          const value = attributeOf(block.body, 'value');
          if (value) this.outputs.set(first, value.value);
        }
      }
    }
    if (call) {
      for (const { name, default: fallback } of declaredVariables) {
        this.module.variables.set(name, call.arguments.get(name) ?? fallback ?? new Unknown(`var.${name} has no default and ${call.addressPrefix.slice(0, -1)} does not set it`));
      }
      return;
    }
    // `.tfvars` beside the module are read in Terraform's order: terraform.tfvars, then *.auto.tfvars by name.
    tfvars.sort((a, b) => Number(path.basename(b.file) === 'terraform.tfvars') - Number(path.basename(a.file) === 'terraform.tfvars'));
    this.module.variables = moduleVariables(folder, declaredVariables, tfvars);
  }

  private parse(file: string): { body: HclBody; text: string } | undefined {
    const text = this.tree.ctx.readText(file);
    if (text === undefined) return undefined;
    const parsed = this.tree.parse(file, text);
    if (!parsed) return undefined;
    for (const span of parsed.tooDeep) this.tree.ctx.report([{ file, span, kind: 'too-deep', message: `Values are nested more than ${MAX_NESTING_DEPTH} levels deep: what is below is not read.` }]);
    for (const span of parsed.skipped) {
      if (text.slice(span.start, span.end).trim() === '') continue;
      this.tree.ctx.report([{ file, span, kind: 'invalid-artifact', message: `\`${shorten(text.slice(span.start, span.end), 60)}\` is not read as HCL: it was skipped.` }]);
    }
    return { body: parsed.body, text };
  }

  private get ctx(): ReadContext {
    return this.tree.ctx;
  }

  /** `module.apim.azurerm_api_management_api.orders["v1"]`. */
  private address(resource: TerraformResource, key: Value, single: boolean): string {
    return `${this.addressPrefix}${resource.type}.${resource.name}${single ? '' : `[${JSON.stringify(key)}]`}`;
  }

  /** The address of the instance `scope` is in. */
  private instanceAddress(resource: TerraformResource, scope: Scope): string {
    return this.address(resource, scope.each?.key ?? scope.countIndex ?? null, !scope.each && scope.countIndex === undefined);
  }

  read(): DeclaredResource[] {
    const declared: DeclaredResource[] = [];
    for (const resource of this.module.resources.values()) {
      if (resource.mode !== 'resource' || (!(resource.type in AZURERM) && resource.type !== 'azurerm_api_management' && resource.type !== 'azapi_resource')) continue;
      const instances = this.evaluator.instances(resource.block);
      if (instances instanceof Unknown) {
        const iteration = attributeOf(resource.block.body, 'for_each') ?? attributeOf(resource.block.body, 'count');
        this.unresolved(resource.file, iteration?.value.span ?? resource.block.headerSpan, `${this.addressPrefix}${resource.type}.${resource.name}: \`${shorten(sourceText(resource, iteration?.value))}\` is not known from the files (${instances.reason}); the resource is not read.`);
        continue;
      }
      const count = attributeOf(resource.block.body, 'count');
      // `count = var.enabled ? 1 : 0`: Terraform's way to leave a resource out.
      if (instances.length === 0 && count) this.unresolved(resource.file, count.value.span, `${this.addressPrefix}${resource.type}.${resource.name}: count = \`${shorten(sourceText(resource, count.value))}\` is 0: it is not deployed, and not read.`, 'skipped');
      for (const { key, scope, single } of instances) {
        const address = this.address(resource, key, single === true);
        const instance = { resource, scope, address };
        const read = this.ctx.isolate(resource.file, address, () => this.declare(instance));
        if (read) declared.push(...read);
      }
    }
    for (const [name, { block, file }] of this.moduleBlocks) {
      const called = this.moduleInstances(name);
      if (called instanceof ModuleNotFollowed) {
        if (called.kind) this.unresolved(file, block.headerSpan, `${this.addressPrefix}module.${name}: ${called.reason}; what it declares is not read.`, called.kind);
        continue;
      }
      for (const { reader } of called) declared.push(...reader.read());
    }
    return declared;
  }

  /** An output of this module, for `module.<name>.<output>` in its caller. */
  private output(name: string): Value {
    const value = this.outputs.get(name);
    return value ? this.evaluator.evaluate(value, {}) : new Unknown(`${this.addressPrefix.slice(0, -1)} has no output "${name}"`);
  }

  /** The instances of `module "name"`, each read once, whether for what it declares or for its outputs. */
  private moduleInstances(name: string): CalledModule[] | ModuleNotFollowed {
    const known = this.calledModules.get(name);
    if (known) return known;
    // Said while the call is worked out, so that a `for_each` naming the module itself ends.
    this.calledModules.set(name, new ModuleNotFollowed(`module.${name} refers to itself`));
    const called = this.callModule(name);
    this.calledModules.set(name, called);
    return called;
  }

  private callModule(name: string): CalledModule[] | ModuleNotFollowed {
    const written = this.moduleBlocks.get(name);
    if (!written) return new ModuleNotFollowed(`module.${name} is not declared in this folder`);
    const { block, file, text } = written;
    const source = literalString(attributeOf(block.body, 'source')?.value);
    if (source === undefined) return new ModuleNotFollowed('its source is not a literal string', 'unresolved-value');
    if (!isLocalSource(source)) {
      const passesApim = MENTIONS_APIM_ARGUMENTS.test(text.slice(block.span.start, block.span.end));
      return new ModuleNotFollowed(`the module comes from ${source}, which is not fetched`, passesApim ? 'remote-ref' : undefined);
    }
    const folder = path.resolve(this.folder, source);
    if (!this.ctx.files.isInside(folder)) return new ModuleNotFollowed(`its source ${source} is outside the scanned folder, so it was not opened`, 'outside-root');
    // A module that leads to no APIM resource is followed only for its outputs: not following it is not worth a problem.
    const problem = (kind: InputProblemKind): InputProblemKind | undefined => (this.tree.leadsToApim(folder) ? kind : undefined);
    if (this.tree.tfFiles(folder).length === 0) return new ModuleNotFollowed(`its source ${source} has no .tf files that were read`, 'unresolved-ref');
    const callers = [...(this.call?.callers ?? []), this.folder];
    if (callers.includes(folder)) return new ModuleNotFollowed(`its source ${source} is a module calling it (a cycle)`, problem('ref-cycle'));
    if (callers.length > MAX_MODULE_DEPTH) return new ModuleNotFollowed(`modules are nested more than ${MAX_MODULE_DEPTH} deep`, problem('too-deep'));
    const instances = this.evaluator.instances(block);
    if (instances instanceof Unknown) {
      const iteration = attributeOf(block.body, 'for_each') ?? attributeOf(block.body, 'count');
      return new ModuleNotFollowed(`\`${shorten(text.slice(iteration?.value.span.start ?? 0, iteration?.value.span.end ?? 0))}\` is not known from the files (${instances.reason})`, problem('unresolved-value'));
    }
    const count = attributeOf(block.body, 'count');
    // `count = var.multiRegion ? 1 : 0` leaves the module out, as it does a resource: said, as for a resource.
    if (instances.length === 0 && count && problem('skipped')) {
      this.unresolved(file, count.value.span, `${this.addressPrefix}module.${name}: count = \`${shorten(text.slice(count.value.span.start, count.value.span.end))}\` is 0: it is not deployed, and what it declares is not read.`, 'skipped');
    }
    const called: CalledModule[] = [];
    for (const { key, scope, single } of instances) {
      if (!this.tree.takeModuleInstance()) return new ModuleNotFollowed(`more than ${MAX_MODULE_INSTANCES} module instances are called`, 'over-budget');
      const addressPrefix = `${this.addressPrefix}module.${name}${single ? '' : `[${JSON.stringify(key)}]`}.`;
      const context = { evaluator: this.evaluator, scope };
      const argumentsOf = new Map(block.body.attributes.map((attribute) => [attribute.name, { expression: attribute.value, file, text, context }]));
      const reader = new TerraformModuleReader(this.tree, folder, this.rootFolder, { addressPrefix, arguments: argumentsOf, callers });
      called.push({ key, single, reader, output: (output) => reader.output(output) });
    }
    return called;
  }

  private declare(instance: Instance): DeclaredResource[] {
    const { resource } = instance;
    if (resource.type === 'azapi_resource') return this.declareAzapi(instance);
    if (resource.type === 'azurerm_api_management') return this.declareServicePolicy(instance);
    const identity = this.identify(instance, true);
    if (!identity) return [];
    const mapping = AZURERM[resource.type];
    const properties: Properties = {};
    const locations = new Map<string, SourceLocation>();
    for (const property of mapping.properties ?? []) this.mapProperty(instance, property, properties, locations);
    const policyAttribute = mapping.policy && attributeOf(resource.block.body, mapping.policy);
    if (resource.type === 'azurerm_api_management_subscription') this.subscriptionScope(instance, properties, locations);
    if (mapping.policy && !policyAttribute) this.reportPolicyLink(instance, resource.block.body);
    const importBlock = resource.type === 'azurerm_api_management_api' ? this.blocks(instance, resource.block.body, 'import')[0] : undefined;
    const contentValue = importBlock && attributeOf(importBlock.body, 'content_value');
    return [
      {
        file: resource.file,
        span: resource.block.span,
        kind: identity.type.toLowerCase(),
        names: identity.names,
        properties,
        declaration: this.declaration(resource, locations, (changes) => azurermChanges(mapping, changes), writtenBody(resource.block.body)),
        definitionFile: contentValue && (() => this.definitionFile(instance, { expression: contentValue.value, file: resource.file, text: resource.text }, importBlock.scope, properties.format)),
        policy: policyAttribute ? () => this.policy(instance, { expression: policyAttribute.value, file: resource.file, text: resource.text }) : undefined,
      },
    ];
  }

  /** The `policy { xml_content = ... }` block of `azurerm_api_management`: the service's global policy. */
  private declareServicePolicy(instance: Instance): DeclaredResource[] {
    const { resource } = instance;
    const block = this.blocks(instance, resource.block.body, 'policy')[0];
    if (!block) return [];
    const xml = attributeOf(block.body, 'xml_content');
    if (!xml) {
      this.reportPolicyLink(instance, block.body);
      return [];
    }
    const name = this.evaluator.evaluate(attributeOf(resource.block.body, 'name')?.value ?? missing, instance.scope);
    return [
      {
        file: resource.file,
        span: resource.block.span,
        kind: 'service/policies',
        names: [typeof name === 'string' ? name : '', 'policy'],
        properties: {},
        declaration: this.declaration(resource, new Map()),
        policy: () => this.policy(instance, { expression: xml.value, file: resource.file, text: resource.text }),
      },
    ];
  }

  /** `azapi_resource` of a `Microsoft.ApiManagement/service/...` type: `body.properties` are ARM's own. */
  private declareAzapi(instance: Instance): DeclaredResource[] {
    const { resource, scope } = instance;
    const identity = this.identify(instance, true);
    if (!identity) return [];
    const bodyAttribute = attributeOf(resource.block.body, 'body');
    const body = bodyAttribute && this.evaluator.definitionOf({ expression: bodyAttribute.value, file: resource.file, text: resource.text }, scope);
    const bodyObject = body && unwrapJsonEncode(body.expression);
    const propertiesItem = bodyObject?.items.find((item) => item.key === 'properties');
    const locations = new Map<string, SourceLocation>();
    let properties: Properties = {};
    const expressions = new Map<string, HclExpression>();
    if (body && propertiesItem) {
      collectLocations(propertiesItem.value, [], body.file, locations, expressions);
      const value = evaluateWhereWritten(body, propertiesItem.value);
      const known = this.known(value, [], (at, unknown) => {
        if (at[0] === 'displayName' || at[0] === 'description') return;
        const location = locations.get(pathKey(at)) ?? { file: body.file, span: propertiesItem.value.span };
        const written = expressions.get(pathKey(at));
        this.unresolved(location.file, location.span, `${instance.address}: properties.${at.join('.')} = \`${shorten(written ? body.text.slice(written.span.start, written.span.end) : '…')}\` is not known from the files (${unknown.reason}).`);
      });
      if (isObject(known)) properties = known;
    } else if (bodyAttribute && !body) {
      const value = this.evaluator.evaluate(bodyAttribute.value, scope);
      if (value instanceof Unknown) this.unresolved(resource.file, bodyAttribute.value.span, `${instance.address}: body = \`${shorten(sourceText(resource, bodyAttribute.value))}\` is not known from the files (${value.reason}).`);
    }
    const kind = identity.type.toLowerCase();
    const scopeKind = kindInScope(kind);
    const valueExpression = expressions.get(pathKey(['value']));
    const valueSource = valueExpression && body ? { expression: valueExpression, file: body.file, text: body.text, context: body.context } : undefined;
    const holdsPolicy = kind.endsWith('/policies') || scopeKind === 'service/policyfragments';
    return [
      {
        file: resource.file,
        span: resource.block.span,
        kind,
        names: identity.names,
        properties,
        // `body` is edited only where the resource writes it (not through a local or a variable).
        declaration: body?.expression === bodyAttribute?.value && propertiesItem?.value.kind === 'object' ? this.declaration(resource, locations, (changes) => changes, writtenObjectExpression(propertiesItem.value)) : this.declaration(resource, locations),
        definitionFile: scopeKind === 'service/apis' && valueSource ? () => this.definitionFile(instance, valueSource, scope, properties.format) : undefined,
        policy: holdsPolicy && valueSource ? () => this.policy(instance, valueSource) : undefined,
      },
    ];
  }

  /**
   * The type and names of a resource instance; undefined (said when `report`) when a parent's name
   * is not known from the files, or when an `azapi_resource` is not an APIM one. A resource whose
   * own name is not known is read under its Terraform address, so that what does not depend on the
   * name is still analysed.
   */
  private identify(instance: Instance, report: boolean): Identity | undefined {
    const { resource, scope } = instance;
    const body = resource.block.body;
    const nameOf = (attributeName: string, isOwnName = false): string | undefined => {
      if (attributeName.startsWith("'")) return attributeName.slice(1, -1);
      const attribute = attributeOf(body, attributeName);
      const value = attribute ? this.evaluator.evaluate(attribute.value, scope) : new Unknown(`${attributeName} is not written`);
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      if (report) {
        const reason = value instanceof Unknown ? value.reason : 'it is not a string';
        const outcome = isOwnName ? `it is read under the name "${instance.address}"` : 'the resource is not read';
        this.unresolved(resource.file, attribute?.value.span ?? resource.block.headerSpan, `${instance.address}: ${attributeName} = \`${shorten(sourceText(resource, attribute?.value))}\` is not known from the files (${reason}); ${outcome}.`);
      }
      return isOwnName ? instance.address : undefined;
    };
    /** The names in the ARM id an attribute holds (`parent_id`); undefined when it is not known or not an APIM id. */
    const parentNames = (attributeName: string): string[] | undefined => {
      const parentId = nameOf(attributeName);
      const parent = parentId === undefined ? undefined : parseArmId(parentId);
      if (!parent && report && parentId !== undefined) {
        this.unresolved(resource.file, attributeOf(body, attributeName)!.value.span, `${instance.address}: ${attributeName} is not an API Management resource id; the resource is not read.`, 'invalid-artifact');
      }
      return parent?.names;
    };
    if (resource.type === 'azurerm_api_management') return { type: 'service', names: [nameOf('name', true)!] };
    if (resource.type === 'azapi_resource') {
      const type = this.evaluator.evaluate(attributeOf(body, 'type')?.value ?? missing, scope);
      const armType = typeof type === 'string' ? /^Microsoft\.ApiManagement\/(service(?:\/[^@]+)?)(?:@|$)/i.exec(type)?.[1] : undefined;
      if (!armType) {
        if (report && type instanceof Unknown) nameOf('type');
        return undefined;
      }
      const name = nameOf('name', true)!;
      if (armType.toLowerCase() === 'service') return { type: armType, names: [name] };
      const parent = parentNames('parent_id');
      return parent && { type: armType, names: [...parent, name] };
    }
    const mapping = AZURERM[resource.type] as (typeof AZURERM)[string] | undefined;
    // Another provider's resource (`azurerm_cognitive_account.x.id`): its id is Azure's.
    if (!mapping) return undefined;
    const names = mapping.parentId ? parentNames(mapping.parentId) : [this.serviceName(instance)];
    if (!names) return undefined;
    for (const [index, attributeName] of mapping.names.entries()) {
      const name = nameOf(attributeName, index === mapping.names.length - 1);
      if (name === undefined) return undefined;
      names.push(name);
    }
    if (resource.type === 'azurerm_api_management_subscription') names.push(this.subscriptionName(instance));
    return { type: mapping.type, names };
  }

  /** The service's name: it does not change what is analysed (one service), so an unknown one is left empty, unsaid. */
  private serviceName({ resource, scope }: Instance): string {
    const byName = attributeOf(resource.block.body, 'api_management_name');
    if (byName) {
      const name = this.evaluator.evaluate(byName.value, scope);
      return typeof name === 'string' ? name : '';
    }
    const byId = attributeOf(resource.block.body, 'api_management_id');
    const id = byId && this.evaluator.evaluate(byId.value, scope);
    return (typeof id === 'string' && parseArmId(id)?.names[0]) || '';
  }

  /** `subscription_id` when written; else Azure makes one up, so the Terraform address stands for it. */
  private subscriptionName(instance: Instance): string {
    const written = attributeOf(instance.resource.block.body, 'subscription_id');
    const value = written && this.evaluator.evaluate(written.value, instance.scope);
    return typeof value === 'string' ? value : instance.address;
  }

  /** `api_id` scopes a subscription to an API, `product_id` to a product, neither to all APIs. */
  private subscriptionScope(instance: Instance, properties: Properties, locations: Map<string, SourceLocation>): void {
    const { resource, scope } = instance;
    const body = resource.block.body;
    const header = { file: resource.file, span: resource.block.headerSpan };
    if (!attributeOf(body, 'state')) {
      properties.state = AZURERM_SUBSCRIPTION_STATE;
      locations.set(pathKey(['state']), header);
    }
    // `api_id = var.scoped ? ... : null`: an attribute set to null is not set.
    let target: HclAttribute | undefined;
    let id: Value = null;
    for (const attribute of [attributeOf(body, 'api_id'), attributeOf(body, 'product_id')]) {
      id = attribute ? this.evaluator.evaluate(attribute.value, scope) : null;
      target = attribute;
      if (id !== null) break;
    }
    if (!target || id === null) {
      properties.scope = '/apis';
      locations.set(pathKey(['scope']), header);
      return;
    }
    const parsed = typeof id === 'string' ? parseArmId(id) : undefined;
    const name = parsed?.names[parsed.names.length - 1];
    if (name === undefined) {
      const reason = id instanceof Unknown ? id.reason : 'it is not an API Management resource id';
      this.unresolved(resource.file, target.value.span, `${instance.address}: ${target.name} = \`${shorten(sourceText(resource, target.value))}\` is not known from the files (${reason}): the subscription's scope is not analysed.`);
      return;
    }
    properties.scope = target.name === 'api_id' ? `/apis/${baseApiName(name)}` : `/products/${name}`;
    locations.set(pathKey(['scope']), { file: resource.file, span: target.value.span });
  }

  private mapProperty(instance: Instance, property: PropertyMapping, properties: Properties, locations: Map<string, SourceLocation>): void {
    const { resource } = instance;
    const segments = property.from.split('.');
    let containers = [{ body: resource.block.body, scope: instance.scope }];
    for (const blockType of segments.slice(0, -1)) containers = containers.flatMap((container) => this.blocks(instance, container.body, blockType));
    const container = containers[0];
    const attribute = container && attributeOf(container.body, segments[segments.length - 1]);
    if (!attribute) return;
    let value = this.evaluator.evaluate(attribute.value, container.scope);
    if (property.convert && !(value instanceof Unknown)) value = property.convert(value);
    // Located even when not known: what reads the written expression (a backend's URL) finds it there.
    locations.set(pathKey(property.to), { file: resource.file, span: attribute.value.span });
    const unknown = firstUnknown(value);
    if (unknown) {
      if (!property.quiet) this.unresolved(resource.file, attribute.value.span, `${instance.address}: ${property.from} = \`${shorten(sourceText(resource, attribute.value))}\` is not known from the files (${unknown.reason}).`);
      return;
    }
    setAt(properties, property.to, value);
  }

  /** The blocks of `type` in `body`; `dynamic` ones whose `for_each` is not known are said. */
  private blocks(instance: Instance, body: HclBody, type: string): { body: HclBody; scope: Scope }[] {
    const blocks = blocksOf(this.evaluator, body, type, instance.scope);
    if (!(blocks instanceof Unknown)) return blocks;
    const dynamic = body.blocks.find((block) => block.type === 'dynamic' && block.labels[0] === type);
    this.unresolved(instance.resource.file, dynamic?.headerSpan ?? instance.resource.block.headerSpan, `${instance.address}: the dynamic "${type}" block's for_each is not known from the files (${blocks.reason}).`);
    return [];
  }

  /** With `written`, properties are edited where the resource writes them, after `toWritten` renames ARM's properties to the resource's own. */
  private declaration(
    resource: TerraformResource,
    locations: Map<string, SourceLocation>,
    toWritten?: (changes: readonly PropertyChange[]) => readonly PropertyChange[] | undefined,
    written?: WrittenObject,
  ): Declaration {
    const header = { file: resource.file, span: resource.block.headerSpan };
    const declaration: Declaration = { file: resource.file, span: resource.block.span, locate: (property) => locations.get(pathKey(property)) ?? header };
    if (!toWritten || !written) return declaration;
    return {
      ...declaration,
      editProperties: (changes) => {
        const renamed = toWritten(changes);
        const edits = renamed && writtenPropertyEdits(resource.text, written, renamed, HCL_SYNTAX);
        return edits && edits.length > 0 ? { file: resource.file, edits } : undefined;
      },
    };
  }

  /** A policy from `file(...)`, `templatefile(...)`, a string or heredoc (in place), or a variable or local holding one. */
  private policy(instance: Instance, source: Sourced): PolicyAttachment | undefined {
    const written = this.evaluator.definitionOf(source, instance.scope);
    const expression = written.expression;
    if (expression.kind === 'call' && (expression.name === 'file' || expression.name === 'templatefile')) {
      const file = this.loadedFile(instance, written);
      const policy = file === undefined ? undefined : this.ctx.readPolicy(file);
      if (policy && expression.name === 'templatefile') this.checkTemplatePlaceholders(instance, written, policy);
      return policy;
    }
    if (expression.kind === 'template') return this.inlinePolicy(instance, { ...written, expression });
    const value = evaluateWhereWritten(written, expression);
    const reason = value instanceof Unknown ? `it is not known from the files: ${value.reason}` : 'it is computed by an expression that is not read as a policy';
    this.unresolved(written.file, expression.span, `${instance.address}: the policy \`${shorten(written.text.slice(expression.span.start, expression.span.end))}\` is not read (${reason}).`);
    return undefined;
  }

  /**
   * A policy written in the `.tf` file: read in place, with the rest of the file blanked out, so
   * that its offsets are the file's. `${...}` is read as written; one whose value is not known, or
   * that inserts XML, is said.
   */
  private inlinePolicy(instance: Instance, template: WrittenIn & { expression: HclTemplate }): PolicyAttachment {
    const { file, text, expression } = template;
    let rendered = text.slice(0, expression.contentSpan.start).replace(/[^\n]/g, ' ');
    let cursor = expression.contentSpan.start;
    for (const part of expression.parts) {
      rendered += text.slice(cursor, part.span.start);
      const written = text.slice(part.span.start, part.span.end);
      rendered += part.kind === 'text' ? alignedText(written, !expression.heredoc) : written;
      cursor = part.span.end;
      if (part.kind === 'directive') this.unresolved(file, part.span, `${instance.address}: the template directive \`${shorten(written)}\` is not evaluated: the policy is read as written.`);
      if (part.kind === 'interpolation') this.checkInsertedValue(instance, file, part.span, written, evaluateWhereWritten(template, part.expression));
    }
    rendered += text.slice(cursor, expression.contentSpan.end);
    const xml = parsePolicyXml(file, rendered);
    this.ctx.report(xml.problems);
    // A heredoc holds the policy as written (no escapes but `$${` and `%%{`); a quoted string's escapes are not re-written: left alone.
    const editable = expression.heredoc && expression.parts.every((part) => part.kind !== 'directive');
    const content = text.slice(expression.contentSpan.start, expression.contentSpan.end);
    const inline: InlinePolicy = editable
      ? { syntax: 'terraform-heredoc', text: content, offsets: Array.from({ length: content.length }, (_, index) => expression.contentSpan.start + index), end: expression.contentSpan.end }
      : { syntax: 'computed' };
    return { file, xml, inline };
  }

  /** `${name}` in a `templatefile()` policy: said when its value is not known, or when it inserts XML. */
  private checkTemplatePlaceholders(instance: Instance, call: WrittenIn, policy: PolicyAttachment): void {
    if (call.expression.kind !== 'call') return;
    const variablesExpression = call.expression.args[1];
    const variables = variablesExpression ? evaluateWhereWritten(call, variablesExpression) : {};
    for (const match of policy.xml.text.matchAll(/\$\$\{|%%\{|\$\{([^}]*)\}|%\{[^}]*\}/g)) {
      if (match[0] === '$${' || match[0] === '%%{') continue;
      const span = { start: match.index, end: match.index + match[0].length };
      if (match[0].startsWith('%')) {
        this.unresolved(policy.file, span, `${instance.address}: the template directive \`${shorten(match[0])}\` is not evaluated: the policy is read as written.`);
        continue;
      }
      const name = match[1].trim().replace(/^~|~$/g, '').trim();
      const value = variables instanceof Unknown ? variables : isPlainObject(variables) && /^[A-Za-z_][\w-]*$/.test(name) ? (variables[name] ?? new Unknown(`templatefile() is given no "${name}"`)) : new Unknown('an expression in a template is not evaluated');
      this.checkInsertedValue(instance, policy.file, span, match[0], value);
    }
  }

  private checkInsertedValue(instance: Instance, file: string, span: Span, written: string, value: Value): void {
    if (value instanceof Unknown) this.unresolved(file, span, `${instance.address}: \`${shorten(written)}\` in the policy is not known from the files (${value.reason}): the policy is read with it as written.`);
    else if (typeof value === 'string' && value.includes('<')) this.unresolved(file, span, `${instance.address}: \`${shorten(written)}\` inserts XML into the policy; what it inserts is not analysed.`);
  }

  /** `xml_link`: APIM's provider fetches the policy from a URL; it is not read. */
  private reportPolicyLink(instance: Instance, body: HclBody): void {
    const link = attributeOf(body, 'xml_link');
    if (link) this.unresolved(instance.resource.file, link.value.span, `${instance.address}: the policy is fetched from xml_link when Terraform runs; it is not read.`, 'remote-ref');
  }

  /** The definition an API imports: a `file(...)`; a link or inline content is said, not read. */
  private definitionFile(instance: Instance, source: Sourced, scope: Scope, format: unknown): string | undefined {
    const written = this.evaluator.definitionOf(source, scope);
    const expression = written.expression;
    if (expression.kind === 'call' && (expression.name === 'file' || expression.name === 'templatefile')) return this.loadedFile(instance, written);
    const isLink = typeof format === 'string' && format.includes('link');
    const value = evaluateWhereWritten(written, expression);
    const reason = isLink
      ? 'a link APIM imports the definition from'
      : value instanceof Unknown
        ? `not known from the files: ${value.reason}`
        : 'written inline, where its operations are not read; load it with file("...")';
    this.unresolved(written.file, expression.span, `${instance.address}: the API definition \`${shorten(written.text.slice(expression.span.start, expression.span.end))}\` is not read (${reason}).`, isLink ? 'remote-ref' : 'unresolved-value');
    return undefined;
  }

  /**
   * The file of `file("...")` / `templatefile("...", {...})`, from the root module's folder (Terraform's
   * working directory, whichever module the call is in); never one outside the scanned folder.
   */
  private loadedFile(instance: Instance, call: WrittenIn): string | undefined {
    if (call.expression.kind !== 'call') return undefined;
    const [pathArgument] = call.expression.args;
    const relative = pathArgument ? evaluateWhereWritten(call, pathArgument) : new Unknown('no path is given');
    const written = call.text.slice(call.expression.span.start, call.expression.span.end);
    if (typeof relative !== 'string') {
      this.unresolved(call.file, call.expression.span, `${instance.address}: \`${shorten(written)}\` is not known from the files (${relative instanceof Unknown ? relative.reason : 'the path is not a string'}).`);
      return undefined;
    }
    const loaded = path.resolve(this.rootFolder, relative);
    if (this.ctx.files.isInside(loaded)) return loaded;
    this.ctx.report([{ file: call.file, span: call.expression.span, kind: 'outside-root', message: `${shorten(written)} points outside the scanned folder; it was not opened.` }]);
    return undefined;
  }

  /** `value` without its unknown parts, each told to `onUnknown` with where it is. */
  private known(value: Value, at: JsonPath, onUnknown: (at: JsonPath, unknown: Unknown) => void): unknown {
    if (value instanceof Unknown) {
      onUnknown(at, value);
      return undefined;
    }
    if (Array.isArray(value)) {
      const unknown = firstUnknown(value);
      if (unknown) {
        onUnknown(at, unknown);
        return undefined;
      }
      return value;
    }
    if (isPlainObject(value)) {
      const known: Properties = {};
      for (const [key, item] of Object.entries(value)) {
        const itemKnown = this.known(item, [...at, key], onUnknown);
        if (itemKnown !== undefined) known[key] = itemKnown;
      }
      return known;
    }
    return value;
  }

  private unresolved(file: string, span: Span, message: string, kind: InputProblemKind = 'unresolved-value'): void {
    this.ctx.report([{ file, span, kind, message }]);
  }
}

/**
 * Template text with its escapes resolved in place: each escape is padded with spaces to the length
 * it is written with, so that offsets stay the file's. An escaped quote keeps its space outside the
 * quoted value: in front of an opening one, after a closing one.
 */
function alignedText(written: string, quoted: boolean): string {
  let aligned = '';
  for (let at = 0; at < written.length; ) {
    const isDoubled = /^(\$\$|%%)\{/.test(written.slice(at, at + 3));
    if (!isDoubled && !(quoted && written[at] === '\\')) {
      aligned += written[at++];
      continue;
    }
    const { value, length } = isDoubled ? { value: written[at] + '{', length: 3 } : unescapeAt(written, at);
    const opensQuote = value === '"' && (at === 0 || /[=\s(]/.test(written[at - 1]));
    aligned += value === '"' && !opensQuote ? value.padEnd(length, ' ') : value.padStart(length, ' ');
    at += length;
  }
  return aligned;
}

/** An expression with the module and `each`/`count` its names are evaluated in. */
type WrittenIn = Sourced & { context: EvaluationContext };

/** An expression within `written`, evaluated where `written` is written: in the caller, for a module argument. */
function evaluateWhereWritten(written: WrittenIn, expression: HclExpression): Value {
  return written.context.evaluator.evaluate(expression, written.context.scope);
}

/** Stands for an attribute that is not written, so that evaluating it says so. */
const missing: HclExpression = { kind: 'other', span: { start: 0, end: 0 }, text: 'nothing', reason: 'it is not written' };

function attributeOf(body: HclBody, name: string): HclAttribute | undefined {
  return body.attributes.find((attribute) => attribute.name === name);
}

function sourceText(resource: TerraformResource, expression: HclExpression | undefined): string {
  return expression ? resource.text.slice(expression.span.start, expression.span.end) : '';
}

/** `jsonencode({...})` (azapi before 2.0) or the object itself. */
function unwrapJsonEncode(expression: HclExpression): HclObject | undefined {
  if (expression.kind === 'object') return expression;
  if (expression.kind === 'call' && expression.name === 'jsonencode' && expression.args[0]?.kind === 'object') return expression.args[0];
  return undefined;
}

/** The location and expression of every property below an object expression, by path. */
function collectLocations(expression: HclExpression, at: JsonPath, file: string, locations: Map<string, SourceLocation>, expressions: Map<string, HclExpression>): void {
  if (expression.kind === 'object') {
    for (const item of expression.items) {
      if (item.key === undefined) continue;
      const itemPath = [...at, item.key];
      locations.set(pathKey(itemPath), { file, span: item.value.span });
      expressions.set(pathKey(itemPath), item.value);
      collectLocations(item.value, itemPath, file, locations, expressions);
    }
  } else if (expression.kind === 'tuple') {
    expression.items.forEach((item, index) => {
      locations.set(pathKey([...at, index]), { file, span: item.span });
      collectLocations(item, [...at, index], file, locations, expressions);
    });
  }
}

/**
 * ARM's property changes as the azurerm attributes that hold them (`tls.validateCertificateChain` →
 * `tls.validate_certificate_chain`), an object value taken leaf by leaf; undefined when one has no
 * attribute of its own (a subscription's `scope` is `api_id` or `product_id`, which name resources).
 */
function azurermChanges(mapping: ResourceMapping, changes: readonly PropertyChange[]): PropertyChange[] | undefined {
  const leaves = (property: JsonPath, value: unknown): PropertyChange[] =>
    isObject(value) ? Object.entries(value).flatMap(([key, inner]) => leaves([...property, key], inner)) : [[property, value]];
  const renamed: PropertyChange[] = [];
  for (const [property, value] of changes.flatMap(([property, value]) => leaves(property, value))) {
    const attribute = mapping.properties?.find((candidate) => pathKey(candidate.to) === pathKey(property));
    if (!attribute) return undefined;
    renamed.push([attribute.from.split('.'), value]);
  }
  return renamed;
}

/** A resource or block body: blocks written twice or through `dynamic` cannot be edited as one. */
function writtenBody(body: HclBody): WrittenObject {
  const entries: WrittenObject['entries'] = new Map();
  for (const attribute of body.attributes) entries.set(attribute.name, { span: attribute.span, value: writtenHclValue(attribute.value) });
  for (const block of body.blocks) {
    const type = block.type === 'dynamic' ? block.labels[0] : block.type;
    const single = block.type !== 'dynamic' && body.blocks.filter((other) => other.type === type).length === 1;
    entries.set(type, { span: block.span, value: single ? writtenBody(block.body) : { span: block.span, literal: false } });
  }
  return { entries, holdsBlocks: true };
}

function writtenObjectExpression(object: HclObject): WrittenObject {
  return {
    entries: new Map(
      object.items.flatMap((item) =>
        item.key === undefined ? [] : [[item.key, { span: { start: item.keySpan.start, end: item.value.span.end }, value: item.value.kind === 'object' ? writtenObjectExpression(item.value) : writtenHclValue(item.value) }] as const],
      ),
    ),
  };
}

/** Booleans, numbers, strings without `${...}` or `%{...}` and lists of them; references and calls are not literals. */
function writtenHclValue(value: HclExpression): WrittenValue {
  const isLiteral = (item: HclExpression): boolean =>
    item.kind === 'literal' || (item.kind === 'template' && !item.heredoc && item.parts.every((part) => part.kind === 'text')) || (item.kind === 'tuple' && item.items.every(isLiteral));
  return { span: value.span, literal: isLiteral(value) };
}

function pathKey(property: JsonPath): string {
  return property.join('\0');
}

function setAt(properties: Properties, property: JsonPath, value: Value): void {
  let target: Properties = properties;
  for (const key of property.slice(0, -1)) {
    const next = target[key];
    target = isObject(next) ? next : (target[key] = {}) as Properties;
  }
  target[property[property.length - 1]] = value;
}

/** An APIM resource's ARM id, service-relative parts only: what `parseArmId` reads back. */
function armId({ type, names }: Identity): string {
  const segments = type.split('/');
  return '/providers/Microsoft.ApiManagement' + segments.map((segment, index) => `/${segment}/${names[index] ?? ''}`).join('');
}

/** The type and names of an APIM resource id (`.../providers/Microsoft.ApiManagement/service/s/apis/a`). */
function parseArmId(id: string): Identity | undefined {
  const match = /Microsoft\.ApiManagement\/(service\/.+?)\/?$/i.exec(id);
  if (!match) return undefined;
  const parts = match[1].split('/');
  if (parts.length % 2 !== 0) return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let index = 0; index < parts.length; index += 2) {
    types.push(parts[index]);
    names.push(parts[index + 1]);
  }
  return { type: types.join('/'), names };
}
