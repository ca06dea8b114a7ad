// The language server's own requests and notifications, beside LSP's: what the editor asks of the
// engine and what the engine tells it. Every value is plain data (src/core/report/contract.ts).
import type { PostureConfig } from '../core/config';
import type { FileEdit } from '../core/text';
import type { ReportSummary } from '../core/report/common';
import type { AnalysisReport, ReportFinding, ReportOperation, ReportRule } from '../core/report/contract';

/** The editor's settings for one workspace folder (resource scope), and the user's that apply to all. */
export interface FolderSettings {
  /** `file:` URI of the workspace folder. */
  folder: string;
  settings: Partial<Pick<PostureConfig, 'rules' | 'customInformationTypes' | 'exclude'>>;
}

export interface ServerSettings {
  folders: FolderSettings[];
  /** How long one analysis may take (a user setting: a workspace cannot raise it). */
  analysisTimeBudgetMs: number;
  /** Quiet time after an edit before analysing. */
  analysisDelayMs: number;
  highSeverityAs: 'error' | 'warning';
  showInfoFindings: boolean;
}

export const DEFAULT_SERVER_SETTINGS: ServerSettings = { folders: [], analysisTimeBudgetMs: 5000, analysisDelayMs: 300, highSeverityAs: 'error', showInfoFindings: true };

/** Client → server: the settings changed (sent once after start, then on every change). */
export const SETTINGS_NOTIFICATION = 'apimPosture/settings';

/** Client → server: analyse every folder now; resolves when the diagnostics are published. */
export const ANALYZE_REQUEST = 'apimPosture/analyze';

/**
 * Server → client: a folder was analysed, with what the status bar and the output channel show. It is
 * small whatever the repository's size: the client asks for the findings of a file, or for the whole
 * report when a view needs it.
 */
export const ANALYZED_NOTIFICATION = 'apimPosture/analyzed';
export interface AnalyzedParams {
  folder: string;
  /** Raised on every analysis of the folder: a report asked for later names the analysis it comes from. */
  version: number;
  /** The analysis ran out of its time budget: what it left out is in the report. */
  stopped: boolean;
  summary: AnalysisSummary;
}

export interface AnalysisSummary extends ReportSummary {
  /** Active findings Defender reports (from the snapshot), alone or confirming a prediction: each problem once. */
  observed: number;
  /** One line per service: its root, layout and APIs. */
  services: string[];
  inputProblems: number;
  /** When the merged snapshot of Azure was taken, and what every report says of it (stale, partial). */
  snapshot?: { createdAt: string; notices: string[] };
  /** What was read and what was not, in a few lines. */
  coverage: string[];
  /** The posture goals as measured: how many are met, and the others (the status bar's tooltip). */
  goals?: { met: number; total: number; notMet: { id: string; title: string; blocking: boolean; status: 'not-met' | 'not-evaluated' }[] };
}

/** Server → client: an analysis failed (the engine itself, not one file or rule: those are findings). */
export const ANALYSIS_FAILED_NOTIFICATION = 'apimPosture/analysisFailed';
export interface AnalysisFailedParams {
  folder: string;
  message: string;
}

/** Client → server: the findings located in one file, with the rules they are of. */
export const FILE_FINDINGS_REQUEST = 'apimPosture/fileFindings';
export interface FileParams {
  /** Absolute path. */
  file: string;
}
export type FileFindingsResult = { folder: string; root: string; findings: ReportFinding[]; rules: ReportRule[] } | null;

/** Client → server: the operations whose spec operation is in one file (where code lenses go). */
export const FILE_OPERATIONS_REQUEST = 'apimPosture/fileOperations';
export type FileOperationsResult = { folder: string; root: string; operations: ReportOperation[] } | null;

/** Client → server: the last report of a folder (without each operation's effective policy), for the views that list everything. */
export const REPORT_REQUEST = 'apimPosture/report';
export interface ReportParams {
  folder: string;
}
export type ReportResult = { version: number; report: AnalysisReport } | null;

/** Client → server: the edits of some fixes of a finding of the last analysis, computed on the text it read. */
export const FIX_EDITS_REQUEST = 'apimPosture/fixEdits';
export interface FixEditsParams {
  folder: string;
  findingId: string;
  fixIds: string[];
}
export type FixEditsResult = {
  fixId: string;
  edits: FileEdit[];
  /** Named values the policy a fix adds refers to and the repository does not declare: edits that create them as placeholders. */
  missingNamedValues?: FileEdit[];
}[];

/** Client → server: how many active findings of a rule, in every folder, have a recommended fix ("Fix all … (N)"). */
export const FIXABLE_COUNT_REQUEST = 'apimPosture/fixableCount';
export interface FixableCountParams {
  ruleId: string;
}

/** Client → server: an operation's effective policy as one readable XML document. */
export const EFFECTIVE_POLICY_REQUEST = 'apimPosture/effectivePolicy';
export interface EffectivePolicyParams {
  /** How commands name the operation (`ReportOperation.key`). */
  operation: string;
}
export type EffectivePolicyResult = string | null;
