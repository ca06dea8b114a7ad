// API Inventory: service (one per APIOps root) → APIs (revisions, versions) → operations, and products, subscriptions,
// backends and named values, with each one's authentication state, protocols and finding count; with a
// snapshot of Azure, where each API is deployed and the deployed APIs the repository does not have.
import * as path from 'path';
import * as vscode from 'vscode';
import { displaySafe } from './displaySafe';
import type { ReportApi, ReportFinding, ReportLocation, ReportOperation, ReportResource, ReportService } from '../../core/report/contract';
import { describePriority } from '../../core/priority/priority';
import { boundedCoverage } from '../../core/report/coverage';
import { authLabel } from '../codeLens';
import type { Ctx, FolderReport } from '../ctx';
import { rangeOf } from '../diagnostics';

/** One service of a folder's analysis: a repository may hold several (an APIOps root per environment). */
interface ServiceScope {
  analysis: FolderReport;
  service: ReportService;
}

// Every node is of one service: commands given a node (Onboard API, Open in Portal) read its `analysis`.
type Node = ServiceScope &
  (
    | { kind: 'service' }
    | { kind: 'group'; group: Group }
    | { kind: 'api'; api: ReportApi }
    | { kind: 'operation'; api: ReportApi; operation: ReportOperation }
    | { kind: 'resource'; resource: ReportResource }
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

const SOURCE_LABELS: Record<ReportApi['source'], string> = { apiops: 'APIOps', bicep: 'Bicep', terraform: 'Terraform', arm: 'ARM', spec: 'spec' };

export class InventoryTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly ctx: Ctx) {
    ctx.onDidAnalyze(() => this.changed.fire());
  }

  async getChildren(node?: Node): Promise<Node[]> {
    const scopes = (await this.ctx.reports()).flatMap((analysis) => analysis.report.services.filter((service) => !service.empty).map((service) => ({ analysis, service })));
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
        const { analysis, service } = node;
        const item = new vscode.TreeItem(service.label === undefined ? analysis.folder.name : `${analysis.folder.name}: ${service.label}`, vscode.TreeItemCollapsibleState.Expanded);
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
        return apiItem(this.ctx, node, node.api);
      case 'operation':
        return operationItem(this.ctx, node, node.operation);
      case 'resource': {
        const { resource } = node;
        const item = new vscode.TreeItem(resource.label, vscode.TreeItemCollapsibleState.None);
        item.description = withFindings(node, resource.id, resource.description);
        item.iconPath = new vscode.ThemeIcon(resource.icon);
        item.command = openCommand(this.ctx, node.analysis, resource.location);
        item.contextValue = 'resource';
        return item;
      }
      case 'notRead': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.description = node.reason;
        item.tooltip = `${node.label}\n${node.reason}`;
        item.iconPath = new vscode.ThemeIcon(node.file ? 'file' : 'info');
        if (node.file) item.command = { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(node.file)] };
        return item;
      }
    }
  }
}

/** Just the scope of a node, for its children: not its kind or other fields. */
function scopeOf({ analysis, service }: ServiceScope): ServiceScope {
  return { analysis, service };
}

function groupsOf(scope: ServiceScope): Node[] {
  const service = scope.service;
  const groups: Group[] = ['apis'];
  if (service.products.length) groups.push('products');
  if (service.subscriptions.length) groups.push('subscriptions');
  if (service.backends.length) groups.push('backends');
  if (service.namedValues.length) groups.push('namedValues');
  if (service.fragments.length) groups.push('fragments');
  if (service.onlyInAzure.length) groups.push('onlyInAzure');
  // Coverage is the whole scan's: shown once, under the folder's first service.
  if (scope.service === scope.analysis.report.services[0] && notReadNodes(scope).length) groups.push('notRead');
  return groups.map((group) => ({ ...scopeOf(scope), kind: 'group', group }));
}

function childrenOf(scope: ServiceScope, group: Group): Node[] {
  const service = scope.service;
  const resources = (list: ReportResource[]): Node[] => list.map((resource) => ({ ...scopeOf(scope), kind: 'resource', resource }));
  switch (group) {
    case 'apis':
      return service.apis.map((api) => ({ ...scopeOf(scope), kind: 'api', api }));
    case 'notRead':
      return notReadNodes(scope);
    default:
      return resources(service[group]);
  }
}

/** What the scan did not read, with why: files (to open), values not known, paths excluded or skipped; bounded like a report. */
function notReadNodes(scope: ServiceScope): Node[] {
  const { root, coverage } = scope.analysis.report;
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

function findingsOf(scope: ServiceScope, resourcePrefix: string): ReportFinding[] {
  return scope.analysis.report.findings.filter(
    (finding) => finding.service === scope.service.label && !finding.suppression && finding.severity !== 'info' && (finding.resource === resourcePrefix || finding.resource.startsWith(resourcePrefix + '/')),
  );
}

function withFindings(scope: ServiceScope, id: string, description?: string): string | undefined {
  const count = findingsOf(scope, id).length;
  return [description, count ? `${count} finding${count === 1 ? '' : 's'}` : undefined].filter(Boolean).join(' · ') || undefined;
}

/** A tree item id: unique across folders and across the services of one folder. */
function itemId(scope: ServiceScope, resource: string): string {
  return `${scope.analysis.folder.uri.toString()}#${scope.service.label ?? ''}#${resource}`;
}

function apiItem(ctx: Ctx, scope: ServiceScope, api: ReportApi): vscode.TreeItem {
  const item = new vscode.TreeItem(api.displayName ?? api.name, api.operations.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  const states = api.operations.map((operation) => operation.authentication.state);
  const unauthenticated = states.filter((state) => state === 'unauthenticated').length;
  const details = [SOURCE_LABELS[api.source], api.path ? `/${api.path}` : undefined, api.revision ? `rev ${api.revision}` : undefined, api.apiVersion ? `version ${api.apiVersion}` : undefined, api.type !== 'http' ? api.type : undefined, api.protocols?.join('+')];
  item.description = withFindings(scope, api.id, [`risk ${api.risk.score}`, ...details].filter(Boolean).join(' · '));
  item.iconPath = unauthenticated
    ? new vscode.ThemeIcon('unlock', new vscode.ThemeColor('problemsErrorIcon.foreground'))
    : states.includes('conditional')
      ? new vscode.ThemeIcon('shield', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon('lock');
  const mapping = api.azure;
  const azure = mapping?.deployedApi
    ? `Azure: ${mapping.deployedApi} (${mapping.reason}, ${mapping.confidence} confidence)${mapping.onboarded !== undefined ? ` · Defender for APIs: ${mapping.onboarded ? 'onboarded' : 'not onboarded'}` : ''}`
    : mapping
      ? `Azure: not mapped (${mapping.detail})`
      : undefined;
  item.tooltip = [api.id, `${unauthenticated} of ${states.length} operations unauthenticated`, `${SOURCE_LABELS[api.source]}: ${api.location.file}`, azure, '', ...describePriority(api.risk).map((line, index) => (index === 0 ? line.replace(/^Priority/, 'Risk') : line))].filter((line) => line !== undefined).join('\n');
  item.contextValue = 'api';
  item.id = itemId(scope, api.id);
  item.command = openCommand(ctx, scope.analysis, api.location);
  return item;
}

function operationItem(ctx: Ctx, scope: ServiceScope, operation: ReportOperation): vscode.TreeItem {
  const label = operation.method && operation.urlTemplate ? `${operation.method.toUpperCase()} ${operation.urlTemplate}` : operation.name;
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  const auth = operation.authentication;
  item.description = withFindings(scope, operation.id, `${operation.name} · ${authLabel(auth).replace(/\$\([\w-]+\) /, '')}`);
  item.iconPath = new vscode.ThemeIcon(
    auth.state === 'authenticated' ? 'lock' : auth.state === 'conditional' ? 'shield' : auth.state === 'unknown' ? 'question' : 'unlock',
    auth.state === 'unauthenticated' ? new vscode.ThemeColor('problemsErrorIcon.foreground') : auth.state === 'conditional' ? new vscode.ThemeColor('problemsWarningIcon.foreground') : undefined,
  );
  item.contextValue = 'operation';
  item.id = itemId(scope, operation.id);
  item.command = openCommand(ctx, scope.analysis, operation.location);
  item.tooltip = operation.id;
  return item;
}

function openCommand(ctx: Ctx, analysis: FolderReport, location: ReportLocation): vscode.Command {
  return { command: 'vscode.open', title: 'Open', arguments: [vscode.Uri.file(ctx.fileOf(analysis.report.root, location)), { selection: rangeOf(location) } satisfies vscode.TextDocumentShowOptions] };
}
