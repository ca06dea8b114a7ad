// The way from the internet to the data: Internet → gateway (how calls are let in) → API → operation
// (what data it carries) → backend, with the findings on each step. Predicted from the report's
// inventory; Defender's observed attack paths laid over it. Read by the editor's attack path view and
// the HTML report alike: plain data from the contract, no rendering here.
import { SEVERITY_ORDER, type Severity } from '../findings';
import type { AnalysisReport, ReportApi, ReportBackend, ReportFinding, ReportLocation, ReportOperation, ReportService } from '../report/contract';

export type GraphColumn = 'internet' | 'gateway' | 'api' | 'operation' | 'backend';

/** How calls get through a step: `open` with no authentication; `key` with a subscription key only; `token` authenticated on the call. */
export type Exposure = 'open' | 'key' | 'token' | 'conditional' | 'unknown';

export interface GraphNode {
  id: string;
  column: GraphColumn;
  label: string;
  /** Short facts shown under the label (authentication, data carried). */
  detail: string[];
  resource?: string;
  location?: ReportLocation;
  exposure?: Exposure;
  /** The sensitive information types the step carries. */
  sensitive: string[];
  findings: { id: string; ruleId: string; severity: Severity }[];
  /** Defender names the step on one of its attack paths. */
  observed: boolean;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** Predicted from the files, observed on Defender's attack paths, or both. */
  sources: ('predicted' | 'observed')[];
  exposure?: Exposure;
}

export interface AttackGraph {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Defender's attack paths drawn, each with the nodes it goes through. */
  observed: { title: string; riskLevel?: string; riskFactors: string[]; nodes: string[] }[];
  /** The worst predicted ways in, as text: the steps, and what makes each dangerous. */
  openPaths: string[];
  /** What the graph assumes or leaves out. */
  notes: string[];
}

/** Operations drawn per API, APIs per service: a graph past these stops being read; the rest is counted in the notes. */
const MAX_OPERATIONS = 40;
const MAX_APIS = 40;

export interface GraphScope {
  /** The service's label (its root below the folder) when the folder holds several. */
  service?: string;
  /** An API id (`apis/payments`): its operations are drawn; without it, the service's APIs are. */
  api?: string;
}

export function attackGraph(report: AnalysisReport, scope: GraphScope = {}): AttackGraph {
  const services = report.services.filter((service) => !service.empty && (scope.service === undefined || service.label === scope.service));
  const builder = new GraphBuilder(report.findings);
  const notes: string[] = ['The gateway is taken as reachable from the internet: the repository does not say whether the service sits in an internal virtual network.'];
  const openPaths: string[] = [];
  const internet = builder.node({ id: 'internet', column: 'internet', label: 'Internet' });
  for (const service of services) {
    const gateway = builder.node({ id: gatewayId(service), column: 'gateway', label: service.label ? `Gateway (${service.label})` : 'Gateway', resource: 'service', service });
    builder.edge(internet.id, gateway.id, 'predicted');
    const apis = service.apis.filter((api) => scope.api === undefined || api.id === scope.api);
    if (apis.length > MAX_APIS) notes.push(`${apis.length - MAX_APIS} more APIs are not drawn (open one API's attack paths to see it whole).`);
    for (const api of apis.slice(0, MAX_APIS)) {
      const apiExposure = worstExposure(api.operations.map(operationExposure));
      const apiNode = builder.node({
        id: nodeId(service, api.id),
        column: 'api',
        label: api.displayName ?? api.name,
        resource: api.id,
        location: api.location,
        service,
        exposure: apiExposure,
        sensitive: [...new Set(api.operations.flatMap((operation) => operation.sensitiveTypes))],
        detail: [apiDetail(api)],
      });
      builder.edge(gateway.id, apiNode.id, 'predicted', apiExposure);
      if (scope.api === undefined) {
        for (const operation of api.operations.filter((candidate) => operationExposure(candidate) === 'open')) openPaths.push(openPath(service, api, operation));
        for (const backend of uniqueBackends(api.operations.flatMap((operation) => operation.backends))) backendStep(builder, service, apiNode.id, backend, internet.id, openPaths, bypassedApps(report.findings, service, api));
        continue;
      }
      if (api.operations.length > MAX_OPERATIONS) notes.push(`${api.operations.length - MAX_OPERATIONS} more operations of ${api.name} are not drawn.`);
      for (const operation of api.operations.slice(0, MAX_OPERATIONS)) {
        const exposure = operationExposure(operation);
        const operationNode = builder.node({
          id: nodeId(service, operation.id),
          column: 'operation',
          label: operation.method && operation.urlTemplate ? `${operation.method.toUpperCase()} ${operation.urlTemplate}` : operation.name,
          resource: operation.id,
          location: operation.specLocation ?? operation.location,
          service,
          exposure,
          sensitive: operation.sensitiveTypes,
          detail: [operation.authentication.summary, ...(operation.unused ? ['no traffic for 30 days (Defender)'] : [])],
        });
        builder.edge(apiNode.id, operationNode.id, 'predicted', exposure);
        if (exposure === 'open') openPaths.push(openPath(service, api, operation));
        for (const backend of uniqueBackends(operation.backends)) backendStep(builder, service, operationNode.id, backend, internet.id, openPaths, bypassedApps(report.findings, service, api));
      }
    }
  }
  const observed = observedPaths(report, builder, services, internet.id, scope.api);
  if (!report.attackPaths) notes.push("Defender's attack paths are not shown: there is no snapshot of Azure, or it did not read them.");
  return {
    title: scope.api ? `Attack paths to ${scope.api}` : services.length === 1 && services[0].label === undefined ? 'Attack paths to the service' : 'Attack paths to the services',
    nodes: builder.nodes(),
    edges: builder.edges(),
    observed,
    openPaths,
    notes,
  };
}

/** Defender's paths laid over the predicted graph: a step the graph has is marked observed, others (a backend host, a database) are added. */
function observedPaths(report: AnalysisReport, builder: GraphBuilder, services: ReportService[], internet: string, api: string | undefined): AttackGraph['observed'] {
  const drawn: AttackGraph['observed'] = [];
  for (const path of report.attackPaths ?? []) {
    const service = services.find((candidate) => candidate.label === path.service);
    if (!service) continue;
    // One API's view shows the paths through it only.
    if (api !== undefined && !path.steps.some((step) => step.resource === api || step.resource?.startsWith(`${api}/`))) continue;
    const ids: string[] = [];
    path.steps.forEach((step, index) => {
      const known =
        step.type?.toLowerCase() === 'internet' ? internet : step.resource === 'service' ? gatewayId(service) : step.resource !== undefined ? builder.find(nodeId(service, step.resource)) : undefined;
      if (known) {
        ids.push(known);
        return;
      }
      // An operation of an API drawn without its operations: the path goes on from its API.
      if (step.resource?.includes('/operations/')) return;
      const label = step.name ?? step.type ?? `step ${index + 1}`;
      const detail = [step.type ?? 'named by Defender', ...(step.resourceId && !step.resource ? ['not in the repository'] : [])];
      ids.push(builder.node({ id: `observed:${path.id}:${index}`, column: observedColumn(step.type, index), label, detail, resource: step.resource, location: step.location }).id);
    });
    for (const id of ids) builder.markObserved(id);
    for (let index = 1; index < ids.length; index++) builder.edge(ids[index - 1], ids[index], 'observed');
    drawn.push({ title: path.title, riskLevel: path.riskLevel, riskFactors: path.riskFactors, nodes: ids });
  }
  return drawn;
}

/** Backends by what they are: one node per resource, host or APIM backend. */
function uniqueBackends(backends: readonly ReportBackend[]): ReportBackend[] {
  const byKey = new Map<string, ReportBackend>();
  for (const backend of backends) byKey.set(backendKey(backend), byKey.get(backendKey(backend)) ?? backend);
  return [...byKey.values()];
}

function backendKey(backend: ReportBackend): string {
  return backend.resource?.name ?? backend.host ?? backend.backend ?? backend.kind;
}

/**
 * The backend behind a step, and, when its declaration leaves it callable from the internet, the way
 * around the gateway: an edge straight from the internet, with no authentication the gateway gives.
 */
function backendStep(builder: GraphBuilder, service: ReportService, from: string, backend: ReportBackend, internet: string, openPaths: string[], bypassed: ReadonlySet<string>): void {
  const label = backendKey(backend);
  const app = appOf(backend);
  // gateway-bypass found the app's code in the repository with anonymous triggers: the way around the gateway.
  const bypass = app !== undefined && bypassed.has(app);
  const direct = backend.callableDirectly || bypass;
  // Azure's facts (a snapshot) are preferred over the declaration's: the node says which it went by.
  const source = backend.azure?.found ? 'as Azure says' : 'as declared';
  const reach = bypass
    ? 'anonymous triggers callable around the gateway (gateway-bypass)'
    : backend.callableDirectly
      ? `callable directly from the internet, around the gateway, ${source}`
      : backend.azure?.found || backend.resource
        ? `not callable directly, ${source}`
        : (backend.unresolved ?? 'not declared in the repository');
  const node = builder.node({
    id: `${service.label ?? ''}:backend:${label}`,
    column: 'backend',
    label,
    detail: [backend.kind, reach, ...azureDetail(backend)],
    // The findings of the way around the gateway are on the app's triggers (sites/<app>/…) or on the API.
    findingsBelow: app !== undefined ? `sites/${app}/` : undefined,
    location: backend.resource?.declaredAt ?? backend.location,
    service,
    exposure: direct ? 'open' : undefined,
  });
  builder.edge(from, node.id, 'predicted');
  if (!direct || builder.hasEdge(internet, node.id)) return;
  builder.edge(internet, node.id, 'predicted', 'open');
  openPaths.push(`Internet → ${label} (${backend.kind}): ${reach}`);
}

/** What a snapshot says of the backend's resource: its facts with their source, or why it does not tell. */
function azureDetail(backend: ReportBackend): string[] {
  if (!backend.azure) return [];
  if (!backend.azure.found) return [`Azure: ${backend.azure.why ?? 'not found'}`];
  const facts = backend.exposure.map((fact) => `${fact.fact} ${String(fact.value)} (${fact.source === 'azure' ? 'Azure' : 'declared'})`);
  return [`Azure: ${backend.azure.name ?? backend.azure.resourceId}${facts.length > 0 ? ` — ${facts.join(', ')}` : ''}`];
}

/** The App Service or Function App a backend is (`<app>.azurewebsites.net`, or its declaration's name). */
function appOf(backend: ReportBackend): string | undefined {
  if (backend.resource) return backend.resource.name.toLowerCase();
  return /^([^.]+)\.azurewebsites\.net$/i.exec(backend.host ?? '')?.[1]?.toLowerCase();
}

/** The apps whose anonymous triggers gateway-bypass found behind this API. */
function bypassedApps(findings: readonly ReportFinding[], service: ReportService, api: ReportApi): Set<string> {
  return new Set(
    findings
      .filter((finding) => finding.ruleId === 'gateway-bypass' && !finding.suppression && finding.resource === api.id && finding.service === service.label)
      .map((finding) => finding.properties?.app)
      .filter((app): app is string => typeof app === 'string')
      .map((app) => app.toLowerCase()),
  );
}

/** The column of a step the predicted graph lacks, from what Defender says it is. */
function observedColumn(type: string | undefined, index: number): GraphColumn {
  const kind = type?.toLowerCase() ?? '';
  if (index === 0 || kind === 'internet') return 'internet';
  if (kind.endsWith('/apis/operations')) return 'operation';
  if (kind.endsWith('/apis')) return 'api';
  if (kind === 'microsoft.apimanagement/service') return 'gateway';
  return 'backend';
}

export function operationExposure(operation: ReportOperation): Exposure {
  const { state, keyless } = operation.authentication;
  if (state === 'authenticated') return 'token';
  if (state === 'conditional') return 'conditional';
  if (state === 'unknown') return 'unknown';
  return keyless ? 'open' : 'key';
}

const EXPOSURE_RANK: Record<Exposure, number> = { open: 4, conditional: 3, unknown: 2, key: 1, token: 0 };

function worstExposure(exposures: Exposure[]): Exposure | undefined {
  return exposures.length === 0 ? undefined : exposures.reduce((worst, exposure) => (EXPOSURE_RANK[exposure] > EXPOSURE_RANK[worst] ? exposure : worst));
}

function apiDetail(api: ReportApi): string {
  const counts = new Map<Exposure, number>();
  for (const operation of api.operations) counts.set(operationExposure(operation), (counts.get(operationExposure(operation)) ?? 0) + 1);
  const words: Record<Exposure, string> = { open: 'open', conditional: 'conditional', unknown: 'unknown', key: 'key only', token: 'authenticated' };
  return (['open', 'conditional', 'unknown', 'key', 'token'] as const).filter((exposure) => counts.has(exposure)).map((exposure) => `${counts.get(exposure)} ${words[exposure]}`).join(' · ') || 'no operations';
}

function openPath(service: ReportService, api: ReportApi, operation: ReportOperation): string {
  const data = operation.sensitiveTypes.length > 0 ? `; carries ${operation.sensitiveTypes.join(', ')}` : '';
  return `Internet → ${service.label ? `gateway (${service.label})` : 'gateway'} → ${api.name} → ${operation.name}: no authentication, no subscription key${data}`;
}

function gatewayId(service: ReportService): string {
  return `gateway:${service.label ?? ''}`;
}

function nodeId(service: ReportService, resource: string): string {
  return `${service.label ?? ''}:${resource}`;
}

class GraphBuilder {
  private readonly byId = new Map<string, GraphNode>();
  private readonly edgesByKey = new Map<string, GraphEdge>();
  private readonly findingsOf = new Map<string, ReportFinding[]>();

  constructor(findings: readonly ReportFinding[]) {
    for (const finding of findings) {
      if (finding.suppression) continue;
      const key = `${finding.service ?? ''}:${finding.resource}`;
      this.findingsOf.set(key, [...(this.findingsOf.get(key) ?? []), finding]);
    }
  }

  node(init: {
    id: string;
    column: GraphColumn;
    label: string;
    detail?: string[];
    resource?: string;
    /** A prefix of the resources whose findings the step shows (an app's functions: `sites/<app>/`). */
    findingsBelow?: string;
    location?: ReportLocation;
    service?: ReportService;
    exposure?: Exposure;
    sensitive?: string[];
  }): GraphNode {
    const existing = this.byId.get(init.id);
    if (existing) return existing;
    const prefix = init.service ? `${init.service.label ?? ''}:` : undefined;
    const findings =
      prefix === undefined
        ? []
        : init.findingsBelow !== undefined
          ? [...this.findingsOf].filter(([key]) => key.startsWith(`${prefix}${init.findingsBelow}`)).flatMap(([, found]) => found)
          : init.resource !== undefined
            ? (this.findingsOf.get(`${prefix}${init.resource}`) ?? [])
            : [];
    const node: GraphNode = {
      id: init.id,
      column: init.column,
      label: init.label,
      detail: init.detail ?? [],
      resource: init.resource,
      location: init.location,
      exposure: init.exposure,
      sensitive: init.sensitive ?? [],
      findings: findings
        .map((finding) => ({ id: finding.id, ruleId: finding.ruleId, severity: finding.severity }))
        .sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity)),
      observed: false,
    };
    this.byId.set(node.id, node);
    return node;
  }

  find(id: string): string | undefined {
    return this.byId.has(id) ? id : undefined;
  }

  markObserved(id: string): void {
    const node = this.byId.get(id);
    if (node) node.observed = true;
  }

  hasEdge(from: string, to: string): boolean {
    return this.edgesByKey.has(`${from}\u0000${to}`);
  }

  edge(from: string, to: string, source: 'predicted' | 'observed', exposure?: Exposure): void {
    const key = `${from}\u0000${to}`;
    const existing = this.edgesByKey.get(key);
    if (existing) {
      if (!existing.sources.includes(source)) existing.sources.push(source);
      return;
    }
    this.edgesByKey.set(key, { from, to, sources: [source], exposure });
  }

  nodes(): GraphNode[] {
    return [...this.byId.values()];
  }

  edges(): GraphEdge[] {
    return [...this.edgesByKey.values()];
  }
}
