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

  // The rest by the APIs they hold, among the services no other root was matched with.
  const taken = new Set([...matches.values()].flatMap((match) => (match.deployed ? [match.deployed] : [])));
  const free = snapshot.services.filter((candidate) => !taken.has(candidate));
  const best = new Map<RootToMatch, { service: DeployedService; score: number }>();
  for (const root of roots.filter((candidate) => !matches.has(candidate))) {
    const [first, second] = free.map((service) => ({ service, score: serviceOverlap(root.service, service) })).sort((a, b) => b.score - a.score);
    if (!first || first.score === 0) matches.set(root, { root, reason: `no deployed service in the snapshot${taken.size > 0 ? ' (besides those of other roots)' : ''} holds any of its APIs; ${howToName(root)}` });
    else if (second && second.score === first.score) matches.set(root, { root, reason: `${first.service.name} and ${second.service.name} hold as many of its APIs; ${howToName(root)}` });
    else best.set(root, first);
  }
  for (const [root, { service, score }] of best) {
    const [stronger] = [...best].filter(([other, candidate]) => other !== root && candidate.service === service && candidate.score >= score).sort((a, b) => b[1].score - a[1].score);
    if (!stronger) matches.set(root, { root, deployed: service, reason: `${service.name} holds the most of its APIs` });
    else if (stronger[1].score === score) matches.set(root, { root, reason: `${service.name} holds as many APIs of ${stronger[0].label}; ${howToName(root)}` });
    else matches.set(root, { root, reason: `${service.name} holds more APIs of ${stronger[0].label}, which is compared with it; ${howToName(root)}` });
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
