import type { ApiMapping } from '../azure/mapping';
import type { DriftItem } from '../azure/drift';
import type { LoadedSnapshot } from '../azure/snapshot';
import type { SnapshotStatus } from '../azure/status';
import type { Coverage } from '../coverage';
import type { Finding, RuleMetadata } from '../findings';
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
  /** The per-operation analyses the rules used (authentication, sensitive data), for the editor to show. */
  analyses: Pick<RuleContext, 'auth' | 'exposure' | 'sensitiveData'>;
  durationMs: number;
  toolVersion: string;
  /** What was read and what was not, with why. */
  coverage: Coverage;
  /** The snapshot of Azure merged into this scan, the service it was compared with, the API mappings and the drift it showed. */
  deployed?: { local: ApimService; snapshot: LoadedSnapshot; mappings: ApiMapping[]; drift: DriftItem[] };
  /** When the merged snapshot was taken, whether it is stale, and what Azure did not answer then: every report says it. */
  snapshot?: SnapshotStatus;
}
