// What Defender for Cloud says of the deployed services: its assessments for all subscriptions at once
// through Resource Graph, their remediation text through assessmentsMetadata, the Defender for APIs
// plan through pricings, and onboarding through the apiCollections REST API (absent from
// @azure/arm-security, so sent through the client's own pipeline).
import type { SecurityCenter } from '@azure/arm-security';
import { parseApimResourceId, sendArm } from './arm';
import { attempt, type LoadContext } from './loadContext';
import { graphQuery } from './resourceGraph';
import type { DeployedApiCollection, DeployedAssessment, SnapshotError } from './snapshot';

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
    '| extend resourceId = tolower(tostring(properties.resourceDetails.Id)), status = tostring(properties.status.code)',
    "| where resourceId has '/providers/microsoft.apimanagement/service/'",
    ...(includeHealthy ? [] : ["| where status == 'Unhealthy'"]),
    '| project assessmentKey = name, resourceId, status, severity = tostring(properties.metadata.severity), displayName = tostring(properties.displayName),',
    '  cause = tostring(properties.status.cause), description = tostring(properties.status.description), portalUri = tostring(properties.links.azurePortalUri),',
    '  firstEvaluationDate = tostring(properties.status.firstEvaluationDate), statusChangeDate = tostring(properties.status.statusChangeDate)',
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
    }));
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
