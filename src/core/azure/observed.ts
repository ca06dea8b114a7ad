// Defender's Unhealthy assessments of the deployed service as findings of origin `observed`, placed
// on the local files they are about.
import type { Finding, RuleMetadata } from '../findings';
import type { ApimService } from '../model';
import { isInside } from '../workspace/files';
import { ALL_RULES, DEPLOYMENT_FACT_RULES } from '../rules/catalog';
import { observedRuleId, severityOf } from '../rules/observedRecommendation';
import { findingId } from '../rules/rule';
import { mappedService, type ApiMapping } from './mapping';
import { Placer } from './placement';
import type { LoadedSnapshot } from './snapshot';

export const OBSERVED_SOURCE = 'Defender for APIs';

/**
 * Defender's Unhealthy assessments of the mapped service as findings of origin `observed`, on the
 * local spec operation, API declaration or policy they are about; those with no local counterpart
 * point at their entry in the snapshot file when it is inside the scanned `root`, else at the
 * service's root folder (marked `unmapped` either way): a report never points outside what it scanned. An assessment of the plan, onboarding or unused endpoints that a rule
 * reading the deployment facts already reports on the same resource is left out: both come from the
 * same snapshot, and one finding says it (`applySnapshot` must have run).
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
  const reportedFromFacts = new Set(DEPLOYMENT_FACT_RULES.flatMap((rule) => rule.reportedResources(service).map((resource) => `${rule.meta.id}|${resource.toLowerCase()}`)));
  const snapshotInRoot = isInside(root, loaded.file);
  const findings: Finding[] = [];
  snapshot.assessments.forEach((assessment, index) => {
    if (assessment.status !== 'Unhealthy' || !placer.relative(assessment.resourceId)) return;
    const ruleId = observedRuleId(assessment, rules);
    const placement = placer.place(assessment.resourceId, ruleId);
    const relative = placer.deployedRelative(assessment.resourceId)!;
    const resource = placement?.resource ?? relative;
    if (reportedFromFacts.has(`${ruleId}|${resource.toLowerCase()}`)) return;
    const location =
      placement?.location ?? (snapshotInRoot ? { file: loaded.file, span: loaded.document.valueSpan(['assessments', index]) ?? { start: 0, end: 0 } } : { file: service.root, span: { start: 0, end: 0 } });
    const where = `${relative} in ${deployed.name}`;
    const detail = [assessment.cause, assessment.description].filter(Boolean).join(' ');
    findings.push({
      id: findingId(ruleId, resource, `observed:${assessment.key.toLowerCase()}:${assessment.resourceId.toLowerCase()}`),
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
      properties: {
        source: OBSERVED_SOURCE,
        assessmentKey: assessment.key,
        displayName: assessment.displayName,
        azureResourceId: assessment.resourceId,
        status: assessment.status,
        portalUri: httpsUrl(assessment.portalUri),
        remediation: assessment.remediation,
        mapping: placement?.mapping && { reason: placement.mapping.reason, confidence: placement.mapping.confidence },
        // No local file declares the resource: the finding sits in the snapshot, shown in lists, not as a diagnostic.
        unmapped: !placement,
      },
    });
  });
  return findings;
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
