// Reads APIM resources declared in Terraform: the azurerm provider's `azurerm_api_management_*`
// resources and azapi's `azapi_resource` of `Microsoft.ApiManagement/service/...` types, each folder
// of `.tf` files as one module. What the files determine (literals, variables with defaults or
// `.tfvars` values, locals, other resources' attributes, literal `for_each`/`count`) is resolved;
// what they do not is reported where it is written, never guessed.
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
import { buildDeclaredContent, type DeclaredResource } from './declaredResources';
import { parseHcl, unescapeAt, type HclAttribute, type HclBody, type HclExpression, type HclObject, type HclTemplate } from './hclParser';
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
  type Scope,
  type Sourced,
  type TerraformModule,
  type TerraformResource,
  type Value,
} from './terraformValues';

/** A `.tf` file that may declare APIM resources; a folder without one is not read. */
export const TERRAFORM_MENTIONS_APIM = /azurerm_api_management|Microsoft\.ApiManagement/i;

/** The APIM resources of the `.tf` files among `files`, with `.tfvars` beside them (the others are not read). */
export function readTerraform(files: readonly string[], ctx: ReadContext): ServiceContent {
  const folders = new Map<string, string[]>();
  for (const file of files) {
    if (!file.endsWith('.tf') && !file.endsWith('.tfvars')) continue;
    const folder = path.dirname(file);
    folders.set(folder, [...(folders.get(folder) ?? []), file]);
  }
  const declared: DeclaredResource[] = [];
  for (const [folder, folderFiles] of folders) {
    const sources = folderFiles.filter((file) => file.endsWith('.tf')).map((file) => ({ file, text: ctx.files.read(file).text }));
    if (!sources.some(({ text }) => text !== undefined && TERRAFORM_MENTIONS_APIM.test(text))) continue;
    const what = `The Terraform files of ${path.relative(ctx.files.rootFolder, folder) || '.'}`;
    const read = ctx.isolate(folder, what, () => new TerraformModuleReader(folder, folderFiles, ctx).read());
    if (read) declared.push(...read);
  }
  return ctx.isolate(declared[0]?.file ?? '', 'The Terraform declarations', () => buildDeclaredContent(declared, ctx, 'terraform')) ?? emptyContent();
}

/** How an azurerm resource type maps onto ARM: its type below the service, its names, its properties. */
interface ResourceMapping {
  /** ARM's type below `Microsoft.ApiManagement/`, ARM's casing. */
  type: string;
  /** Attributes naming the resource and its parents below the service, outermost first; a quoted literal stands for itself. */
  names: string[];
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

class TerraformModuleReader {
  private readonly module: TerraformModule;
  private readonly evaluator: Evaluator;

  constructor(
    private readonly folder: string,
    files: readonly string[],
    private readonly ctx: ReadContext,
  ) {
    this.module = { folder, variables: new Map(), locals: new Map(), resources: new Map() };
    this.evaluator = new Evaluator(this.module, (resource, scope) => {
      const identity = this.identify({ resource, scope, address: resource.name }, false);
      return identity ? armId(identity) : new Unknown(`the id of ${resource.type}.${resource.name} is not known`);
    });
    const declaredVariables: { name: string; default?: Sourced }[] = [];
    const tfvars: { file: string; attributes: Map<string, Sourced> }[] = [];
    for (const file of [...files].sort()) {
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
        } else if (block.type === 'locals') {
          for (const local of block.body.attributes) this.module.locals.set(local.name, { expression: local.value, file, text });
        } else if ((block.type === 'resource' || block.type === 'data') && first !== undefined && second !== undefined) {
          const address = block.type === 'data' ? `data.${first}.${second}` : `${first}.${second}`;
          this.module.resources.set(address, { mode: block.type, type: first, name: second, block, file, text });
        }
      }
    }
    // `.tfvars` beside the module are read in Terraform's order: terraform.tfvars, then *.auto.tfvars by name.
    tfvars.sort((a, b) => Number(path.basename(b.file) === 'terraform.tfvars') - Number(path.basename(a.file) === 'terraform.tfvars'));
    this.module.variables = moduleVariables(declaredVariables, tfvars);
  }

  private parse(file: string): { body: HclBody; text: string } | undefined {
    const text = this.ctx.readText(file);
    if (text === undefined) return undefined;
    return this.ctx.isolate(file, path.basename(file), () => {
      const parsed = parseHcl(text, (span) =>
        this.ctx.report([{ file, span, kind: 'too-deep', message: `Values are nested more than ${MAX_NESTING_DEPTH} levels deep: what is below is not read.` }]),
      );
      for (const span of parsed.skipped) {
        if (text.slice(span.start, span.end).trim() === '') continue;
        this.ctx.report([{ file, span, kind: 'invalid-artifact', message: `\`${shorten(text.slice(span.start, span.end), 60)}\` is not read as HCL: it was skipped.` }]);
      }
      return { body: parsed.body, text };
    });
  }

  read(): DeclaredResource[] {
    const declared: DeclaredResource[] = [];
    for (const resource of this.module.resources.values()) {
      if (resource.mode !== 'resource' || (!(resource.type in AZURERM) && resource.type !== 'azurerm_api_management' && resource.type !== 'azapi_resource')) continue;
      const instances = this.evaluator.instances(resource);
      if (instances instanceof Unknown) {
        const iteration = attributeOf(resource.block.body, 'for_each') ?? attributeOf(resource.block.body, 'count');
        this.unresolved(resource.file, iteration?.value.span ?? resource.block.headerSpan, `${resource.type}.${resource.name}: \`${shorten(sourceText(resource, iteration?.value))}\` is not known from the files (${instances.reason}); the resource is not read.`);
        continue;
      }
      for (const { key, scope, single } of instances) {
        const address = `${resource.type}.${resource.name}${single ? '' : `[${JSON.stringify(key)}]`}`;
        const instance = { resource, scope, address };
        const read = this.ctx.isolate(resource.file, address, () => this.declare(instance));
        if (read) declared.push(...read);
      }
    }
    return declared;
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
    const body = bodyAttribute && this.evaluator.definitionOf({ expression: bodyAttribute.value, file: resource.file, text: resource.text });
    const bodyObject = body && unwrapJsonEncode(body.expression);
    const propertiesItem = bodyObject?.items.find((item) => item.key === 'properties');
    const locations = new Map<string, SourceLocation>();
    let properties: Properties = {};
    const expressions = new Map<string, HclExpression>();
    if (body && propertiesItem) {
      collectLocations(propertiesItem.value, [], body.file, locations, expressions);
      const value = this.evaluator.evaluate(propertiesItem.value, scope);
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
    const valueExpression = expressions.get(pathKey(['value']));
    const valueSource = valueExpression && body ? { expression: valueExpression, file: body.file, text: body.text } : undefined;
    const holdsPolicy = kind.endsWith('/policies') || kind === 'service/policyfragments';
    return [
      {
        file: resource.file,
        span: resource.block.span,
        kind,
        names: identity.names,
        properties,
        // `body` is edited only where the resource writes it (not through a local or a variable).
        declaration: body?.expression === bodyAttribute?.value && propertiesItem?.value.kind === 'object' ? this.declaration(resource, locations, (changes) => changes, writtenObjectExpression(propertiesItem.value)) : this.declaration(resource, locations),
        definitionFile: kind === 'service/apis' && valueSource ? () => this.definitionFile(instance, valueSource, scope, properties.format) : undefined,
        policy: holdsPolicy && valueSource ? () => this.policy(instance, valueSource) : undefined,
      },
    ];
  }

  /**
   * The type and names of a resource instance; undefined (said when `report`) when a name is not
   * known from the files, or when an `azapi_resource` is not an APIM one.
   */
  private identify(instance: Instance, report: boolean): Identity | undefined {
    const { resource, scope } = instance;
    const body = resource.block.body;
    const nameOf = (attributeName: string): string | undefined => {
      if (attributeName.startsWith("'")) return attributeName.slice(1, -1);
      const attribute = attributeOf(body, attributeName);
      const value = attribute ? this.evaluator.evaluate(attribute.value, scope) : new Unknown(`${attributeName} is not written`);
      if (typeof value === 'string' || typeof value === 'number') return String(value);
      if (report) {
        const reason = value instanceof Unknown ? value.reason : 'it is not a string';
        this.unresolved(resource.file, attribute?.value.span ?? resource.block.headerSpan, `${instance.address}: ${attributeName} = \`${shorten(sourceText(resource, attribute?.value))}\` is not known from the files (${reason}); the resource is not read.`);
      }
      return undefined;
    };
    if (resource.type === 'azurerm_api_management') {
      const name = nameOf('name');
      return name === undefined ? undefined : { type: 'service', names: [name] };
    }
    if (resource.type === 'azapi_resource') {
      const type = this.evaluator.evaluate(attributeOf(body, 'type')?.value ?? missing, scope);
      const armType = typeof type === 'string' ? /^Microsoft\.ApiManagement\/(service(?:\/[^@]+)?)(?:@|$)/i.exec(type)?.[1] : undefined;
      if (!armType) {
        if (report && type instanceof Unknown) nameOf('type');
        return undefined;
      }
      const name = nameOf('name');
      if (name === undefined) return undefined;
      if (armType.toLowerCase() === 'service') return { type: armType, names: [name] };
      const parentId = nameOf('parent_id');
      const parent = parentId === undefined ? undefined : parseArmId(parentId);
      if (!parent) {
        if (report && parentId !== undefined) this.unresolved(resource.file, attributeOf(body, 'parent_id')!.value.span, `${instance.address}: parent_id is not an API Management resource id; the resource is not read.`, 'invalid-artifact');
        return undefined;
      }
      return { type: armType, names: [...parent.names, name] };
    }
    const mapping = AZURERM[resource.type];
    const names: string[] = [];
    for (const attributeName of mapping.names) {
      const name = nameOf(attributeName);
      if (name === undefined) return undefined;
      names.push(name);
    }
    if (resource.type === 'azurerm_api_management_subscription') names.push(this.subscriptionName(instance));
    return { type: mapping.type, names: [this.serviceName(instance), ...names] };
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
    const target = attributeOf(body, 'api_id') ?? attributeOf(body, 'product_id');
    if (!target) {
      properties.scope = '/apis';
      locations.set(pathKey(['scope']), header);
      return;
    }
    const id = this.evaluator.evaluate(target.value, scope);
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
    const unknown = firstUnknown(value);
    if (unknown) {
      if (!property.quiet) this.unresolved(resource.file, attribute.value.span, `${instance.address}: ${property.from} = \`${shorten(sourceText(resource, attribute.value))}\` is not known from the files (${unknown.reason}).`);
      return;
    }
    setAt(properties, property.to, value);
    locations.set(pathKey(property.to), { file: resource.file, span: attribute.value.span });
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
    const written = this.evaluator.definitionOf(source);
    const expression = written.expression;
    if (expression.kind === 'call' && (expression.name === 'file' || expression.name === 'templatefile')) {
      const file = this.loadedFile(instance, written);
      const policy = file === undefined ? undefined : this.ctx.readPolicy(file);
      if (policy && expression.name === 'templatefile') this.checkTemplatePlaceholders(instance, written, policy);
      return policy;
    }
    if (expression.kind === 'template') return this.inlinePolicy(instance, { ...written, expression });
    const value = this.evaluator.evaluate(expression, instance.scope);
    const reason = value instanceof Unknown ? `it is not known from the files: ${value.reason}` : 'it is computed by an expression that is not read as a policy';
    this.unresolved(written.file, expression.span, `${instance.address}: the policy \`${shorten(written.text.slice(expression.span.start, expression.span.end))}\` is not read (${reason}).`);
    return undefined;
  }

  /**
   * A policy written in the `.tf` file: read in place, with the rest of the file blanked out, so
   * that its offsets are the file's. `${...}` is read as written; one whose value is not known, or
   * that inserts XML, is said.
   */
  private inlinePolicy(instance: Instance, template: Sourced & { expression: HclTemplate }): PolicyAttachment {
    const { file, text, expression } = template;
    let rendered = text.slice(0, expression.contentSpan.start).replace(/[^\n]/g, ' ');
    let cursor = expression.contentSpan.start;
    for (const part of expression.parts) {
      rendered += text.slice(cursor, part.span.start);
      const written = text.slice(part.span.start, part.span.end);
      rendered += part.kind === 'text' ? alignedText(written, !expression.heredoc) : written;
      cursor = part.span.end;
      if (part.kind === 'directive') this.unresolved(file, part.span, `${instance.address}: the template directive \`${shorten(written)}\` is not evaluated: the policy is read as written.`);
      if (part.kind === 'interpolation') this.checkInsertedValue(instance, file, part.span, written, this.evaluator.evaluate(part.expression, instance.scope));
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
  private checkTemplatePlaceholders(instance: Instance, call: Sourced, policy: PolicyAttachment): void {
    if (call.expression.kind !== 'call') return;
    const variablesExpression = call.expression.args[1];
    const variables = variablesExpression ? this.evaluator.evaluate(variablesExpression, instance.scope) : {};
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
    const written = this.evaluator.definitionOf(source);
    const expression = written.expression;
    if (expression.kind === 'call' && (expression.name === 'file' || expression.name === 'templatefile')) return this.loadedFile(instance, written);
    const isLink = typeof format === 'string' && format.includes('link');
    const value = this.evaluator.evaluate(expression, scope);
    const reason = isLink
      ? 'a link APIM imports the definition from'
      : value instanceof Unknown
        ? `not known from the files: ${value.reason}`
        : 'written inline, where its operations are not read; load it with file("...")';
    this.unresolved(written.file, expression.span, `${instance.address}: the API definition \`${shorten(written.text.slice(expression.span.start, expression.span.end))}\` is not read (${reason}).`, isLink ? 'remote-ref' : 'unresolved-value');
    return undefined;
  }

  /** The file of `file("...")` / `templatefile("...", {...})`, from the module's folder; never one outside the scanned folder. */
  private loadedFile(instance: Instance, call: Sourced): string | undefined {
    if (call.expression.kind !== 'call') return undefined;
    const [pathArgument] = call.expression.args;
    const relative = pathArgument ? this.evaluator.evaluate(pathArgument, instance.scope) : new Unknown('no path is given');
    const written = call.text.slice(call.expression.span.start, call.expression.span.end);
    if (typeof relative !== 'string') {
      this.unresolved(call.file, call.expression.span, `${instance.address}: \`${shorten(written)}\` is not known from the files (${relative instanceof Unknown ? relative.reason : 'the path is not a string'}).`);
      return undefined;
    }
    const loaded = path.resolve(this.folder, relative);
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

/** Stands for an attribute that is not written, so that evaluating it says so. */
const missing: HclExpression = { kind: 'other', span: { start: 0, end: 0 }, text: 'nothing' };

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
