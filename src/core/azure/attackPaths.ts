// Defender's attack paths through the mapped service, each step placed on the local file that declares
// it where there is one: the path from the internet through the gateway to the API, told in the code.
import type { ApimService, ResourceId } from '../model';
import type { SourceLocation } from '../text';
import { mappedService, type ApiMapping } from './mapping';
import { Placer } from './placement';
import type { LoadedSnapshot } from './snapshot';

export interface ObservedAttackPathStep {
  name?: string;
  /** What Defender says the step is (`microsoft.apimanagement/service/apis`, `Internet`). */
  type?: string;
  resourceId?: string;
  /** The local resource and its declaration, when the step is a resource of the mapped service the repository has. */
  resource?: ResourceId;
  location?: SourceLocation;
}

export interface ObservedAttackPath {
  /** Defender's attack path id (its ARM id). */
  id: string;
  title: string;
  description?: string;
  riskLevel?: string;
  riskFactors: string[];
  remediation?: string;
  steps: ObservedAttackPathStep[];
  /** Where the path is in the snapshot file, for paths whose steps the repository does not declare. */
  snapshotLocation: SourceLocation;
}

/** The attack paths of the snapshot with a step in the service `mappings` map to; none when the snapshot did not read them (said by `unreadParts`). */
export function observedAttackPaths(service: ApimService, loaded: LoadedSnapshot, mappings: readonly ApiMapping[]): ObservedAttackPath[] {
  const deployed = mappedService(loaded.snapshot, mappings);
  if (!deployed) return [];
  const placer = new Placer(service, deployed, mappings);
  const found: ObservedAttackPath[] = [];
  (loaded.snapshot.attackPaths ?? []).forEach((path, index) => {
    if (!path.steps.some((step) => step.resourceId && placer.relative(step.resourceId) !== undefined)) return;
    found.push({
      id: path.id,
      title: path.displayName ?? path.id.split('/').pop() ?? path.id,
      description: path.description,
      riskLevel: path.riskLevel,
      riskFactors: path.riskFactors,
      remediation: path.remediation,
      steps: path.steps.map((step) => {
        const placement = step.resourceId ? placer.place(step.resourceId, '') : undefined;
        return { name: step.name, type: step.type, resourceId: step.resourceId, resource: placement?.resource, location: placement?.location };
      }),
      snapshotLocation: { file: loaded.file, span: loaded.document.valueSpan(['attackPaths', index]) ?? { start: 0, end: 0 } },
    });
  });
  return found;
}
