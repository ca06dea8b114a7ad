import type { ApimService } from '../model';
import type { InputProblem } from '../problems';
import { comparedPolicies, wholeFile } from './drift';
import { FailedReads } from './failedReads';
import { mappedService, type ApiMapping } from './mapping';
import type { LoadedSnapshot, SnapshotError, SnapshotPart } from './snapshot';
import { describeSnapshotError } from './summary';

/**
 * What the snapshot could not tell about the mapped service, as input problems in place of the
 * conclusions that would need it: a deployed policy that could not be read (where the repository has
 * one), the plan, onboarding, Defender's assessments and attack paths, and the resources behind the backends.
 */
export function unreadParts(service: ApimService, loaded: LoadedSnapshot, mappings: readonly ApiMapping[]): InputProblem[] {
  const deployed = mappedService(loaded.snapshot, mappings);
  if (!deployed) return [];
  const failed = new FailedReads(loaded.snapshot, deployed);
  // Azure's messages end in a period of their own.
  const why = (error: SnapshotError) => describeSnapshotError(error).replace(/\.+$/, '');
  const problems: InputProblem[] = [];
  for (const compared of comparedPolicies(service, deployed, mappings)) {
    const error = !compared.remote && compared.local ? failed.policy(compared.scope) : undefined;
    if (!error) continue;
    problems.push({
      file: compared.local!.file,
      span: wholeFile(compared.local!).span,
      kind: 'unread-in-azure',
      message: `The deployed ${compared.scope.kind} policy of ${compared.resource} is unknown, so it is not compared with the repository: ${why(error)}.`,
    });
  }
  const atSnapshot = (message: string): InputProblem => ({ file: loaded.file, kind: 'unread-in-azure', message });
  // A part not read, whether it failed or was not asked for, is unknown: never taken for "off" or "none".
  const notRead = (part: SnapshotPart) => (part.error ? why(part.error) : `${part.reason} (not asked for)`);
  const plan = failed.subscriptionPart('plan');
  if (plan.state !== 'read') problems.push(atSnapshot(`Whether the Defender for APIs plan is on is unknown: ${notRead(plan)}.`));
  const onboarding = failed.subscriptionPart('onboarding');
  if (onboarding.state !== 'read') problems.push(atSnapshot(`Which APIs are onboarded to Defender for APIs is unknown, so none is reported as not onboarded: ${notRead(onboarding)}.`));
  const assessments = failed.assessments();
  if (assessments) problems.push(atSnapshot(`Defender's findings and inactive endpoints are missing from this report: ${why(assessments)}.`));
  const attackPaths = failed.attackPaths();
  if (attackPaths.state !== 'read') problems.push(atSnapshot(`Defender's attack paths are unknown, so none is shown: ${notRead(attackPaths)}.`));
  const backendResources = failed.backendResources();
  if (backendResources.state !== 'read') problems.push(atSnapshot(`The Azure resources behind the backends are unknown, so the backends are judged by the repository's declarations alone: ${notRead(backendResources)}.`));
  return problems;
}
