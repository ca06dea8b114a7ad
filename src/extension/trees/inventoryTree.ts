// API Inventory: service (one per APIOps root) → APIs (revisions, versions) → operations, and products, subscriptions,
// backends and named values, with each one's authentication state, protocols and finding count; with a
// snapshot of Azure, where each API is deployed and the deployed APIs the repository does not have.
import * as path from 'path';
import * as vscode from 'vscode';
import { displaySafe } from './displaySafe';
import type { DeployedApi } from '../../core/azure/snapshot';
import type { Finding } from '../../core/findings';
import type { ApiResource, ApimService, OperationResource, RepositoryLayout } from '../../core/model';
import { serviceLabel } from '../../core/report/common';
import { boundedCoverage } from '../../core/report/coverage';
import type { ScanResult } from '../../core/report/scanResult';
import type { SourceLocation } from '../../core/text';
import { authLabel } from '../codeLens';
import type { Ctx, FolderAnalysis } from '../ctx';
import { rangeOf } from '../diagnostics';

/** One service of a folder's analysis: a repository may hold several (an APIOps root per environment). */
interface ServiceScope {
  analysis: FolderAnalysis;
  service: ApimService;
  /** The service's root relative to the folder when the folder holds several; its findings carry it. */
  serviceRoot?: string;
}

// Every node is of one service: commands given a node (Onboard API, Open in Portal) read its `analysis`.
type Node = ServiceScope &
  (
    | { kind: 'service' }
    | { kind: 'group'; group: Group }
    | { kind: 'api'; api: ApiResource }
    | { kind: 'operation'; api: ApiResource; operation: OperationResource }
    | { kind: 'resource'; id: string; label: string; description?: string; location: SourceLocation; icon: string }
    /** Something not read, with why; `file` when there is one to open. */
    | { kind: 'notRead'; label: string; reason: string; file?: string }
  );

type Group = 'apis' | 'products' | 'subscriptions' | 'backends' | 'namedValues' | 'fragments' | 'onlyInAzure' | 'notRead';

const GROUP_LABELS: Record<Group, { label: string; icon: string }> = {
  apis: { label: 'APIs', icon: 'symbol-interface' },
  products: { label: 'Products', icon: 'package' },
  subscriptions: { label: 'Subscriptions', icon: 'key' },
  backends: { label: 'Backends', icon: 'server' },
  namedValues: { label: 'Named values', icon: 'symbol-constant' },
  fragments: { label: 'Policy fragments', icon: 'symbol-snippet' },
  onlyInAzure: { label: 'Only in Azure', icon: 'cloud' },
  notRead: { label: 'Not read', icon: 'eye-closed' },
};

export class InventoryTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => this.changed.fire());
  }

  getChildren(node?: Node): Node[] {
    const scopes = this.ctx.folderAnalyses.flatMap((analysis) =>
      analysis.result.services.filter((service) => !isEmpty(service)).map((service) => ({ analysis, service, serviceRoot: serviceLabel(analysis.result.root, analysis.result.services, service) })),
    );
    if (!node) return scopes.length === 1 ? groupsOf(scopes[0]) : scopes.map((scope) => ({ ...scope, kind: 'service' }));
    switch (node.kind) {
      case 'service':
        return groupsOf(node);
      case 'group':
        return childrenOf(node, node.group);
      case 'api':
        return node.api.operations.map((operation) => ({ ...scopeOf(node), kind: 'operation', api: node.api, operation }));
      default:
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return displaySafe(this.itemOf(node));
  }

  private itemOf(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'service': {
        const { analysis, service, serviceRoot } = node;
        const item = new vscode.TreeItem(serviceRoot === undefined ? analysis.folder.name : `${analysis.folder.name}: ${serviceRoot}`, vscode.TreeItemCollapsibleState.Expanded);
        item.description = `${service.layout} · ${service.apis.length} APIs`;
        item.iconPath = new vscode.ThemeIcon('cloud');
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(GROUP_LABELS[node.group].label, node.group === 'apis' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(GROUP_LABELS[node.group].icon);
        item.description = String(childrenOf(node, node.group).length);
        return item;
      }
      case 'api':
        return apiItem(node, node.api);
      case 'operation':
        return operationItem(node, node.api, node.operation);
      case 'resource': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.command = openCommand(node.analysis.result, node.location);
        item.contextValue = 'resource';
        return item;
      }
      case 'notRead': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.reason;
        item.tooltip = `${node.label}\n${node.reason}`;
        item.iconPath = new vscode.ThemeIcon(node.file ? 'file' : 'info');
        if (node.file) item.command = openCommand(node.analysis.result, { file: node.file, span: { start: 0, end: 0 } });
        return item;
      }
    }
  }
}

/** Just the scope of a node, for its children: not its kind or other fields. */
function scopeOf({ analysis, service, serviceRoot }: ServiceScope): ServiceScope {
  return { analysis, service, serviceRoot };
}

function isEmpty(service: ApimService): boolean {
  return service.apis.length === 0 && service.products.length === 0 && !service.policy;
}

function groupsOf(scope: ServiceScope): Node[] {
  const service = scope.service;
  const groups: Group[] = ['apis'];
  if (service.products.length) groups.push('products');
  if (service.subscriptions.length) groups.push('subscriptions');
  if (service.backends.length) groups.push('backends');
  if (service.namedValues.length) groups.push('namedValues');
  if (service.fragments.length) groups.push('fragments');
  if (deployedOnly(scope).length) groups.push('onlyInAzure');
  // Coverage is the whole scan's: shown once, under the folder's first service.
  if (scope.service === scope.analysis.result.services[0] && notReadNodes(scope).length) groups.push('notRead');
  return groups.map((group) => ({ ...scopeOf(scope), kind: 'group', group }));
}

function childrenOf(scope: ServiceScope, group: Group): Node[] {
  const service = scope.service;
  const resource = (id: string, label: string, location: SourceLocation, icon: string, description?: string): Node => ({ ...scopeOf(scope), kind: 'resource', id, label, location, icon, description: withFindings(scope, id, description) });
  switch (group) {
    case 'apis':
      return service.apis.map((api) => ({ ...scopeOf(scope), kind: 'api', api }));
    case 'products':
      return service.products.map((product) => resource(product.id, product.displayName ?? product.name, product.declaration.locate([]), 'package', `${product.subscriptionRequired?.value === false ? 'open' : 'key required'} · ${product.apiNames.length} APIs`));
    case 'subscriptions':
      return service.subscriptions.map((subscription) => resource(subscription.id, subscription.displayName ?? subscription.name, subscription.declaration.locate(['scope']), 'key', `${subscription.scope?.value ?? ''} · ${subscription.state?.value ?? ''}`));
    case 'backends':
      return service.backends.map((backend) => resource(backend.id, backend.name, backend.declaration.locate(['url']), 'server', backend.url));
    case 'namedValues':
      return service.namedValues.map((namedValue) => resource(namedValue.id, namedValue.displayName ?? namedValue.name, namedValue.declaration.locate([]), namedValue.keyVaultSecretIdentifier ? 'lock' : namedValue.secret?.value ? 'unlock' : 'symbol-constant', namedValue.keyVaultSecretIdentifier ? 'Key Vault' : namedValue.secret?.value ? 'secret' : undefined));
    case 'fragments':
      return service.fragments.map((fragment) => resource(fragment.id, fragment.name, fragment.policy ? { file: fragment.policy.file, span: { start: 0, end: 0 } } : fragment.declaration.locate([]), 'symbol-snippet'));
    case 'notRead':
      return notReadNodes(scope);
    case 'onlyInAzure':
      return deployedOnly(scope).map(({ api, location, onboarded }) =>
        resource(`apis/${api.name}`, api.displayName ?? api.name, location, 'cloud', [api.path !== undefined ? `/${api.path}` : undefined, api.protocols?.join('+'), onboarded ? 'onboarded' : undefined].filter(Boolean).join(' · ')),
      );
  }
}

/** What the scan did not read, with why: files (to open), values not known, paths excluded or skipped; bounded like a report. */
function notReadNodes(scope: ServiceScope): Node[] {
  const { root, coverage } = scope.analysis.result;
  const bounded = boundedCoverage(coverage);
  const node = (label: string, reason: string, file?: string): Node => ({ ...scopeOf(scope), kind: 'notRead', label, reason, file });
  const more = (omitted: number | undefined) => (omitted ? [node(`and ${omitted} more`, '`apim-posture scan --coverage` lists them all')] : []);
  return [
    ...bounded.notRead.map((entry) => node(entry.file, entry.reason, path.join(root, entry.file))),
    ...more(bounded.notReadOmitted),
    ...(coverage.unresolvedValues ? [node(`${coverage.unresolvedValues} value${coverage.unresolvedValues === 1 ? '' : 's'} not known from the files`, 'each is an input problem in the Problems panel')] : []),
    ...bounded.excluded.map((excluded) => node(excluded, 'excluded by the exclude setting')),
    ...more(bounded.excludedOmitted),
    ...bounded.skipped.map((skipped) => node(skipped.path, skipped.reason)),
    ...more(bounded.skippedOmitted),
    ...(coverage.folderListed ? [] : [node('Files beside the spec', 'only the spec named and what it $refs were read')]),
  ];
}

/** Deployed APIs of the mapped service that no local API maps to (the Echo API a portal created, say), located in the snapshot. */
function deployedOnly(scope: ServiceScope): { api: DeployedApi; location: SourceLocation; onboarded: boolean }[] {
  const deployed = scope.analysis.result.deployed?.find((comparison) => comparison.local === scope.service);
  const service = deployed?.service;
  if (!deployed || !service) return [];
  const serviceIndex = deployed.snapshot.snapshot.services.indexOf(service);
  const mapped = new Set(deployed.mappings.flatMap((mapping) => (mapping.deployed ? [mapping.deployed.api.toLowerCase()] : [])));
  const onboarded = new Set(service.apiCollections.map((collection) => collection.apiName.toLowerCase()));
  return service.apis.flatMap((api, index) => {
    if (mapped.has(api.name.toLowerCase()) || api.isCurrent === false) return [];
    const span = deployed.snapshot.document.valueSpan(['services', serviceIndex, 'apis', index]) ?? { start: 0, end: 0 };
    return [{ api, location: { file: deployed.snapshot.file, span }, onboarded: onboarded.has(api.name.toLowerCase()) }];
  });
}

function findingsOf(scope: ServiceScope, resourcePrefix: string): Finding[] {
  return scope.analysis.result.findings.filter(
    (finding) => finding.service === scope.serviceRoot && !finding.suppression && finding.severity !== 'info' && (finding.resource === resourcePrefix || finding.resource.startsWith(resourcePrefix + '/')),
  );
}

function withFindings(scope: ServiceScope, id: string, description?: string): string | undefined {
  const count = findingsOf(scope, id).length;
  return [description, count ? `${count} finding${count === 1 ? '' : 's'}` : undefined].filter(Boolean).join(' · ') || undefined;
}

/** A tree item id: unique across folders and across the services of one folder. */
function itemId(scope: ServiceScope, resource: string): string {
  return `${scope.analysis.folder.uri.toString()}#${scope.serviceRoot ?? ''}#${resource}`;
}

/** What declares the API, so a tree mixing deployments tells where to look. */
function sourceOf(layout: RepositoryLayout, file: string): string {
  if (file.endsWith('.bicep')) return 'Bicep';
  if (file.endsWith('.tf')) return 'Terraform';
  if (layout === 'arm') return 'ARM';
  return layout === 'specs-only' ? 'spec' : 'APIOps';
}

function apiItem(scope: ServiceScope, api: ApiResource): vscode.TreeItem {
  const result = scope.analysis.result;
  const item = new vscode.TreeItem(api.displayName ?? api.name, api.operations.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  const states = (api.operations.length ? api.operations : []).map((operation) => result.analyses.auth(api, operation).state);
  const unauthenticated = states.filter((state) => state === 'unauthenticated').length;
  const details = [
    sourceOf(scope.service.layout, api.declaration.file),
    api.path ? `/${api.path}` : undefined,
    api.revision && api.name.includes(';rev=') ? `rev ${api.revision}` : undefined,
    api.apiVersion ? `version ${api.apiVersion}` : undefined,
    api.type !== 'http' ? api.type : undefined,
    api.protocols?.value.join('+'),
  ];
  item.description = withFindings(scope, api.id, details.filter(Boolean).join(' · '));
  item.iconPath = unauthenticated
    ? new vscode.ThemeIcon('unlock', new vscode.ThemeColor('problemsErrorIcon.foreground'))
    : states.includes('conditional')
      ? new vscode.ThemeIcon('shield', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('lock');
  const onboarded = scope.service.deployment?.onboardedApis;
  const mapping = result.deployed?.find((comparison) => comparison.local === scope.service)?.mappings.find((candidate) => candidate.local === api.name);
  const azure = mapping?.deployed
    ? `Azure: ${mapping.deployed.api} (${mapping.reason}, ${mapping.confidence} confidence)${onboarded ? ` · Defender for APIs: ${onboarded.includes(api.name) ? 'onboarded' : 'not onboarded'}` : ''}`
    : mapping
      ? `Azure: not mapped (${mapping.detail})`
      : undefined;
  item.tooltip = [api.id, `${unauthenticated} of ${states.length} operations unauthenticated`, `${sourceOf(scope.service.layout, api.declaration.file)}: ${path.relative(result.root, api.declaration.file)}`, azure].filter(Boolean).join('\n');
  item.contextValue = 'api';
  item.id = itemId(scope, api.id);
  item.command = openCommand(result, api.declaration.locate(['displayName']));
  return item;
}

function operationItem(scope: ServiceScope, api: ApiResource, operation: OperationResource): vscode.TreeItem {
  const result = scope.analysis.result;
  const label = operation.method && operation.urlTemplate ? `${operation.method.toUpperCase()} ${operation.urlTemplate}` : operation.name;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  const auth = result.analyses.auth(api, operation);
  item.description = withFindings(scope, operation.id, `${operation.name} · ${authLabel(auth).replace(/\$\([\w-]+\) /, '')}`);
  item.iconPath = new vscode.ThemeIcon(
    auth.state === 'authenticated' ? 'lock' : auth.state === 'conditional' ? 'shield' : auth.state === 'unknown' ? 'question' : 'unlock',
    auth.state === 'unauthenticated' ? new vscode.ThemeColor('problemsErrorIcon.foreground') : auth.state === 'conditional' ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
  );
  item.contextValue = 'operation';
  item.id = itemId(scope, operation.id);
  item.command = openCommand(result, operation.location);
  item.tooltip = operation.id;
  return item;
}

function openCommand(result: ScanResult, location: SourceLocation): vscode.Command {
  return { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(location.file), { selection: rangeOf(result, location) } satisfies vscode.TextDocumentShowOptions] };
}
