// What the scanned folder's infrastructure code declares that an API's backend may be: sites
// (Function Apps, Logic Apps Standard, App Service), container apps, Logic App workflows, Azure AI
// and data accounts, read once per scan from every Bicep, Terraform and ARM file, each with what its
// declaration says about reaching it without the gateway. The backend resolver and the gateway
// bypass both look backends up here. Function App and Logic App sites come from the site readers
// (hosted/sites.ts), whose declarations hosted code is mapped to; Consumption workflows bring the
// Request triggers of their definitions.
import * as path from 'path';
import type { BackendKind, BackendResourceFacts } from '../backends/resolve';
import type { DeclaredApp, HostedAppDeclaration } from '../model';
import { isPlainObject, PartialString, Unknown, type ArmValue } from './armExpression';
import { readTemplateResources, type TemplateResource } from './armTemplate';
import { bicepValueAt, parseBicepFile, type BicepResource, type BicepValue } from './bicepParser';
import type { ReadContext } from './context';
import { isObject } from './declaration';
import { literalString, parseHcl, type HclBlock, type HclBody, type HclExpression } from './hclParser';
import { armConsumptionTriggers, bicepConsumptionTriggers, terraformConsumptionTrigger } from './hosted/logicAppTriggers';
import { readSiteDeclarations, REJECTING_ACTIONS } from './hosted/sites';
import { shorten } from './terraformValues';

/** Declared types (ARM and azurerm) → kind; `kind`-dependent ones (sites, cognitive accounts) are refined by `refineKind`. */
export const TYPE_KINDS: Readonly<Record<string, BackendKind>> = {
  'microsoft.web/sites': 'app-service',
  'microsoft.app/containerapps': 'container-app',
  'microsoft.logic/workflows': 'logic-app',
  'microsoft.cognitiveservices/accounts': 'cognitive-services',
  'microsoft.machinelearningservices/workspaces/onlineendpoints': 'machine-learning',
  'microsoft.search/searchservices': 'ai-search',
  'microsoft.servicebus/namespaces': 'service-bus',
  'microsoft.eventhub/namespaces': 'event-hubs',
  'microsoft.storage/storageaccounts': 'storage',
  'microsoft.documentdb/databaseaccounts': 'cosmos-db',
  'microsoft.sql/servers': 'sql',
  'microsoft.keyvault/vaults': 'key-vault',
  'microsoft.containerservice/managedclusters': 'aks',
  'microsoft.apimanagement/service': 'api-management',
  azurerm_linux_function_app: 'function-app',
  azurerm_windows_function_app: 'function-app',
  azurerm_function_app: 'function-app',
  azurerm_function_app_flex_consumption: 'function-app',
  azurerm_linux_web_app: 'app-service',
  azurerm_windows_web_app: 'app-service',
  azurerm_app_service: 'app-service',
  azurerm_container_app: 'container-app',
  azurerm_logic_app_standard: 'logic-app',
  azurerm_logic_app_workflow: 'logic-app',
  azurerm_cognitive_account: 'cognitive-services',
  azurerm_ai_services: 'ai-foundry',
  azurerm_search_service: 'ai-search',
  azurerm_servicebus_namespace: 'service-bus',
  azurerm_eventhub_namespace: 'event-hubs',
  azurerm_storage_account: 'storage',
  azurerm_cosmosdb_account: 'cosmos-db',
  azurerm_mssql_server: 'sql',
  azurerm_key_vault: 'key-vault',
  azurerm_kubernetes_cluster: 'aks',
  azurerm_api_management: 'api-management',
};

const WORKFLOWS = 'microsoft.logic/workflows';

/** A site's or a cognitive account's `kind` property says which service it is. */
export function refineKind(kind: BackendKind, declaredKind: string | undefined): BackendKind {
  const lower = declaredKind?.toLowerCase() ?? '';
  if (kind === 'app-service' && lower.includes('workflowapp')) return 'logic-app';
  if (kind === 'app-service' && lower.includes('functionapp')) return 'function-app';
  if (kind === 'cognitive-services' && lower === 'openai') return 'azure-openai';
  if (kind === 'cognitive-services' && lower === 'aiservices') return 'ai-foundry';
  return kind;
}

/** Every resource of a kind of backend that the Bicep, Terraform and ARM files among `files` declare. */
export function readDeclaredApps(files: readonly string[], ctx: ReadContext): DeclaredApp[] {
  const sites = readSiteDeclarations(files, ctx);
  return [...readBicepApps(files, ctx, sites), ...readTerraformApps(files, ctx, sites), ...readArmApps(files, ctx)];
}

/** The declared app `symbol` names in `file` (Bicep) or in `file`'s folder (Terraform, whose module is its folder). */
export function declaredAs(apps: readonly DeclaredApp[], symbol: string, file: string): DeclaredApp | undefined {
  const folder = path.dirname(file);
  return apps.find((app) => app.symbol === symbol && (app.location.file === file || (file.endsWith('.tf') && path.dirname(app.location.file) === folder)));
}

/**
 * The declared app of one of `kinds` named `name` (a host name's first label): the one declared
 * nearest `file` (in it, then in its folder, then anywhere in the scanned folder).
 */
export function declaredNamed(apps: readonly DeclaredApp[], name: string, kinds: readonly BackendKind[], file: string): DeclaredApp | undefined {
  const distance = (app: DeclaredApp) => (app.location.file === file ? 0 : path.dirname(app.location.file) === path.dirname(file) ? 1 : 2);
  const named = apps.filter((app) => app.name?.toLowerCase() === name.toLowerCase() && kinds.includes(app.kind));
  return named.sort((a, b) => distance(a) - distance(b))[0];
}

// ---- Bicep

const BICEP_TYPES = new RegExp(`'(${Object.keys(TYPE_KINDS).filter((type) => type.startsWith('microsoft.')).map((type) => type.replace(/[./]/g, '\\$&')).join('|')})@`, 'i');

function readBicepApps(files: readonly string[], ctx: ReadContext, sites: readonly HostedAppDeclaration[]): DeclaredApp[] {
  const apps: DeclaredApp[] = [];
  for (const file of files) {
    if (!file.endsWith('.bicep')) continue;
    const text = ctx.files.read(file).text;
    const sitesHere = sites.filter((site) => site.location.file === file);
    if (text === undefined || (!BICEP_TYPES.test(text) && sitesHere.length === 0)) continue;
    const resources = ctx.isolate(file, path.basename(file), () => parseBicepFile(text).resources);
    if (!resources) continue;
    ctx.noteRead(file);
    for (const resource of resources) {
      const base = TYPE_KINDS[resource.type.toLowerCase()];
      if (!base || resource.existing) continue;
      const site = sitesHere.find((candidate) => candidate.symbol === resource.symbol);
      const facts = bicepFacts(resource, resources, file, text);
      const name = stringValue(bicepValueAt(resource.body, ['name'])) ?? site?.name;
      const requestTriggers = resource.type.toLowerCase() === WORKFLOWS ? bicepConsumptionTriggers(resource, name ?? resource.symbol, file, text, ctx) : undefined;
      apps.push({ kind: site?.kind ?? refineKind(base, stringValue(bicepValueAt(resource.body, ['kind']))), type: resource.type, symbol: resource.symbol, name, location: facts.declaredAt, facts, site, requestTriggers });
    }
    // Azure Verified Module sites (module calls): what the site readers read of them.
    for (const site of sitesHere.filter((candidate) => !resources.some((resource) => resource.symbol === candidate.symbol))) {
      apps.push({ kind: site.kind, type: 'Microsoft.Web/sites', symbol: site.symbol, name: site.name, location: site.location, facts: siteFacts(site, 'Microsoft.Web/sites'), site });
    }
  }
  return apps;
}

function stringValue(value: BicepValue | undefined): string | undefined {
  return value?.kind === 'string' && !value.value.includes('${') ? value.value : undefined;
}

/** What a site reader read, as the facts of a declaration. */
function siteFacts(site: HostedAppDeclaration, type: string): BackendResourceFacts {
  const notKnown: string[] = [];
  const known = (value: boolean | 'unknown', property: string) => (value === 'unknown' ? (notKnown.push(property), undefined) : value);
  const publicAccess = known(site.publicNetworkAccess, 'publicNetworkAccess');
  return {
    name: site.name ?? site.symbol ?? site.nameExpression ?? '(no name)',
    type,
    declaredAt: site.location,
    ...(publicAccess === false && { publicNetworkAccess: 'Disabled' as const }),
    accessRestricted: known(site.accessRestricted, 'ipSecurityRestrictions'),
    privateEndpoint: known(site.privateEndpoint, 'privateEndpoints'),
    appServiceAuth: known(site.requiresAuthentication, 'authsettingsV2'),
    notKnown,
  };
}

/** What a Bicep declaration writes about reaching the resource. */
function bicepFacts(resource: BicepResource, resources: readonly BicepResource[], file: string, text: string): BackendResourceFacts {
  const notKnown: string[] = [];
  const at = (...keys: string[]) => bicepValueAt(resource.body, keys);
  const literal = (value: BicepValue | undefined, name: string): string | boolean | number | null | undefined => {
    if (!value) return undefined;
    if (value.kind === 'literal') return value.value;
    const known = stringValue(value);
    if (known === undefined && (value.kind === 'string' || value.kind === 'expression')) notKnown.push(name);
    return known;
  };
  const facts: BackendResourceFacts = {
    name: stringValue(at('name')) ?? resource.symbol,
    type: resource.type,
    declaredAt: { file, span: resource.span },
    notKnown,
  };
  const access = literal(at('properties', 'publicNetworkAccess'), 'publicNetworkAccess') ?? literal(at('properties', 'siteConfig', 'publicNetworkAccess'), 'siteConfig.publicNetworkAccess');
  if (typeof access === 'string') facts.publicNetworkAccess = /^disabled$/i.test(access) ? 'Disabled' : 'Enabled';
  const external = literal(at('properties', 'configuration', 'ingress', 'external'), 'configuration.ingress.external');
  if (external === false) facts.publicNetworkAccess = 'Disabled';
  const denyByDefault = [at('properties', 'networkAcls', 'defaultAction'), at('properties', 'siteConfig', 'ipSecurityRestrictionsDefaultAction')].some((value) => /^deny$/i.test(String(literal(value, 'defaultAction') ?? '')));
  const restrictions = [at('properties', 'siteConfig', 'ipSecurityRestrictions'), at('properties', 'configuration', 'ingress', 'ipSecurityRestrictions')].some((value) => value?.kind === 'array' && value.items.length > 0);
  if (denyByDefault || restrictions) facts.accessRestricted = true;
  const identity = literal(at('identity', 'type'), 'identity.type');
  if (typeof identity === 'string') facts.managedIdentity = /assigned/i.test(identity);
  else if (!at('identity')) facts.managedIdentity = false;
  const refersTo = (other: BicepResource) => new RegExp(`\\b${resource.symbol}(\\[[^\\]]*\\])?\\.(id|name)\\b`).test(text.slice(other.span.start, other.span.end));
  facts.privateEndpoint = resources.some((other) => /^microsoft\.network\/privateendpoints$/i.test(other.type) && refersTo(other));
  if (/^microsoft\.(web\/sites|app\/containerapps)$/i.test(resource.type)) {
    const auth = resources.find((other) => isAuthConfig(other, resource));
    const require = auth && literal(bicepValueAt(auth.body, ['properties', 'globalValidation', 'requireAuthentication']), 'authsettingsV2.globalValidation.requireAuthentication');
    const enabled = auth && literal(bicepValueAt(auth.body, ['properties', 'platform', 'enabled']), 'authsettingsV2.platform.enabled');
    facts.appServiceAuth = require === true && enabled !== false;
  }
  return facts;
}

/**
 * The site's `Microsoft.Web/sites/config` named `authsettingsV2`, or the container app's `authConfigs`:
 * declared inside it, with `parent: it`, or named `'${it.name}/...'`.
 */
function isAuthConfig(other: BicepResource, site: BicepResource): boolean {
  const name = bicepValueAt(other.body, ['name']);
  const written = name?.kind === 'string' ? name.value : '';
  const isSiteAuth = /^(microsoft\.web\/sites\/)?config$/i.test(other.type) && /authsettingsv2/i.test(written);
  if (!isSiteAuth && !/^(microsoft\.app\/containerapps\/)?authconfigs$/i.test(other.type)) return false;
  const parent = bicepValueAt(other.body, ['parent']);
  return other.lexicalParent === site || (parent?.kind === 'expression' && parent.text.trim() === site.symbol) || written.includes(`\${${site.symbol}.name}`);
}

// ---- Terraform

const AZAPI = 'azapi_resource';

/** A Terraform file's resource blocks. */
type TerraformFile = { file: string; blocks: HclBlock[] };

function readTerraformApps(files: readonly string[], ctx: ReadContext, sites: readonly HostedAppDeclaration[]): DeclaredApp[] {
  const byFolder = new Map<string, TerraformFile[]>();
  for (const file of files) {
    if (!file.endsWith('.tf')) continue;
    const text = ctx.files.read(file).text;
    if (text === undefined || !/\b(azurerm_|azapi_resource)/.test(text)) continue;
    const blocks = ctx.isolate(file, path.basename(file), () => parseHcl(text).body.blocks.filter((block) => block.type === 'resource'));
    if (!blocks) continue;
    const inFolder = byFolder.get(path.dirname(file)) ?? [];
    inFolder.push({ file, blocks });
    byFolder.set(path.dirname(file), inFolder);
  }
  const apps: DeclaredApp[] = [];
  for (const folderFiles of byFolder.values()) {
    for (const { file, blocks } of folderFiles) {
      for (const block of blocks) {
        const [type, address] = block.labels;
        const symbol = `${type}.${address}`;
        const location = { file, span: block.span };
        if (type === AZAPI) {
          const written = literalString(attributeOf(block.body, 'type'))?.replace(/@.*$/, '');
          const kind = written ? TYPE_KINDS[written.toLowerCase()] : undefined;
          if (kind) apps.push({ kind, type: written!, symbol, name: literalString(attributeOf(block.body, 'name')), location, unread: `${symbol} is a ${written}; what its body says about reaching it is not read` });
          continue;
        }
        const base = TYPE_KINDS[type];
        if (!base) continue;
        ctx.noteRead(file);
        const site = sites.find((candidate) => candidate.location.file === file && candidate.symbol === symbol);
        const facts = terraformFacts(block, file, folderFiles);
        apps.push({ kind: site?.kind ?? refineKind(base, literalString(attributeOf(block.body, 'kind'))), type, symbol, name: literalString(attributeOf(block.body, 'name')) ?? site?.name, location, facts, site });
      }
    }
    addTerraformRequestTriggers(folderFiles, apps, ctx);
  }
  return apps;
}

const TERRAFORM_WORKFLOW = 'azurerm_logic_app_workflow';
const TERRAFORM_REQUEST_TRIGGER = 'azurerm_logic_app_trigger_http_request';
const TERRAFORM_CUSTOM_TRIGGER = 'azurerm_logic_app_trigger_custom';

/**
 * A Consumption workflow's Request triggers are resources of their own in Terraform, naming their
 * workflow by `logic_app_id`: each goes to the workflow of its module (folder) it names. A trigger
 * whose workflow or (custom trigger) type the files do not determine is said, as is one that `count = 0`
 * on it or its workflow leaves undeployed, and one read once for the instances `for_each` or `count` make.
 */
function addTerraformRequestTriggers(folderFiles: readonly TerraformFile[], apps: DeclaredApp[], ctx: ReadContext): void {
  const accessByWorkflow = new Map<DeclaredApp, TerraformAccessControl>();
  // The module's workflow blocks by address, once: each trigger looks its workflow's up.
  const workflowBlocks = new Map<string, { file: string; block: HclBlock }>();
  for (const { file, blocks } of folderFiles) {
    for (const block of blocks) {
      const symbol = `${TERRAFORM_WORKFLOW}.${block.labels[1]}`;
      // A duplicate address is Terraform's error; the first declaration is the one read, as declaredAs finds.
      if (block.labels[0] === TERRAFORM_WORKFLOW && !workflowBlocks.has(symbol)) workflowBlocks.set(symbol, { file, block });
    }
  }
  for (const { file, blocks } of folderFiles) {
    for (const block of blocks) {
      const [type, address] = block.labels;
      if (type !== TERRAFORM_REQUEST_TRIGGER && type !== TERRAFORM_CUSTOM_TRIGGER) continue;
      const symbol = `${type}.${address}`;
      if (type === TERRAFORM_CUSTOM_TRIGGER) {
        const triggerType = customTriggerType(attributeOf(block.body, 'body'));
        if (triggerType === undefined) {
          ctx.report([{ file, span: (attributeOf(block.body, 'body') ?? block).span, kind: 'unresolved-value', message: `The body of ${symbol} is computed: whether it is a Request trigger, called from outside, is not known from the files.` }]);
          continue;
        }
        if (triggerType.toLowerCase() !== 'request') continue;
      }
      ctx.noteRead(file);
      const workflowId = attributeOf(block.body, 'logic_app_id');
      // `azurerm_logic_app_workflow.x.id`, or an instance of it: `x[0].id`, `x[each.key].id`.
      const workflowSymbol = workflowId?.kind === 'traversal' && workflowId.root === TERRAFORM_WORKFLOW && workflowId.steps[0]?.kind === 'attribute' ? `${TERRAFORM_WORKFLOW}.${workflowId.steps[0].name}` : undefined;
      const workflow = workflowSymbol === undefined ? undefined : declaredAs(apps, workflowSymbol, file);
      if (!workflow) {
        const written = workflowId ? shorten(ctx.files.read(file).text?.slice(workflowId.span.start, workflowId.span.end) ?? '') : '(not written)';
        ctx.report([{ file, span: (workflowId ?? block).span, kind: 'unresolved-value', message: `The workflow of Request trigger ${symbol} (logic_app_id = ${written}) is not declared in its module: who may call it is not known from the files.` }]);
        continue;
      }
      const declaration = workflowBlocks.get(workflow.symbol!);
      const iterations = [block, declaration?.block].flatMap((resource) => {
        const iteration = resource && (attributeOf(resource.body, 'count') ? 'count' : attributeOf(resource.body, 'for_each') ? 'for_each' : undefined);
        return iteration ? [{ owner: resource === block ? symbol : workflow.symbol, iteration, zero: isZero(attributeOf(resource.body, 'count')) }] : [];
      });
      const off = iterations.find((iterated) => iterated.zero);
      if (off) {
        const why = off.owner === symbol ? 'count = 0: it is not deployed' : `its workflow ${off.owner} has count = 0: neither is deployed`;
        ctx.report([{ file, span: block.headerSpan, kind: 'skipped', message: `${symbol}: ${why}, and the Request trigger is not read.` }]);
        continue;
      }
      if (iterations.length > 0) {
        const owners = iterations.map(({ owner, iteration }) => `${owner} (${iteration})`).join(' and ');
        ctx.report([{ file, span: block.headerSpan, kind: 'unresolved-value', message: `${symbol} is read as one Request trigger for all the instances of ${owners}: how many there are, and their names, are not known from the files.` }]);
      }
      let access = accessByWorkflow.get(workflow);
      if (!access) {
        accessByWorkflow.set(workflow, (access = terraformAccessControl(declaration?.block)));
        if (access.dynamic && declaration) {
          ctx.report([{ file: declaration.file, span: access.dynamic.headerSpan, kind: 'unresolved-value', message: `The access control of ${workflow.symbol} is written by a dynamic "${access.dynamic.labels[0]}" block, which is not expanded: the OAuth policies and caller addresses it adds to its Request triggers' SAS URL are not known from the files.` }]);
        }
      }
      const name = literalString(attributeOf(block.body, 'name')) ?? address;
      const notKnown = access.dynamic && `what the dynamic "${access.dynamic.labels[0]}" block of ${workflow.symbol} adds (OAuth policies, caller addresses) is not known from the files`;
      const trigger = terraformConsumptionTrigger(workflow.name ?? workflowSymbol!, name, { file, span: block.headerSpan }, access.accessControl, notKnown);
      (workflow.requestTriggers ??= []).push(trigger);
    }
  }
}

/** `count = 0`, as written. */
function isZero(count: HclExpression | undefined): boolean {
  return count?.kind === 'literal' && count.value === 0;
}

/** A custom trigger's `type`, when its body is a heredoc of JSON or `jsonencode({...})` that writes it. */
function customTriggerType(body: HclExpression | undefined): string | undefined {
  if (body?.kind === 'call' && body.name === 'jsonencode' && body.args[0]?.kind === 'object') return literalString(body.args[0].items.find((item) => item.key === 'type')?.value);
  const text = literalString(body);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) && typeof parsed.type === 'string' ? parsed.type : undefined;
  } catch {
    return undefined;
  }
}

/** A workflow's access control in the ARM shape, and the first `dynamic` block of it, whose content is not read. */
interface TerraformAccessControl {
  accessControl?: Record<string, unknown>;
  dynamic?: HclBlock;
}

/**
 * A Terraform workflow's `access_control { trigger { ... } }` in the ARM shape that the other
 * Consumption readers evaluate. azurerm has no setting that turns SAS off, so an OAuth policy adds a
 * way in beside it; an address range the files do not determine stays `(not known)`.
 */
function terraformAccessControl(workflow: HclBlock | undefined): TerraformAccessControl {
  const dynamicOf = (body: HclBody, type: string) => body.blocks.find((candidate) => candidate.type === 'dynamic' && candidate.labels[0] === type);
  const accessControl = workflow && blocksOf(workflow.body, 'access_control')[0];
  const trigger = accessControl && blocksOf(accessControl.body, 'trigger')[0];
  const dynamic = workflow && (dynamicOf(workflow.body, 'access_control') ?? (accessControl && dynamicOf(accessControl.body, 'trigger')) ?? (trigger && dynamicOf(trigger.body, 'open_authentication_policy')));
  if (!trigger) return { dynamic };
  const ranges = attributeOf(trigger.body, 'allowed_caller_ip_address_range');
  const policies = blocksOf(trigger.body, 'open_authentication_policy');
  return {
    accessControl: {
      triggers: {
        allowedCallerIpAddresses: ranges?.kind === 'tuple' ? ranges.items.map((item) => ({ addressRange: literalString(item) })) : ranges ? [{}] : undefined,
        openAuthenticationPolicies: { policies: Object.fromEntries(policies.map((policy, index) => [literalString(attributeOf(policy.body, 'name')) ?? `policy ${index + 1}`, {}])) },
      },
    },
    dynamic,
  };
}

function attributeOf(body: HclBody, name: string): HclExpression | undefined {
  return body.attributes.find((candidate) => candidate.name === name)?.value;
}

function blocksOf(body: HclBody, type: string): HclBlock[] {
  return body.blocks.filter((block) => block.type === type);
}

/** What a Terraform resource block writes about reaching the resource. */
function terraformFacts(block: HclBlock, file: string, files: readonly TerraformFile[]): BackendResourceFacts {
  const notKnown: string[] = [];
  const boolean = (body: HclBody | undefined, name: string): boolean | undefined => {
    const value = body && attributeOf(body, name);
    if (!value) return undefined;
    if (value.kind === 'literal' && typeof value.value === 'boolean') return value.value;
    notKnown.push(name);
    return undefined;
  };
  const [type, address] = block.labels;
  const facts: BackendResourceFacts = { name: literalString(attributeOf(block.body, 'name')) ?? `${type}.${address}`, type, declaredAt: { file, span: block.span }, notKnown };
  const publicAccess = boolean(block.body, 'public_network_access_enabled');
  if (publicAccess !== undefined) facts.publicNetworkAccess = publicAccess ? 'Enabled' : 'Disabled';
  const ingress = blocksOf(block.body, 'ingress')[0];
  if (ingress && boolean(ingress.body, 'external_enabled') === false) facts.publicNetworkAccess = 'Disabled';
  const siteConfig = blocksOf(block.body, 'site_config')[0];
  const deny = (body: HclBody | undefined, name: string) => /^deny$/i.test(literalString(body && attributeOf(body, name)) ?? '');
  const rules = [...blocksOf(block.body, 'network_rules'), ...blocksOf(block.body, 'network_acls')];
  if ((siteConfig && (blocksOf(siteConfig.body, 'ip_restriction').length > 0 || deny(siteConfig.body, 'ip_restriction_default_action'))) || rules.some((rule) => deny(rule.body, 'default_action')) || (ingress && blocksOf(ingress.body, 'ip_security_restriction').length > 0)) {
    facts.accessRestricted = true;
  }
  const identity = blocksOf(block.body, 'identity')[0];
  facts.managedIdentity = identity !== undefined;
  if (/_(function|web)_app$|^azurerm_(app_service|function_app|logic_app_standard|container_app)$/.test(type)) {
    const v2 = blocksOf(block.body, 'auth_settings_v2')[0];
    const v1 = blocksOf(block.body, 'auth_settings')[0];
    facts.appServiceAuth = v2 ? boolean(v2.body, 'auth_enabled') === true && boolean(v2.body, 'require_authentication') !== false : v1 ? boolean(v1.body, 'enabled') === true : false;
  }
  // Labels are any text: compared as strings, never made into a pattern.
  const references = [`${type}.${address}.id`, `${type}.${address}[].id`];
  facts.privateEndpoint = files.some(({ blocks }) => blocks.some((other) => other.labels[0] === 'azurerm_private_endpoint' && blockMentions(other, references)));
  return facts;
}

function blockMentions(block: HclBlock, references: readonly string[]): boolean {
  const mentions = (text: string) => text.split(' ').some((part) => references.includes(part));
  const walk = (body: HclBody): boolean => body.attributes.some((item) => mentions(expressionText(item.value))) || body.blocks.some((child) => walk(child.body));
  return walk(block.body);
}

/** An expression's references as text, enough to find `type.name.id` in it. */
function expressionText(expression: HclExpression): string {
  switch (expression.kind) {
    case 'traversal':
      return [expression.root, ...expression.steps.map((step) => (step.kind === 'attribute' ? step.name : '[]'))].join('.').replace(/\.\[\]/g, '[]');
    case 'template':
      return expression.parts.map((part) => (part.kind === 'interpolation' ? expressionText(part.expression) : '')).join(' ');
    case 'tuple':
      return expression.items.map(expressionText).join(' ');
    case 'call':
      return expression.args.map(expressionText).join(' ');
    default:
      return '';
  }
}

// ---- ARM templates

const SITE_CONFIG = 'microsoft.web/sites/config';
const CONTAINER_APP_AUTH = 'microsoft.app/containerapps/authconfigs';
const PRIVATE_ENDPOINT = 'microsoft.network/privateendpoints';
const ARM_TYPES = new Set([...Object.keys(TYPE_KINDS).filter((type) => type.startsWith('microsoft.') && type !== 'microsoft.apimanagement/service'), SITE_CONFIG, CONTAINER_APP_AUTH, PRIVATE_ENDPOINT]);
const ARM_MENTIONS = new RegExp(`"(${[...ARM_TYPES].filter((type) => type.split('/').length === 2).map((type) => type.replace(/[./]/g, '\\$&')).join('|')})"`, 'i');

function readArmApps(files: readonly string[], ctx: ReadContext): DeclaredApp[] {
  const resources = readTemplateResources(files, ctx, ARM_MENTIONS, (type) => ARM_TYPES.has(type.toLowerCase()));
  const apps: DeclaredApp[] = [];
  for (const resource of resources) {
    const base = TYPE_KINDS[resource.type.toLowerCase()];
    if (!base) continue;
    const declaredKind = resource.evaluate('kind');
    const kind = refineKind(base, typeof declaredKind === 'string' ? declaredKind : undefined);
    const name = resource.names[resource.names.length - 1];
    const facts = armFacts(resource, resources, name);
    const location = { file: resource.file, span: resource.span };
    const site = base === 'app-service' && (kind === 'function-app' || kind === 'logic-app') ? armSite(resource, facts, kind, name) : undefined;
    const requestTriggers = resource.type.toLowerCase() === WORKFLOWS ? armConsumptionTriggers(resource, name ?? resource.nameText) : undefined;
    apps.push({ kind, type: resource.type, name, nameText: resource.nameText, location, facts, site, requestTriggers });
    const report = (message: string) => ctx.report([{ file: resource.file, span: resource.spanOf(['name']), kind: 'unresolved-value', message }]);
    if (name === undefined) report(`The name of this ${resource.type} resource (${resource.nameText}) cannot be evaluated from the repository: a backend URL is not matched to it by its host name.`);
    if (facts.notKnown.length > 0) report(`${facts.notKnown.join(', ')} of this ${resource.type} resource cannot be evaluated from the repository: whether it can be called without the gateway is not concluded.`);
  }
  return apps;
}

/** A value at `keys` below an evaluated ARM value (keys compared without case, as ARM does). */
function armAt(value: ArmValue | undefined, ...keys: string[]): ArmValue | undefined {
  let current = value;
  for (const key of keys) {
    if (current === undefined || !isPlainObject(current)) return undefined;
    const found = Object.keys(current).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    current = found === undefined ? undefined : current[found];
  }
  return current;
}

const isUnknown = (value: ArmValue | undefined) => value instanceof Unknown || value instanceof PartialString;

/** The expression inside a name written `[...]`, which a `resourceId(...)` elsewhere repeats. */
function nameExpression(nameText: string): string {
  return /^\[(.*)\]$/s.exec(nameText.trim())?.[1].trim() ?? nameText;
}

/** Whether `child` (a site's config, a container app's auth config) is `resource`'s: nested in it, or named below it. */
function isChildOf(child: TemplateResource, resource: TemplateResource, name: string | undefined): boolean {
  if (child.file === resource.file && child.span.start > resource.span.start && child.span.end <= resource.span.end) return true;
  return name !== undefined ? child.names[0] === name : child.nameText.includes(nameExpression(resource.nameText));
}

/** Whether a private endpoint's text names `resource`: its type, and its name or the expression its name is written as. */
function pointsAt(endpoint: TemplateResource, resource: TemplateResource, name: string | undefined): boolean {
  const text = endpoint.text;
  return text.toLowerCase().includes(resource.type.toLowerCase()) && (text.includes(nameExpression(resource.nameText)) || (name !== undefined && text.includes(`'${name}'`)));
}

/** What an ARM template declares about reaching the resource: its properties, its identity, its site configs and authentication, the private endpoints pointing at it. */
function armFacts(resource: TemplateResource, resources: readonly TemplateResource[], name: string | undefined): BackendResourceFacts {
  const notKnown: string[] = [];
  const facts: BackendResourceFacts = { name: name ?? resource.nameText, type: resource.type, declaredAt: { file: resource.file, span: resource.span }, notKnown };
  const properties = resource.evaluate('properties');
  const known = (value: ArmValue | undefined, property: string): ArmValue | undefined => (isUnknown(value) ? (notKnown.push(property), undefined) : value);
  const children = (type: string, childName: string) => resources.filter((other) => other.type.toLowerCase() === type && other.names[other.names.length - 1]?.toLowerCase() === childName.toLowerCase() && isChildOf(other, resource, name));
  const webConfigs = children(SITE_CONFIG, 'web').map((config) => config.evaluate('properties'));
  const access = known(armAt(properties, 'publicNetworkAccess') ?? armAt(properties, 'siteConfig', 'publicNetworkAccess') ?? webConfigs.map((config) => armAt(config, 'publicNetworkAccess')).find((value) => value !== undefined), 'publicNetworkAccess');
  if (typeof access === 'string') facts.publicNetworkAccess = /^disabled$/i.test(access) ? 'Disabled' : 'Enabled';
  if (known(armAt(properties, 'configuration', 'ingress', 'external'), 'configuration.ingress.external') === false) facts.publicNetworkAccess = 'Disabled';
  const siteConfigs = [armAt(properties, 'siteConfig'), ...webConfigs];
  const denyByDefault = [armAt(properties, 'networkAcls', 'defaultAction'), ...siteConfigs.map((config) => armAt(config, 'ipSecurityRestrictionsDefaultAction'))].some((value) => /^deny$/i.test(String(known(value, 'defaultAction') ?? '')));
  const rules = [...siteConfigs.map((config) => armAt(config, 'ipSecurityRestrictions')), armAt(properties, 'configuration', 'ingress', 'ipSecurityRestrictions')].map((value) => known(value, 'ipSecurityRestrictions'));
  if (denyByDefault || rules.some((value) => Array.isArray(value) && value.some((rule) => !allowsAll(rule)))) facts.accessRestricted = true;
  const identity = resource.evaluate('identity');
  const identityType = known(armAt(identity, 'type'), 'identity.type');
  facts.managedIdentity = typeof identityType === 'string' && /assigned/i.test(identityType);
  facts.privateEndpoint = resources.some((other) => other.type.toLowerCase() === PRIVATE_ENDPOINT && pointsAt(other, resource, name));
  if (/^microsoft\.(web\/sites|app\/containerapps)$/i.test(resource.type)) {
    const auth = [...children(SITE_CONFIG, 'authsettingsV2'), ...children(CONTAINER_APP_AUTH, 'current')][0];
    facts.appServiceAuth = auth ? armAuthentication(auth.evaluate('properties'), notKnown) : false;
  }
  return facts;
}

/** App Service's implicit last rule, which exported templates write out: `Allow` from `Any` restricts nothing. */
function allowsAll(rule: ArmValue): boolean {
  return /^allow$/i.test(String(armAt(rule, 'action') ?? 'Allow')) && /^any$/i.test(String(armAt(rule, 'ipAddress') ?? ''));
}

/** authsettingsV2's (or authConfigs') properties: authentication on, rejecting unauthenticated calls. */
function armAuthentication(properties: ArmValue, notKnown: string[]): boolean | undefined {
  const enabled = armAt(properties, 'platform', 'enabled');
  const required = armAt(properties, 'globalValidation', 'requireAuthentication');
  const action = armAt(properties, 'globalValidation', 'unauthenticatedClientAction');
  if (enabled === false) return false;
  if (required === true || (typeof action === 'string' && REJECTING_ACTIONS.has(action.toLowerCase()))) return isUnknown(enabled) ? (notKnown.push('authsettingsV2.platform.enabled'), undefined) : true;
  if ([enabled, required, action].some(isUnknown)) return (notKnown.push('authsettingsV2'), undefined);
  return false;
}

/** A Function App or Logic App site of an ARM template, as hosted code is mapped to it. */
function armSite(resource: TemplateResource, facts: BackendResourceFacts, kind: 'function-app' | 'logic-app', name: string | undefined): HostedAppDeclaration {
  const unknown = (property: string) => facts.notKnown.some((entry) => entry.startsWith(property));
  const tag = armAt(resource.evaluate('tags'), 'azd-service-name');
  return {
    ...(name !== undefined ? { name } : { nameExpression: resource.nameText }),
    kind,
    location: facts.declaredAt,
    azdServiceName: typeof tag === 'string' ? tag : undefined,
    requiresAuthentication: unknown('authsettingsV2') ? 'unknown' : facts.appServiceAuth === true,
    publicNetworkAccess: unknown('publicNetworkAccess') ? 'unknown' : facts.publicNetworkAccess !== 'Disabled',
    accessRestricted: unknown('ipSecurityRestrictions') || unknown('defaultAction') ? 'unknown' : facts.accessRestricted === true,
    privateEndpoint: facts.privateEndpoint === true,
  };
}
