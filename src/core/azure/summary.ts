// What a load from Azure brought, in the words the CLI and the editor both show.
import type { DeployedSnapshot, SnapshotError } from './snapshot';

export interface SnapshotSummary {
  services: number;
  apis: number;
  unhealthy: number;
  /** Everything that could not be read, from any level of the snapshot. */
  errors: SnapshotError[];
  /** Not one subscription could be listed: such a snapshot must not replace a good one. */
  everySubscriptionFailed: boolean;
  /** `2 API Management service(s), 14 API(s), 9 Unhealthy assessment(s) from 1 subscription(s)`. */
  text: string;
}

export function summarizeSnapshot(snapshot: DeployedSnapshot): SnapshotSummary {
  const errors = [...snapshot.errors, ...snapshot.subscriptions.flatMap((subscription) => subscription.errors), ...snapshot.services.flatMap((service) => service.errors), ...(snapshot.backendResources ?? []).flatMap((resource) => resource.errors)];
  const everySubscriptionFailed = snapshot.subscriptions.length > 0 && snapshot.subscriptions.every((subscription) => subscription.errors.some((error) => error.operation === 'services'));
  const apis = snapshot.services.reduce((count, service) => count + service.apis.length, 0);
  const unhealthy = snapshot.assessments.filter((assessment) => assessment.status === 'Unhealthy').length;
  const text =
    `${snapshot.services.length} API Management service(s), ${apis} API(s), ${unhealthy} Unhealthy assessment(s) from ${snapshot.subscriptions.length} subscription(s)` +
    (errors.length ? `; ${errors.length} part(s) could not be read` : '');
  return { services: snapshot.services.length, apis, unhealthy, errors, everySubscriptionFailed, text };
}

export function describeSnapshotError(error: SnapshotError): string {
  return `${error.operation} of ${error.scope} could not be read${error.status ? ` (${error.status}${error.code ? ` ${error.code}` : ''})` : ''}: ${error.message}`;
}
