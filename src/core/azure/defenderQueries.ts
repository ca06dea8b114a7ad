// What Defender for Cloud says of the deployed services: its assessments for all subscriptions at once
// through Resource Graph, their remediation text through assessmentsMetadata, the Defender for APIs
// plan through pricings, and onboarding through the apiCollections REST API (absent from
// @azure/arm-security, so sent through the client's own pipeline).
import type { SecurityCenter } from '@azure/arm-security';
import { parseApimResourceId, sendArm } from './arm';
import { attempt, type LoadContext } from './loadContext';
import { graphQuery } from './resourceGraph';
import type { DefenderRisk } from '../findings';
import { HOSTED_RECOMMENDATIONS } from '../rules/observedRecommendation';
import type { AttackPathStep, DeployedApiCollection, DeployedAssessment, DeployedAttackPath, SnapshotError } from './snapshot';

export const API_COLLECTIONS_API_VERSION = '2023-11-15';

/** The Defender for APIs plan of the client's subscription (`pricings/Api`). */
export function readDefenderPlan(client: SecurityCenter, abortSignal?: AbortSignal) {
  return client.pricings.get('Api', { abortSignal });
}

interface ApiCollectionResource {
  id?: string;
  name?: string;
  properties?: Omit<DeployedApiCollection, 'apiName'>;
}

/** All apiCollections of a subscription, following `nextLink`, through the SecurityCenter client's pipeline. */
export async function listApiCollections(context: LoadContext, subscriptionId: string): Promise<{ serviceId: string; collection: DeployedApiCollection }[]> {
  const client = context.clients.security(subscriptionId);
  const found: { serviceId: string; collection: DeployedApiCollection }[] = [];
  let url: string | undefined = `${context.endpoint}/subscriptions/${subscriptionId}/providers/Microsoft.Security/apiCollections?api-version=${API_COLLECTIONS_API_VERSION}`;
  while (url) {
    const page = (await sendArm(client, url, 'GET', context.options.abortSignal)).body as { value?: ApiCollectionResource[]; nextLink?: string };
    for (const resource of page.value ?? []) {
      const ref = resource.id ? parseApimResourceId(resource.id.replace(/\/providers\/Microsoft\.Security\/apiCollections\/[^/]+$/i, '')) : undefined;
      if (!ref || !resource.name) continue;
      found.push({ serviceId: ref.serviceId, collection: apiCollection(resource) });
    }
    url = page.nextLink ?? undefined;
  }
  return found;
}

export function apiCollection(resource: ApiCollectionResource): DeployedApiCollection {
  const p = resource.properties ?? {};
  return {
    apiName: resource.name!,
    displayName: p.displayName,
    provisioningState: p.provisioningState,
    discoveredVia: p.discoveredVia,
    baseUrl: p.baseUrl,
    numberOfApiEndpoints: p.numberOfApiEndpoints,
    numberOfInactiveApiEndpoints: p.numberOfInactiveApiEndpoints,
    numberOfUnauthenticatedApiEndpoints: p.numberOfUnauthenticatedApiEndpoints,
    numberOfExternalApiEndpoints: p.numberOfExternalApiEndpoints,
    numberOfApiEndpointsWithSensitiveDataExposed: p.numberOfApiEndpointsWithSensitiveDataExposed,
    sensitivityLabel: p.sensitivityLabel,
  };
}

/** Defender's assessments of API Management resources in Resource Graph (`securityresources`), the status filtered there rather than here. */
export function assessmentsQuery(includeHealthy: boolean): string {
  return [
    'securityresources',
    "| where type == 'microsoft.security/assessments'",
    '| extend resourceId = tolower(tostring(properties.resourceDetails.Id)), status = tostring(properties.status.code), displayName = tostring(properties.displayName)',
    // APIM's, and Defender's recommendations on the API endpoints of Function Apps and Logic Apps (on their sites and workflows).
    `| where resourceId has '/providers/microsoft.apimanagement/service/' or ((resourceId has '/providers/microsoft.web/sites/' or resourceId has '/providers/microsoft.logic/workflows/') and displayName in~ (${HOSTED_RECOMMENDATIONS.map((recommendation) => `'${recommendation.displayName}'`).join(', ')}))`,
    ...(includeHealthy ? [] : ["| where status == 'Unhealthy'"]),
    '| project assessmentKey = name, resourceId, status, severity = tostring(properties.metadata.severity), displayName,',
    '  cause = tostring(properties.status.cause), description = tostring(properties.status.description), portalUri = tostring(properties.links.azurePortalUri),',
    '  firstEvaluationDate = tostring(properties.status.firstEvaluationDate), statusChangeDate = tostring(properties.status.statusChangeDate),',
    // Defender's risk (level, factors, attack paths) where the assessment carries one.
    '  risk = properties.risk,',
    // Where Defender names the endpoint of a Function App or Logic App it assessed on the app.
    '  details = properties.additionalData',
    '| order by resourceId asc, assessmentKey asc',
  ].join('\n');
}

export async function loadAssessments(context: LoadContext, subscriptions: string[], errors: SnapshotError[]): Promise<DeployedAssessment[]> {
  context.progress({ phase: 'assessments', message: `Reading Defender assessments for ${subscriptions.length} subscription(s)` });
  const rows = await graphQuery(context, subscriptions, assessmentsQuery(Boolean(context.options.includeHealthyAssessments)), errors, 'assessments');
  return rows
    .filter((row) => typeof row.assessmentKey === 'string' && typeof row.resourceId === 'string')
    .map((row) => ({
      key: row.assessmentKey as string,
      resourceId: row.resourceId as string,
      status: String(row.status ?? ''),
      severity: nonEmpty(row.severity),
      displayName: nonEmpty(row.displayName),
      cause: nonEmpty(row.cause),
      description: nonEmpty(row.description),
      portalUri: nonEmpty(row.portalUri),
      firstEvaluationDate: nonEmpty(row.firstEvaluationDate),
      statusChangeDate: nonEmpty(row.statusChangeDate),
      risk: defenderRisk(row.risk),
      details: stringValues(row.details),
    }));
}

/** An assessment's `additionalData`, its string values only; undefined when it has none. */
function stringValues(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== '').slice(0, 100);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** An assessment's `risk` object, when it has one with something in it. */
export function defenderRisk(value: unknown): DefenderRisk | undefined {
  if (!isRecord(value)) return undefined;
  const risk: DefenderRisk = {
    level: nonEmpty(value.level),
    riskFactors: texts(value.riskFactors),
    attackPathsReferences: texts(value.attackPathsReferences),
    isContextualRisk: typeof value.isContextualRisk === 'boolean' ? value.isContextualRisk : undefined,
  };
  return risk.level || risk.riskFactors.length > 0 || risk.attackPathsReferences.length > 0 ? risk : undefined;
}

/** Attack paths with an API Management resource on them: Resource Graph filters, the loader maps both row shapes. */
export const ATTACK_PATHS_QUERY = [
  'securityresources',
  "| where type == 'microsoft.security/attackpaths'",
  "| where tolower(tostring(properties)) has '/providers/microsoft.apimanagement/service/'",
  '| project id, name, properties',
  '| order by id asc',
].join('\n');

export async function loadAttackPaths(context: LoadContext, subscriptions: string[], errors: SnapshotError[]): Promise<DeployedAttackPath[]> {
  context.progress({ phase: 'assessments', message: `Reading Defender attack paths for ${subscriptions.length} subscription(s)` });
  const rows = await graphQuery(context, subscriptions, ATTACK_PATHS_QUERY, errors, 'attackPaths');
  return rows.flatMap((row) => {
    const path = attackPath(row);
    return path ? [path] : [];
  });
}

/** Steps kept of one path: Defender's paths are a handful of hops; a row listing more is cut, not trusted to be small. */
const MAX_STEPS = 100;

/**
 * One attack path row in either shape. Classic (documented): `graphComponent.entities` by internal
 * id, `connections` between them, `entryPointEntityInternalID` / `targetEntityInternalID`,
 * `potentialImpact`, `riskCategories`. Exposure Management: `entryPoint`, `attackPathSteps`,
 * `target` as entities, `riskLevel`, `riskFactors`.
 */
export function attackPath(row: Record<string, unknown>): DeployedAttackPath | undefined {
  const properties = isRecord(row.properties) ? row.properties : undefined;
  const id = nonEmpty(row.id);
  if (!id || !properties) return undefined;
  const exposureManagement = 'attackPathSteps' in properties || 'entryPoint' in properties || 'riskLevel' in properties;
  const steps = exposureManagement
    ? [properties.entryPoint, ...(Array.isArray(properties.attackPathSteps) ? properties.attackPathSteps : []), properties.target].map(step).filter((found): found is AttackPathStep => found !== undefined)
    : classicSteps(properties);
  return {
    id,
    displayName: nonEmpty(properties.displayName),
    description: nonEmpty(properties.description),
    riskLevel: nonEmpty(properties.riskLevel) ?? nonEmpty(properties.potentialImpact),
    riskFactors: texts(properties.riskFactors).length > 0 ? texts(properties.riskFactors) : texts(properties.riskCategories),
    attackPathType: nonEmpty(properties.attackPathType),
    remediation: Array.isArray(properties.manualRemediationSteps) ? texts(properties.manualRemediationSteps).join(' ') || undefined : nonEmpty(properties.manualRemediationSteps),
    steps: dedupeAdjacent(steps).slice(0, MAX_STEPS),
    shape: exposureManagement ? 'exposure-management' : 'defender-cspm',
  };
}

/** The classic shape's entities in path order: from the entry point along the connections to the target, or as listed when they do not chain. */
function classicSteps(properties: Record<string, unknown>): AttackPathStep[] {
  const graph = isRecord(properties.graphComponent) ? properties.graphComponent : {};
  const entities = (Array.isArray(graph.entities) ? graph.entities : []).filter(isRecord).slice(0, MAX_STEPS * 10);
  const byId = new Map(entities.map((entity) => [entityId(entity), entity] as const).filter((entry): entry is [string, Record<string, unknown>] => entry[0] !== undefined));
  const next = new Map<string, string>();
  for (const connection of (Array.isArray(graph.connections) ? graph.connections : []).filter(isRecord).slice(0, MAX_STEPS * 10)) {
    const from = nonEmpty(connection.sourceEntityInternalId) ?? nonEmpty(connection.sourceId);
    const to = nonEmpty(connection.targetEntityInternalId) ?? nonEmpty(connection.targetId);
    if (from && to && !next.has(from)) next.set(from, to);
  }
  const ordered: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (let at = nonEmpty(properties.entryPointEntityInternalID); at && byId.has(at) && !seen.has(at); at = next.get(at)) {
    seen.add(at);
    ordered.push(byId.get(at)!);
  }
  const chained = ordered.length > 1 && entityId(ordered[ordered.length - 1]) === nonEmpty(properties.targetEntityInternalID);
  return (chained ? ordered : entities).map(step).filter((found): found is AttackPathStep => found !== undefined);
}

function entityId(entity: Record<string, unknown>): string | undefined {
  return nonEmpty(entity.entityInternalId) ?? nonEmpty(entity.internalId) ?? nonEmpty(entity.id);
}

/** A step from an entity of either shape: its ARM id wherever the shape puts it. */
function step(entity: unknown): AttackPathStep | undefined {
  if (!isRecord(entity)) return undefined;
  const identifiers = isRecord(entity.entityIdentifiers) ? entity.entityIdentifiers : {};
  const candidates = [identifiers.azureResourceId, entity.azureResourceId, entity.resourceId, entity.id].map(nonEmpty);
  const resourceId = candidates.find((candidate) => candidate?.toLowerCase().startsWith('/subscriptions/'));
  const name = nonEmpty(entity.entityName) ?? nonEmpty(entity.name) ?? nonEmpty(entity.displayName);
  const type = nonEmpty(entity.entityType) ?? nonEmpty(entity.type) ?? nonEmpty(entity.label);
  return resourceId || name || type ? { resourceId: resourceId?.toLowerCase(), name, type } : undefined;
}

function dedupeAdjacent(steps: AttackPathStep[]): AttackPathStep[] {
  return steps.filter((candidate, index) => index === 0 || JSON.stringify(candidate) !== JSON.stringify(steps[index - 1]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '').slice(0, 100) : [];
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Remediation text (and missing display names and severities) from the built-in assessment metadata. */
export async function addRemediation(context: LoadContext, subscriptionId: string, assessments: DeployedAssessment[], errors: SnapshotError[]): Promise<void> {
  context.progress({ phase: 'metadata', message: 'Reading remediation steps of Defender recommendations' });
  const wanted = new Set(assessments.map((assessment) => assessment.key.toLowerCase()));
  const metadata = await attempt(context, errors, 'assessmentsMetadata', '/providers/Microsoft.Security/assessmentMetadata', async () => {
    const found = new Map<string, { displayName?: string; severity?: string; remediation?: string }>();
    for await (const entry of context.clients.security(subscriptionId).assessmentsMetadata.list({ abortSignal: context.options.abortSignal })) {
      if (entry.name && wanted.has(entry.name.toLowerCase())) {
        found.set(entry.name.toLowerCase(), { displayName: entry.displayName, severity: entry.severity, remediation: entry.remediationDescription });
      }
    }
    return found;
  });
  for (const assessment of assessments) {
    const entry = metadata?.get(assessment.key.toLowerCase());
    if (!entry) continue;
    assessment.remediation = entry.remediation;
    assessment.displayName ??= entry.displayName;
    assessment.severity ??= entry.severity;
  }
}
