import * as path from 'path';
import type { ObservedAttackPath } from '../azure/attackPaths';
import type { ApiMapping } from '../azure/mapping';
import type { DriftItem } from '../azure/drift';
import type { DeployedService, LoadedSnapshot } from '../azure/snapshot';
import type { SnapshotStatus } from '../azure/status';
import type { Coverage } from '../coverage';
import type { Finding, RuleMetadata } from '../findings';
import type { GoalResult, GoalsSource } from '../goals/goal';
import type { TrendPoint } from './contract';
import type { ApimService } from '../model';
import type { RuleContext } from '../rules/rule';
import type { LineIndex } from '../text';

/** Everything a report needs: what was scanned, what was found, and how to turn offsets into lines. */
export interface ScanResult {
  /** Absolute path of the scanned folder; report paths are relative to it. */
  root: string;
  /** The services the repository declares (one per APIOps root), each with its `root`; never empty. */
  services: ApimService[];
  /** All findings, suppressed ones included (each carries its `suppression`); input problems are findings of rule `input-problem`. */
  findings: Finding[];
  /** Metadata of every rule that ran (and of `input-problem`). */
  rules: RuleMetadata[];
  /** Line index of a file that was read (for offsets → line/column). */
  lineIndex(file: string): LineIndex;
  /** The text of a file as the scan read it (unsaved editor contents included): the text all spans refer to. */
  sourceText(file: string): string;
  /** The per-operation analyses the rules used (authentication, sensitive data, backends), for the editor to show. */
  analyses: Pick<RuleContext, 'auth' | 'exposure' | 'sensitiveData' | 'backends' | 'backend' | 'risk' | 'riskSummary'>;
  durationMs: number;
  toolVersion: string;
  /** What was read and what was not, with why. */
  coverage: Coverage;
  /** The snapshot of Azure merged into this scan: one comparison per root compared with a deployed service (none when no root matched one). */
  deployed?: DeployedComparison[];
  /** When the merged snapshot was taken, whether it is stale, and what Azure did not answer then: every report says it. */
  snapshot?: SnapshotStatus;
  /** Each goal measured on this scan: `.apim-posture.json`'s, or the built-in baseline's (`goalsSource`); absent only in a result no scan made. */
  goals?: GoalResult[];
  goalsSource?: GoalsSource;
  /** The posture over the git history, oldest first, when the trend was asked for. */
  trend?: TrendPoint[];
}

/** One root of the repository compared with the deployed service it is. */
export interface DeployedComparison {
  local: ApimService;
  /** The deployed service it is compared with; none when the snapshot holds no service (a repository of one root). */
  service?: DeployedService;
  /** How the root was matched with that service, when it was chosen for the root (several roots, or one named in the config). */
  matchedBy?: string;
  /** The whole snapshot, as read (every service in it). */
  snapshot: LoadedSnapshot;
  mappings: ApiMapping[];
  drift: DriftItem[];
  /** Defender's attack paths through the service, placed on the repository. */
  attackPaths: ObservedAttackPath[];
}

/** The comparison of the service that read `file`, else of the root that holds it. */
export function comparisonOf(result: Pick<ScanResult, 'deployed'>, file: string): DeployedComparison | undefined {
  const comparisons = result.deployed ?? [];
  return (
    comparisons.find((comparison) => comparison.local.filesRead.includes(file)) ??
    comparisons.find((comparison) => file === comparison.local.root || file.startsWith(comparison.local.root + path.sep))
  );
}
