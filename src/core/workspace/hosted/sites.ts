// Function Apps and Logic Apps (Standard) that infrastructure code declares, with what decides
// whether their triggers can be called straight from the internet: App Service authentication,
// public network access, access restrictions, private endpoints. One reader per format: Bicep
// (`Microsoft.Web/sites` and the Azure Verified Module `avm/res/web/site`) and Terraform
// (`azurerm_linux_function_app`, `azurerm_windows_function_app`, `azurerm_function_app_flex_consumption`,
// `azurerm_logic_app_standard`); ARM templates' sites are read with the other declared apps
// (declaredApps.ts). Values are read where they are written or from a param's default
// (or the one literal every module call passes); anything else is 'unknown', never guessed.
import * as path from 'path';
import type { HostedAppDeclaration } from '../../model';
import { bicepValueAt, parseBicepFile, type BicepFile, type BicepValue } from '../bicepParser';
import type { ReadContext } from '../context';
import { literalString, parseHcl, type HclBlock, type HclBody, type HclExpression } from '../hclParser';

type Known<T> = T | 'unknown';
/** App Service authentication's answers to an unauthenticated call that reject it. */
export const REJECTING_ACTIONS: ReadonlySet<string> = new Set(['return401', 'return403', 'redirecttologinpage']);
const AZD_TAG = 'azd-service-name';
const AVM_SITE = /avm\/res\/web\/site:/i;

/** The sites every Bicep and Terraform file among `files` declares. */
export function readSiteDeclarations(files: readonly string[], ctx: ReadContext): HostedAppDeclaration[] {
  return [...readBicepSites(files, ctx), ...readTerraformSites(files, ctx)];
}

function kindOf(kind: string | undefined): HostedAppDeclaration['kind'] | undefined {
  const lower = kind?.toLowerCase() ?? '';
  return lower.includes('workflowapp') ? 'logic-app' : lower.includes('functionapp') ? 'function-app' : undefined;
}

// ---- Bicep

function readBicepSites(files: readonly string[], ctx: ReadContext): HostedAppDeclaration[] {
  const bicepFiles = files.filter((file) => file.endsWith('.bicep'));
  const parse = (file: string) => {
    const text = ctx.files.read(file).text;
    const bicep = text === undefined ? undefined : ctx.isolate(file, path.basename(file), () => parseBicepFile(text));
    return text === undefined || !bicep ? undefined : { text, bicep };
  };
  // Files that declare sites; the files calling modules are parsed only when a site's name is a param without a default.
  const parsed = new Map<string, { text: string; bicep: BicepFile }>();
  for (const file of bicepFiles) {
    const text = ctx.files.read(file).text;
    const source = text !== undefined && (text.includes('Microsoft.Web/sites') || AVM_SITE.test(text)) ? parse(file) : undefined;
    if (source) parsed.set(file, source);
  }
  let callers: Map<string, { bicep: BicepFile }> | undefined;
  const moduleCallers = () =>
    (callers ??= new Map(
      bicepFiles.flatMap((file) => {
        if (parsed.has(file)) return [[file, parsed.get(file)!] as const];
        const source = (ctx.files.read(file).text ?? '').includes('module ') ? parse(file) : undefined;
        return source ? [[file, source] as const] : [];
      }),
    ));
  const sites: HostedAppDeclaration[] = [];
  for (const [file, { text, bicep }] of parsed) {
    const resolve = (value: BicepValue | undefined) => resolveBicepString(value, file, bicep, moduleCallers);
    const privateEndpointTexts = bicep.resources.filter((resource) => resource.type.toLowerCase() === 'microsoft.network/privateendpoints').map((resource) => text.slice(resource.span.start, resource.span.end));
    for (const resource of bicep.resources) {
      if (resource.existing || resource.type.toLowerCase() !== 'microsoft.web/sites' || !resource.body) continue;
      const kind = kindOf(resolve(bicepValueAt(resource.body, ['kind'])));
      if (!kind) continue;
      ctx.noteRead(file);
      const properties = bicepValueAt(resource.body, ['properties']);
      const parent = (child: (typeof bicep.resources)[number]) => {
        const written = bicepValueAt(child.body, ['parent']);
        return written?.kind === 'expression' ? written.text : undefined;
      };
      const authConfig = bicep.resources.find(
        (child) =>
          ((child.lexicalParent === resource && child.type.toLowerCase() === 'config') || (child.type.toLowerCase() === 'microsoft.web/sites/config' && parent(child) === resource.symbol)) &&
          resolve(bicepValueAt(child.body, ['name']))?.toLowerCase() === 'authsettingsv2',
      );
      const authProperties = authConfig && bicepValueAt(authConfig.body, ['properties']);
      sites.push({
        ...named(resolve(bicepValueAt(resource.body, ['name'])), bicepValueAt(resource.body, ['name']), text),
        symbol: resource.symbol,
        kind,
        location: { file, span: resource.span },
        azdServiceName: azdTag(bicepValueAt(resource.body, ['tags']), resolve),
        requiresAuthentication: authConfig ? bicepAuthentication(authProperties) : false,
        publicNetworkAccess: publicAccess(bicepValueAt(properties, ['publicNetworkAccess']), resolve),
        accessRestricted: restricted(bicepValueAt(properties, ['siteConfig', 'ipSecurityRestrictions'])),
        privateEndpoint: privateEndpointTexts.some((endpoint) => endpoint.includes(`${resource.symbol}.id`)),
      });
    }
    for (const module of bicep.modules) {
      if (!AVM_SITE.test(module.path) || !module.body) continue;
      const params = bicepValueAt(module.body, ['params']);
      const kind = kindOf(resolve(bicepValueAt(params, ['kind'])));
      if (!kind) continue;
      ctx.noteRead(file);
      const configs = bicepValueAt(params, ['configs']);
      const authConfig = configs?.kind === 'array' ? configs.items.find((item) => resolve(bicepValueAt(item, ['name']))?.toLowerCase() === 'authsettingsv2') : undefined;
      const authProperties = bicepValueAt(params, ['authSettingV2Configuration']) ?? bicepValueAt(authConfig, ['properties']);
      const privateEndpoints = bicepValueAt(params, ['privateEndpoints']);
      sites.push({
        ...named(resolve(bicepValueAt(params, ['name'])), bicepValueAt(params, ['name']), text),
        symbol: module.symbol,
        kind,
        location: { file, span: module.span },
        azdServiceName: azdTag(bicepValueAt(params, ['tags']), resolve),
        requiresAuthentication: authProperties ? bicepAuthentication(authProperties) : configs?.kind === 'expression' ? 'unknown' : false,
        publicNetworkAccess: publicAccess(bicepValueAt(params, ['publicNetworkAccess']), resolve),
        accessRestricted: restricted(bicepValueAt(params, ['siteConfig', 'ipSecurityRestrictions'])),
        privateEndpoint: privateEndpoints === undefined ? false : privateEndpoints.kind === 'array' ? privateEndpoints.items.length > 0 : 'unknown',
      });
    }
  }
  return sites;
}

/**
 * A string a Bicep value holds: a literal, or a param or var of the file holding a literal (a param's
 * default, else the one literal every module call of the file passes it).
 */
function resolveBicepString(value: BicepValue | undefined, file: string, bicep: BicepFile, callers: () => ReadonlyMap<string, { bicep: BicepFile }>): string | undefined {
  if (value?.kind === 'string') return value.value;
  if (value?.kind !== 'expression' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.text)) return undefined;
  const binding = bicep.params.get(value.text) ?? bicep.vars.get(value.text);
  if (binding?.value?.kind === 'string') return binding.value.value;
  if (!bicep.params.has(value.text) || binding?.value !== undefined) return undefined;
  const passed = new Set<string | undefined>();
  for (const [caller, { bicep: callerBicep }] of callers()) {
    for (const module of callerBicep.modules) {
      if (path.resolve(path.dirname(caller), module.path) !== file) continue;
      const argument = bicepValueAt(module.body, ['params', value.text]);
      passed.add(argument?.kind === 'string' ? argument.value : undefined);
    }
  }
  return passed.size === 1 ? [...passed][0] : undefined;
}

function named(name: string | undefined, written: BicepValue | undefined, text: string): Pick<HostedAppDeclaration, 'name' | 'nameExpression'> {
  return name !== undefined ? { name } : { nameExpression: written ? text.slice(written.span.start, written.span.end) : '(no name)' };
}

/** The `azd-service-name` tag: in an object literal, or inside an expression (`union(tags, { 'azd-service-name': serviceName })`). */
function azdTag(tags: BicepValue | undefined, resolve: (value: BicepValue | undefined) => string | undefined): string | undefined {
  if (tags?.kind === 'object') return resolve(tags.properties.get(AZD_TAG)?.value);
  if (tags?.kind !== 'expression') return undefined;
  const at = tags.text.indexOf(`'${AZD_TAG}'`);
  if (at === -1) return undefined;
  const rest = tags.text.slice(at + AZD_TAG.length + 2).replace(/^\s*:\s*/, '');
  const literal = /^'([^'\n]*)'/.exec(rest);
  if (literal) return literal[1];
  const identifier = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
  return identifier ? resolve({ kind: 'expression', span: tags.span, text: identifier[0] }) : undefined;
}

/** authsettingsV2's properties: App Service authentication on, rejecting unauthenticated calls. */
function bicepAuthentication(properties: BicepValue | undefined): Known<boolean> {
  if (properties === undefined) return false;
  if (properties.kind !== 'object') return 'unknown';
  const enabled = bicepValueAt(properties, ['platform', 'enabled']);
  if (enabled?.kind === 'literal' && enabled.value === false) return false;
  const required = bicepValueAt(properties, ['globalValidation', 'requireAuthentication']);
  const action = bicepValueAt(properties, ['globalValidation', 'unauthenticatedClientAction']);
  if ((required?.kind === 'literal' && required.value === true) || (action?.kind === 'string' && REJECTING_ACTIONS.has(action.value.toLowerCase()))) return true;
  return required?.kind === 'expression' || action?.kind === 'expression' || enabled?.kind === 'expression' ? 'unknown' : false;
}

function publicAccess(value: BicepValue | undefined, resolve: (value: BicepValue | undefined) => string | undefined): Known<boolean> {
  if (value === undefined) return true;
  const resolved = resolve(value);
  return resolved === undefined ? 'unknown' : resolved.toLowerCase() !== 'disabled';
}

function restricted(rules: BicepValue | undefined): Known<boolean> {
  if (rules === undefined) return false;
  return rules.kind === 'array' ? rules.items.length > 0 : 'unknown';
}

// ---- Terraform

const TERRAFORM_SITES: Record<string, HostedAppDeclaration['kind']> = {
  azurerm_linux_function_app: 'function-app',
  azurerm_windows_function_app: 'function-app',
  azurerm_function_app: 'function-app',
  azurerm_function_app_flex_consumption: 'function-app',
  azurerm_logic_app_standard: 'logic-app',
};

function readTerraformSites(files: readonly string[], ctx: ReadContext): HostedAppDeclaration[] {
  const parsed: { file: string; text: string; body: HclBody }[] = [];
  for (const file of files) {
    if (!file.endsWith('.tf')) continue;
    const text = ctx.files.read(file).text;
    if (text === undefined || !Object.keys(TERRAFORM_SITES).some((type) => text.includes(type))) continue;
    const hcl = ctx.isolate(file, path.basename(file), () => parseHcl(text));
    if (hcl) parsed.push({ file, text, body: hcl.body });
  }
  const privateEndpointTexts = parsed.flatMap(({ text, body }) =>
    body.blocks.filter((block) => block.type === 'resource' && block.labels[0] === 'azurerm_private_endpoint').map((block) => text.slice(block.span.start, block.span.end)),
  );
  // Variables with a literal default, by folder: a site's name is often `var.function_app_name`.
  const defaults = new Map<string, string>();
  for (const { file, body } of parsed) {
    for (const block of body.blocks) {
      const value = block.type === 'variable' ? literalString(attribute(block.body, 'default')) : undefined;
      if (value !== undefined) defaults.set(`${path.dirname(file)}\0${block.labels[0]}`, value);
    }
  }
  const sites: HostedAppDeclaration[] = [];
  for (const { file, text, body } of parsed) {
    const resolve = (expression: HclExpression | undefined) =>
      literalString(expression) ?? (expression?.kind === 'traversal' && expression.root === 'var' && expression.steps.length === 1 && expression.steps[0].kind === 'attribute' ? defaults.get(`${path.dirname(file)}\0${expression.steps[0].name}`) : undefined);
    for (const block of body.blocks) {
      const kind = block.type === 'resource' ? TERRAFORM_SITES[block.labels[0]] : undefined;
      if (!kind) continue;
      ctx.noteRead(file);
      const address = `${block.labels[0]}.${block.labels[1]}`;
      const nameExpression = attribute(block.body, 'name');
      const name = resolve(nameExpression);
      const tags = attribute(block.body, 'tags');
      const publicAccessValue = attribute(block.body, 'public_network_access_enabled');
      const siteConfig = block.body.blocks.find((child) => child.type === 'site_config');
      sites.push({
        ...(name !== undefined ? { name } : { nameExpression: nameExpression ? text.slice(nameExpression.span.start, nameExpression.span.end) : '(no name)' }),
        symbol: address,
        kind,
        location: { file, span: block.span },
        azdServiceName: tags?.kind === 'object' ? resolve(tags.items.find((item) => item.key === AZD_TAG)?.value) : undefined,
        requiresAuthentication: terraformAuthentication(block),
        publicNetworkAccess: publicAccessValue === undefined ? true : publicAccessValue.kind === 'literal' && typeof publicAccessValue.value === 'boolean' ? publicAccessValue.value : 'unknown',
        accessRestricted: siteConfig ? siteConfig.body.blocks.some((child) => child.type === 'ip_restriction') || attribute(siteConfig.body, 'ip_restriction') !== undefined : false,
        privateEndpoint: privateEndpointTexts.some((endpoint) => endpoint.includes(`${address}.id`)),
      });
    }
  }
  return sites;
}

function attribute(body: HclBody, name: string): HclExpression | undefined {
  return body.attributes.find((candidate) => candidate.name === name)?.value;
}

/** `auth_settings_v2` (or the older `auth_settings`): on, and rejecting unauthenticated calls. */
function terraformAuthentication(site: HclBlock): Known<boolean> {
  const literal = (expression: HclExpression | undefined): unknown => (expression?.kind === 'literal' ? expression.value : (literalString(expression) ?? (expression ? 'unknown' : undefined)));
  const v2 = site.body.blocks.find((block) => block.type === 'auth_settings_v2');
  if (v2) {
    const enabled = literal(attribute(v2.body, 'auth_enabled'));
    const required = literal(attribute(v2.body, 'require_authentication'));
    const action = literal(attribute(v2.body, 'unauthenticated_action'));
    if (enabled === false) return false;
    if (required === true || (typeof action === 'string' && REJECTING_ACTIONS.has(action.toLowerCase()))) return enabled === 'unknown' ? 'unknown' : true;
    return [enabled, required, action].includes('unknown') ? 'unknown' : false;
  }
  const v1 = site.body.blocks.find((block) => block.type === 'auth_settings');
  if (!v1) return false;
  const enabled = literal(attribute(v1.body, 'enabled'));
  const action = literal(attribute(v1.body, 'unauthenticated_client_action'));
  if (enabled === true && typeof action === 'string' && REJECTING_ACTIONS.has(action.toLowerCase())) return true;
  return [enabled, action].includes('unknown') ? 'unknown' : false;
}

