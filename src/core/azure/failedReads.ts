import { scopePath, type PolicyScope } from './policies';
import type { DeployedService, DeployedSnapshot, SnapshotError, SnapshotPart } from './snapshot';

/** The reads about a deployed service that failed: what they would have told is unknown, never absent. */
export class FailedReads {
  constructor(
    private readonly snapshot: DeployedSnapshot,
    private readonly deployed: DeployedService,
  ) {}

  /** The failed read of a scope's policy (recorded at `<service id>/…/policies/policy`). */
  policy(scope: PolicyScope): SnapshotError | undefined {
    const below = scope.kind === 'global' ? [] : scopePath(scope);
    const wanted = [this.deployed.id, ...below, 'policies', 'policy'].join('/').toLowerCase();
    return this.deployed.errors.find((error) => error.operation === 'policy' && error.scope.toLowerCase() === wanted);
  }

  /**
   * A part of the service's subscription, the plan or onboarding: read, failed, or not asked for when the
   * snapshot does not hold the subscription (a hand-written one; an export lists every subscription it read).
   */
  subscriptionPart(part: 'plan' | 'onboarding'): SnapshotPart {
    const subscription = this.snapshot.subscriptions.find((candidate) => candidate.id.toLowerCase() === this.deployed.subscriptionId.toLowerCase());
    if (!subscription) return { part, scope: `/subscriptions/${this.deployed.subscriptionId}`, state: 'not-asked', reason: `subscription ${this.deployed.subscriptionId} is not in the snapshot` };
    return subscriptionPart(subscription, part);
  }

  /** A failed Resource Graph query of Defender's assessments. */
  assessments(): SnapshotError | undefined {
    return this.snapshot.errors.find((error) => error.operation === 'assessments');
  }

  attackPaths(): SnapshotPart {
    return attackPathsPart(this.snapshot);
  }

  backendResources(): SnapshotPart {
    return backendResourcesPart(this.snapshot);
  }
}

/** The resources behind the backends: read, failed, or not asked for by an older version. */
export function backendResourcesPart(snapshot: DeployedSnapshot): SnapshotPart {
  const graph = 'Microsoft.ResourceGraph/resources';
  const error = snapshot.errors.find((candidate) => candidate.operation === 'backendResources');
  if (error) return { part: 'backendResources', scope: graph, state: 'failed', error };
  return snapshot.backendResources
    ? { part: 'backendResources', scope: graph, state: 'read' }
    : { part: 'backendResources', scope: graph, state: 'not-asked', reason: 'the snapshot was taken by a version that did not read the resources behind the backends' };
}

function attackPathsPart(snapshot: DeployedSnapshot): SnapshotPart {
  const graph = 'Microsoft.ResourceGraph/resources';
  const error = snapshot.errors.find((candidate) => candidate.operation === 'attackPaths');
  if (error) return { part: 'attackPaths', scope: graph, state: 'failed', error };
  return snapshot.attackPaths ? { part: 'attackPaths', scope: graph, state: 'read' } : { part: 'attackPaths', scope: graph, state: 'not-asked', reason: 'the snapshot was taken by a version that did not read attack paths' };
}

const OPERATION_OF_PART = { plan: 'pricing', onboarding: 'apiCollections', services: 'services' } as const;

function subscriptionPart(subscription: DeployedSnapshot['subscriptions'][number], part: keyof typeof OPERATION_OF_PART): SnapshotPart {
  const scope = `/subscriptions/${subscription.id}`;
  const error = subscription.errors.find((candidate) => candidate.operation === OPERATION_OF_PART[part]);
  return error ? { part, scope, state: 'failed', error } : { part, scope, state: 'read' };
}

/** Every part of the snapshot, each read, failed (with the error) or not asked for (with why): what a report may conclude from. */
export function snapshotParts(snapshot: DeployedSnapshot): SnapshotPart[] {
  const graph = 'Microsoft.ResourceGraph/resources';
  const assessments = snapshot.errors.find((error) => error.operation === 'assessments');
  return [
    assessments ? { part: 'assessments', scope: graph, state: 'failed', error: assessments } : { part: 'assessments', scope: graph, state: 'read' },
    snapshot.healthyAssessments
      ? { part: 'healthyAssessments', scope: graph, state: 'read' }
      : { part: 'healthyAssessments', scope: graph, state: 'not-asked', reason: 'Unhealthy assessments only (snapshot export --include-healthy asks for the others)' },
    attackPathsPart(snapshot),
    backendResourcesPart(snapshot),
    ...snapshot.subscriptions.flatMap((subscription) => (['services', 'plan', 'onboarding'] as const).map((part) => subscriptionPart(subscription, part))),
  ];
}
