import { scopePath, type PolicyScope } from './policies';
import type { DeployedService, DeployedSnapshot, SnapshotError } from './snapshot';

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

  /** A failed read of the service's subscription: `pricing` (the plan) or `apiCollections` (onboarding). */
  inSubscription(operation: 'pricing' | 'apiCollections'): SnapshotError | undefined {
    const subscription = this.snapshot.subscriptions.find((candidate) => candidate.id.toLowerCase() === this.deployed.subscriptionId.toLowerCase());
    return subscription?.errors.find((error) => error.operation === operation);
  }

  /** A failed Resource Graph query of Defender's assessments. */
  assessments(): SnapshotError | undefined {
    return this.snapshot.errors.find((error) => error.operation === 'assessments');
  }
}
