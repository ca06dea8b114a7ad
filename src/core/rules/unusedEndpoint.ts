import type { ApiResource, ApimService, OperationResource } from '../model';
import { DEFENDER } from './defender';
import { observedFact, ruleHelpUri, type DeploymentFactRule } from './rule';

const meta = {
  id: 'unused-endpoint',
  title: 'Unused API endpoints should be disabled and removed',
  severity: 'low',
  description:
    'An operation that received no traffic for 30 days is attack surface nobody watches: it keeps accepting calls, and a flaw in it goes unnoticed. Which operations saw no traffic comes from Defender for APIs (read into the snapshot) for onboarded APIs; without a snapshot the rule says nothing.',
  remediation: 'If the operation is no longer needed, remove it from the spec (and its policy) and deploy; if it still is (a yearly job, a fallback), suppress the finding with a reason and an expiry.',
  defender: DEFENDER.unusedEndpoints,
  helpUri: ruleHelpUri('unused-endpoint'),
} as const;

/** The local operations Azure reports without traffic for 30 days. */
function inactiveOperations(service: ApimService): { api: ApiResource; operation: OperationResource }[] {
  const inactive = new Set(service.deployment?.inactiveOperations ?? []);
  if (inactive.size === 0) return [];
  return service.apis.flatMap((api) => api.operations.filter((operation) => inactive.has(operation.id)).map((operation) => ({ api, operation })));
}

export const unusedEndpoint: DeploymentFactRule = {
  meta,
  reportedResources: (service) => inactiveOperations(service).map(({ operation }) => operation.id),
  check(context) {
    return inactiveOperations(context.service).map(({ api, operation }) =>
      observedFact(meta, {
        resource: operation.id,
        message: `Operation ${operation.method && operation.urlTemplate ? `${operation.method.toUpperCase()} ${operation.urlTemplate} (${operation.name})` : operation.name} of API ${api.name} is unused: Defender for APIs saw no traffic to it for 30 days.`,
        location: operation.location,
      }),
    );
  },
};
