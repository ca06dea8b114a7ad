import * as path from 'path';
import { pathToFileURL } from 'url';
import { findingSources, type Finding, type Fix, type RuleMetadata, type Severity } from '../findings';
import type { SourceLocation } from '../text';
import {
  compareFindings,
  encodeUriPath,
  INFORMATION_URI,
  regionOf,
  relativePath,
  sortedRules,
  TOOL_NAME,
  type Region,
  assumptionsOf,
  snapshotSection,
} from './common';
import { byPriority } from '../priority/priority';
import { jsonPieces, LazyArray } from './jsonStream';
import { boundedCoverage } from './coverage';
import { locator as reportLocator, reportGoal } from './analysisReport';
import { markdownText } from './markdown';
import type { ScanResult } from './scanResult';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** `partialFingerprints` key of `Finding.id`, versioned in case the id's derivation ever changes. */
export const FINGERPRINT_KEY = 'apimPosture/v1';
const SRCROOT = 'SRCROOT';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };

// GitHub code scanning ranks security alerts by this property (0.1-3.9 low, 4-6.9 medium, 7-8.9 high).
const SECURITY_SEVERITY: Record<Severity, string | undefined> = { high: '8.0', medium: '5.5', low: '3.0', info: undefined };

interface ArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

interface PhysicalLocation {
  artifactLocation: ArtifactLocation;
  region: Region;
}

interface Locator {
  artifact(file: string): ArtifactLocation;
  physical(location: SourceLocation): PhysicalLocation;
}

/** The scan as a SARIF 2.1.0 log with one run; regions are 1-based with UTF-16 columns, URIs relative to SRCROOT. */
export function formatSarif(result: ScanResult): string {
  return [...sarifReportPieces(result)].join('');
}

/** The log in pieces, one per result, for writing a log of any size. */
export function* sarifReportPieces(result: ScanResult): Generator<string> {
  const rules = sortedRules(result.rules);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const locator: Locator = {
    artifact: (file) => artifactLocation(result.root, file),
    physical: (location) => ({ artifactLocation: artifactLocation(result.root, location.file), region: regionOf(result.lineIndex, location) }),
  };

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: result.toolVersion,
            informationUri: INFORMATION_URI,
            rules: rules.map(sarifRule),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri(result.root) } },
        columnKind: 'utf16CodeUnits',
        properties: {
          assumptions: assumptionsOf(result).length > 0 ? assumptionsOf(result) : undefined,
          // Bounded: code scanning services limit a log's size, and a repository can leave any number of files unread.
          coverage: boundedCoverage(result.coverage),
          snapshot: snapshotSection(result, true),
          goalsSource: result.goalsSource,
          goals: result.goals?.map((goal) => reportGoal(goal, reportLocator(result.root, result.lineIndex))),
        },
        // Highest priority first (SARIF's `rank`), ties in file order.
        results: new LazyArray([...result.findings].sort(compareFindings).sort(byPriority), (finding) => sarifResult(finding, ruleIndex.get(finding.ruleId), locator)),
      },
    ],
  };
  yield* jsonPieces(log);
  yield '\n';
}

/** The root as an absolute file URI ending in `/`, so that relative URIs resolve inside it. */
function rootUri(root: string): string {
  const uri = pathToFileURL(root).href;
  return uri.endsWith('/') ? uri : uri + '/';
}

function artifactLocation(root: string, file: string): ArtifactLocation {
  const relative = relativePath(root, file);
  return path.isAbsolute(relative) ? { uri: pathToFileURL(file).href } : { uri: encodeUriPath(relative), uriBaseId: SRCROOT };
}

function sarifRule(rule: RuleMetadata) {
  const defender = rule.defender;
  const defenderText = defender ? `Defender for Cloud recommendation: ${defender.displayName} (${defender.severity}).` : undefined;
  return {
    id: rule.id,
    name: pascalCase(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: {
      text: [rule.description, `Remediation: ${rule.remediation}`, defenderText].filter(Boolean).join('\n\n'),
      markdown: [
        markdownText(rule.description),
        `**Remediation:** ${markdownText(rule.remediation)}`,
        defender && `**Defender for Cloud recommendation:** ${markdownText(defender.displayName)} (${defender.severity})`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    },
    helpUri: rule.helpUri,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', 'apim', ...(defender ? ['defender-for-apis'] : [])],
      'security-severity': SECURITY_SEVERITY[rule.severity],
      defender: defender && {
        recommendation: defender.displayName,
        assessmentKey: defender.assessmentKey,
        keyConfirmed: defender.keyConfirmed,
        severity: defender.severity,
      },
    },
  };
}

// SARIF's `name` is an identifier-like rule name (`ApiWithoutAuthentication`), `id` stays the stable key.
function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

function sarifResult(finding: Finding, ruleIndex: number | undefined, locator: Locator) {
  const physical = locator.physical;
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVEL[finding.severity],
    // SARIF's priority of a result, 0-100, higher first: the finding's priority score (its factors are in the JSON report and `apim-posture explain <id>`).
    rank: finding.priority?.score,
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: physical(finding.location),
        // Several services' resources share names (`apis/orders` in dev and in prod): the service's root tells them apart.
        logicalLocations: [{ fullyQualifiedName: finding.service === undefined ? finding.resource : `${finding.service}:${finding.resource}`, kind: 'resource' }],
      },
    ],
    relatedLocations: finding.related.length
      ? finding.related.map((related, index) => ({
          id: index + 1,
          physicalLocation: physical(related.location),
          message: { text: related.message },
        }))
      : undefined,
    partialFingerprints: { [FINGERPRINT_KEY]: finding.id },
    // No `status`: absent means in effect, and the 2.1.0 schema's first edition misspells it (`state`).
    suppressions: finding.suppression && [
      {
        kind: 'external',
        justification: finding.suppression.reason,
        location: { physicalLocation: physical(finding.suppression.location) },
        properties: finding.suppression.expires ? { expires: finding.suppression.expires } : undefined,
      },
    ],
    fixes: finding.fixes.length ? finding.fixes.map((fix) => sarifFix(fix, locator)) : undefined,
    // One result per problem: a prediction Defender confirms keeps its fingerprint, with both sources and Defender's facts.
    properties: { ...finding.properties, origin: finding.origin, sources: findingSources(finding), defender: finding.defender, service: finding.service },
  };
}

function sarifFix(fix: Fix, locator: Locator) {
  return {
    description: { text: fix.title },
    artifactChanges: fix.edits.map((fileEdit) => ({
      artifactLocation: locator.artifact(fileEdit.file),
      replacements: fileEdit.edits.map((edit) => ({
        deletedRegion: locator.physical({ file: fileEdit.file, span: edit.span }).region,
        insertedContent: { text: edit.newText },
      })),
      // SARIF has no "create file": the change inserts the whole text into an empty artifact.
      properties: fileEdit.create ? { create: true } : undefined,
    })),
  };
}
