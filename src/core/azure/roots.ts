// Which deployed service each APIOps root of a repository of several is compared with: the one the
// configuration names, else the one the root declares (its environment's publisher configuration,
// its folder's name), else the one holding the most of its APIs. A tie compares nothing: drift
// against another environment's service would be wrong, so the root is named with why.
import { serviceOverlap } from './mapping';
import type { DeployedService, DeployedSnapshot } from './snapshot';
import type { ApimService } from '../model';
import { CONFIG_FILE_NAME } from '../config';

export interface RootToMatch {
  service: ApimService;
  /** The root's path below the scanned folder, as findings name it. */
  label: string;
  /** The deployed service (name or ARM id) `.apim-posture.json` names for the root, and the file that does. */
  named?: { deployed: string; source: string };
  /** The deployed service the root's APIOps publisher configuration names, and the file that does. */
  declared?: { deployed: string; source: string };
}

export interface RootMatch {
  root: RootToMatch;
  /** The deployed service it is compared with; none when it is not compared. */
  deployed?: DeployedService;
  /** How it was matched, or why it is not compared. */
  reason: string;
}

/** One match per root, in the roots' order. */
export function matchRoots(roots: readonly RootToMatch[], snapshot: DeployedSnapshot): RootMatch[] {
  const matches = new Map<RootToMatch, RootMatch>();
  const howToName = (root: RootToMatch) => `name it in ${CONFIG_FILE_NAME}: "services": {"${root.label}": "<service name or ARM id>"}`;
  for (const root of roots) {
    const given = root.named ?? root.declared;
    if (given) {
      const found = findService(snapshot, given.deployed);
      const how = root.named ? `named in ${given.source}` : `the APIOps configuration ${given.source} names it`;
      matches.set(root, 'service' in found ? { root, deployed: found.service, reason: how } : { root, reason: `${given.source} names ${given.deployed} for it, but ${found.why}` });
      continue;
    }
    const segments = root.label.toLowerCase().split('/');
    const byFolder = snapshot.services.filter((candidate) => segments.includes(candidate.name.toLowerCase()));
    if (byFolder.length === 1) matches.set(root, { root, deployed: byFolder[0], reason: `its folder is named ${byFolder[0].name}` });
  }

  // The rest by the APIs they hold, among the services no other root was matched with: the clearest
  // pair first (no other service holds as many of the root's APIs, no other root as many of the
  // service's), then again without them, so that prod's match leaves dev its own.
  const free = new Set(snapshot.services.filter((candidate) => ![...matches.values()].some((match) => match.deployed === candidate)));
  const pending = new Set(roots.filter((root) => !matches.has(root)));
  const ranking = (root: RootToMatch) => [...free].map((service) => ({ service, score: serviceOverlap(root.service, service) })).sort((a, b) => b.score - a.score);
  for (;;) {
    const clear = [...pending].flatMap((root) => {
      const [first, second] = ranking(root);
      return first && first.score > 0 && first.score !== second?.score ? [{ root, ...first }] : [];
    });
    const pick = clear
      .filter((candidate) => !clear.some((other) => other.root !== candidate.root && other.service === candidate.service && other.score >= candidate.score))
      .sort((a, b) => b.score - a.score)[0];
    if (!pick) break;
    matches.set(pick.root, { root: pick.root, deployed: pick.service, reason: `${pick.service.name} holds the most of its APIs` });
    pending.delete(pick.root);
    free.delete(pick.service);
  }
  for (const root of pending) {
    const [first, second] = ranking(root);
    const rival = first && [...pending].find((other) => other !== root && ranking(other)[0]?.service === first.service);
    const why = !first || first.score === 0
      ? `no deployed service in the snapshot${free.size < snapshot.services.length ? ' (besides those of other roots)' : ''} holds any of its APIs`
      : first.score === second?.score
        ? `${first.service.name} and ${second.service.name} hold as many of its APIs`
        : `${first.service.name} holds as many APIs of ${rival?.label ?? 'another root'}`;
    matches.set(root, { root, reason: `${why}; ${howToName(root)}` });
  }
  return roots.map((root) => matches.get(root)!);
}

/** A deployed service by ARM id, or by name when one service of the snapshot has it. */
export function findService(snapshot: DeployedSnapshot, nameOrId: string): { service: DeployedService } | { why: string } {
  const wanted = nameOrId.toLowerCase();
  const byId = wanted.includes('/providers/');
  const found = snapshot.services.filter((candidate) => (byId ? candidate.id.toLowerCase() === wanted : candidate.name.toLowerCase() === wanted));
  if (found.length === 1) return { service: found[0] };
  return { why: found.length === 0 ? 'the snapshot of Azure does not hold it' : `${found.length} services of the snapshot are named so: name it by its ARM id` };
}
