// Defender's Unhealthy assessments of the deployed service, placed on the local files they are about,
// and merged into the findings that already say the same: one finding per problem.
import type { DefenderView, Finding, RuleMetadata } from '../findings';
import type { ApimService } from '../model';
import { ALL_RULES } from '../rules/catalog';
import { observedRuleId, severityOf } from '../rules/observedRecommendation';
import { findingId } from '../rules/rule';
import { isInside } from '../workspace/files';
import { mappedService, type ApiMapping } from './mapping';
import { Placer } from './placement';
import type { DeployedAssessment, LoadedSnapshot } from './snapshot';

export const OBSERVED_SOURCE = 'Defender for APIs';

/**
 * Defender's Unhealthy assessments of the mapped service as findings of origin `observed`, on the
 * local spec operation, API declaration or policy they are about; those with no local counterpart
 * point at their entry in the snapshot file when it is inside the scanned `root`, else at the
 * service's root folder (marked `unmapped` either way): a report never points outside what it scanned.
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
  snapshot.assessments.forEach((assessment, index) => {
    if (assessment.status !== 'Unhealthy' || !placer.relative(assessment.resourceId)) return;
    const ruleId = observedRuleId(assessment, rules);
    const placement = placer.place(assessment.resourceId, ruleId);
    const relative = placer.deployedRelative(assessment.resourceId)!;
    const resource = placement?.resource ?? relative;
    const location =
      placement?.location ?? (snapshotInRoot ? { file: loaded.file, span: loaded.document.valueSpan(['assessments', index]) ?? { start: 0, end: 0 } } : { file: service.root, span: { start: 0, end: 0 } });
    const where = `${relative} in ${deployed.name}`;
    const detail = [assessment.cause, assessment.description].filter(Boolean).join(' ');
    findings.push({
      // Placed elsewhere than the assessed resource (an operation the repository lacks, on its API), it keeps an id of its own.
      id: findingId(ruleId, resource, placement?.findingKey ?? `observed:${assessment.key.toLowerCase()}:${assessment.resourceId.toLowerCase()}`),
      ruleId,
      severity: severityOf(assessment.severity),
      resource,
      remediation: assessment.remediation ?? rules.find((rule) => rule.id === ruleId)?.remediation ?? 'See the recommendation in Defender for Cloud.',
      message: [
        // The resource first: lists (the Findings view, tables) cut long lines, and the recommendation is in the rule.
        `${where} is Unhealthy in Defender for Cloud: "${assessment.displayName ?? assessment.key}".`,
        detail,
        placement?.note,
        placement ? undefined : 'It has no counterpart in the repository.',
      ]
        .filter(Boolean)
        .join(' '),
      location,
      related: [],
      fixes: [],
      origin: 'observed',
      defender: defenderView(assessment),
      properties: {
        mapping: placement?.mapping && { reason: placement.mapping.reason, confidence: placement.mapping.confidence },
        // No local file declares the resource: the finding sits in the snapshot, shown in lists, not as a diagnostic.
        unmapped: !placement,
      },
    });
  });
  return findings;
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
