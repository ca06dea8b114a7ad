// The facts about a deployed service that only Azure knows (the Defender for APIs plan, onboarding,
// inactive operations, the resources behind its backends), read from the snapshot into the local model for the rules that need them.
import { azureBackendsRead } from '../backends/azureFacts';
import type { ApimService, DeploymentFacts, ResourceId } from '../model';
import { DEFENDER, matchesDefender } from '../rules/defender';
import { FailedReads } from './failedReads';
import { describeSnapshotError } from './summary';
import { mappedService, type ApiMapping } from './mapping';
import { Placer } from './placement';
import type { DeployedSnapshot } from './snapshot';

/** Fills `service.deployment` from the snapshot and returns it. */
export function applySnapshot(service: ApimService, snapshot: DeployedSnapshot, mappings: readonly ApiMapping[]): DeploymentFacts {
  const deployed = mappedService(snapshot, mappings);
  const facts: DeploymentFacts = {};
  if (deployed) {
    const failed = new FailedReads(snapshot, deployed);
    // A plan that was not read (failed, or its subscription not asked for) is unknown, not off.
    const tier = snapshot.subscriptions.find((subscription) => subscription.id.toLowerCase() === deployed.subscriptionId.toLowerCase())?.defenderForApis?.pricingTier;
    if (tier && failed.subscriptionPart('plan').state === 'read') facts.defenderForApisEnabled = tier === 'Standard';
    const mapped = mappings.filter((mapping) => mapping.deployed?.serviceId.toLowerCase() === deployed.id.toLowerCase());
    facts.deployedApis = mapped.map((mapping) => mapping.local);
    // Onboarding and inactive operations stay unknown unless read: an empty list would claim none.
    if (failed.subscriptionPart('onboarding').state === 'read') {
      const collections = new Set(deployed.apiCollections.map((collection) => collection.apiName.toLowerCase()));
      facts.onboardedApis = mapped.filter((mapping) => collections.has(baseApiName(mapping.deployed!.api))).map((mapping) => mapping.local);
    }
    const backendResources = failed.backendResources();
    facts.azureBackends = azureBackendsRead(snapshot, backendResources.error && describeSnapshotError(backendResources.error).replace(/\.+$/, ''));
    if (!failed.assessments()) {
      const placer = new Placer(service, deployed, mappings);
      facts.inactiveOperations = snapshot.assessments
        .filter((assessment) => assessment.status === 'Unhealthy' && matchesDefender(assessment, DEFENDER.unusedEndpoints))
        .map((assessment) => placer.operation(assessment.resourceId)?.id)
        .filter((id): id is ResourceId => Boolean(id));
    }
  }
  service.deployment = facts;
  return facts;
}

/** APIM onboards an API, not a revision: `orders;rev=2` is onboarded when `orders` is. */
function baseApiName(name: string): string {
  return name.split(';')[0].toLowerCase();
}
