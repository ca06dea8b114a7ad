// Defender's Unhealthy assessments of the deployed service, placed on the local files they are about,
// and merged into the findings that already say the same: one finding per problem.
import type { DefenderView, Finding, RuleMetadata } from '../findings';
import type { ApimService, ResourceId } from '../model';
import { ALL_RULES } from '../rules/catalog';
import { matchesDefender } from '../rules/defender';
import { HOSTED_RECOMMENDATIONS, observedRuleId, severityOf } from '../rules/observedRecommendation';
import { findingId } from '../rules/rule';
import type { SourceLocation } from '../text';
import { isInside } from '../workspace/files';
import { backendTargets } from './backendResources';
import { hostedTarget, placeHosted } from './hostedPlacement';
import { mappedService, type ApiMapping } from './mapping';
import { Placer } from './placement';
import type { DeployedAssessment, LoadedSnapshot } from './snapshot';

export const OBSERVED_SOURCE = 'Defender for APIs';

/**
 * Defender's Unhealthy assessments of the mapped service as findings of origin `observed`, on the
 * local spec operation, API declaration or policy they are about; those with no local counterpart
 * point at their entry in the snapshot file when it is inside the scanned `root`, else at the
 * service's root folder (marked `unmapped` either way): a report never points outside what it scanned.
 * Defender's recommendations on the API endpoints of Function Apps and Logic Apps go on the repository's
 * HTTP triggers (hostedPlacement.ts); one that cannot be placed says why, when the service calls its app.
 * Each has the id the rule's own finding on the resource has, so that `mergeObserved` can fold it into one.
 */
export function observedFindings(
  service: ApimService,
  loaded: LoadedSnapshot,
  mappings: readonly ApiMapping[],
  root: string,
  rules: readonly RuleMetadata[] = ALL_RULES.map((rule) => rule.meta),
): Finding[] {
  const { snapshot } = loaded;
  const deployed = mappedService(snapshot, mappings);
  if (!deployed) return [];
  const placer = new Placer(service, deployed, mappings);
  const snapshotInRoot = isInside(root, loaded.file);
  const findings: Finding[] = [];
  const calledHosts = backendTargets([deployed]).hosts;
  snapshot.assessments.forEach((assessment, index) => {
    if (assessment.status !== 'Unhealthy') return;
    const ruleId = observedRuleId(assessment, rules);
    const atSnapshot = () => (snapshotInRoot ? { file: loaded.file, span: loaded.document.valueSpan(['assessments', index]) ?? { start: 0, end: 0 } } : { file: service.root, span: { start: 0, end: 0 } });
    const hosted = HOSTED_RECOMMENDATIONS.some((recommendation) => matchesDefender(assessment, recommendation)) ? hostedTarget(assessment) : undefined;
    if (hosted) {
      const placed = placeHosted(service, hosted);
      // One the repository cannot place is said where the deployed service calls the app: another root's otherwise.
      if (!('trigger' in placed) && !calledHosts.some((host) => host.startsWith(`${hosted.app.toLowerCase()}.`))) return;
      findings.push(
        'trigger' in placed
          ? observedFinding(assessment, ruleId, rules, { resource: placed.trigger.id, location: placed.trigger.location, where: `${placed.trigger.name} of ${hosted.app}`, placed: true, findingKey: '' })
          : observedFinding(assessment, ruleId, rules, { resource: placed.resource, location: atSnapshot(), where: hosted.endpoint ? `${hosted.endpoint} of ${hosted.app}` : hosted.app, placed: false, note: `It is not placed on the repository's code: ${placed.why}.` }),
      );
      return;
    }
    if (!placer.relative(assessment.resourceId)) return;
    const placement = placer.place(assessment.resourceId, ruleId);
    const relative = placer.deployedRelative(assessment.resourceId)!;
    findings.push(
      observedFinding(assessment, ruleId, rules, {
        resource: placement?.resource ?? relative,
        location: placement?.location ?? atSnapshot(),
        where: `${relative} in ${deployed.name}`,
        placed: placement !== undefined,
        findingKey: placement?.findingKey,
        mapping: placement?.mapping,
        note: placement ? placement.note : 'It has no counterpart in the repository.',
      }),
    );
  });
  return findings;
}

/** Where an observed finding is, and what it says of it: on a local file, or unplaced (in the snapshot). */
interface ObservedPlace {
  resource: ResourceId;
  location: SourceLocation;
  /** The resource as Defender names it, for the message. */
  where: string;
  /** On a local file; else in the snapshot (or at the root), marked `unmapped`. */
  placed: boolean;
  /** The key the rule's own finding on `resource` has, when placed on the assessed resource itself. */
  findingKey?: string;
  mapping?: ApiMapping;
  note?: string;
}

function observedFinding(assessment: DeployedAssessment, ruleId: string, rules: readonly RuleMetadata[], place: ObservedPlace): Finding {
  const { resource, location, where, placed, findingKey, mapping, note } = place;
  const detail = [assessment.cause, assessment.description].filter(Boolean).join(' ');
  return {
    // Placed elsewhere than the assessed resource (an operation the repository lacks, on its API), it keeps an id of its own.
    id: findingId(ruleId, resource, findingKey ?? `observed:${assessment.key.toLowerCase()}:${assessment.resourceId.toLowerCase()}`),
    ruleId,
    severity: severityOf(assessment.severity),
    resource,
    remediation: assessment.remediation ?? rules.find((rule) => rule.id === ruleId)?.remediation ?? 'See the recommendation in Defender for Cloud.',
    message: [
      // The resource first: lists (the Findings view, tables) cut long lines, and the recommendation is in the rule.
      `${where} is Unhealthy in Defender for Cloud: "${assessment.displayName ?? assessment.key}".`,
      detail,
      note,
    ]
      .filter(Boolean)
      .join(' '),
    location,
    related: [],
    fixes: [],
    origin: 'observed',
    defender: defenderView(assessment),
    properties: {
      mapping: mapping && { reason: mapping.reason, confidence: mapping.confidence },
      // No local file declares the resource: the finding sits in the snapshot, shown in lists, not as a diagnostic.
      unmapped: !placed,
    },
  };
}

function defenderView(assessment: DeployedAssessment): DefenderView {
  return {
    assessmentKey: assessment.key,
    displayName: assessment.displayName,
    azureResourceId: assessment.resourceId,
    status: assessment.status,
    firstEvaluationDate: assessment.firstEvaluationDate,
    statusChangeDate: assessment.statusChangeDate,
    portalUri: httpsUrl(assessment.portalUri),
    remediation: assessment.remediation,
    risk: assessment.risk,
  };
}

/**
 * Folds each observed finding into the finding with its id (`idInScan`: as the scan names it) that the
 * files predict, or that a rule reading the deployment facts reports (onboarding, unused endpoints):
 * that finding keeps its id, location and fixes, carries Defender's view (`defender`) and says it in
 * its message. Returns the observed findings nothing else reports, which stay findings of their own.
 */
export function mergeObserved(findings: readonly Finding[], observed: readonly Finding[], idInScan: (finding: Finding) => string = (finding) => finding.id): Finding[] {
  const byId = new Map(findings.map((finding) => [finding.id, finding]));
  const alone: Finding[] = [];
  for (const finding of observed) {
    const twin = byId.get(idInScan(finding));
    if (!twin || !finding.defender || twin.defender) {
      alone.push(finding);
      continue;
    }
    twin.defender = finding.defender;
    twin.message += ` ${defenderConfirms(finding.defender, twin.origin)}`;
  }
  return alone;
}

/** `Defender for APIs reports it too: Unhealthy since 2026-04-20 (first assessed 2026-02-02).` */
function defenderConfirms(defender: DefenderView, origin: Finding['origin']): string {
  const day = (time: string | undefined) => (time && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString().slice(0, 10) : undefined);
  const since = day(defender.statusChangeDate);
  const first = day(defender.firstEvaluationDate);
  const dates = since ? ` since ${since}${first && first !== since ? ` (first assessed ${first})` : ''}` : '';
  // A deployment fact (an unused endpoint) already comes from Defender: its assessment is no second voice.
  return `${origin === 'predicted' ? `${OBSERVED_SOURCE} reports it too` : `${OBSERVED_SOURCE}' assessment`}: ${defender.status}${dates}.`;
}

/** `text` when it is an https URL: a snapshot in the repository is anyone's to write, and reports and the editor link to it. */
function httpsUrl(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    // The parsed form: percent-encoded, so that it is a URI wherever it is written (SARIF checks).
    const url = new URL(text);
    return url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
