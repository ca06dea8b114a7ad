// Defender for Cloud's recommendations that no rule predicts from the files: reported as Defender
// observed them (read into the snapshot of Azure), each under `defender-<assessment key>`.
import type { DeployedAssessment, DeployedSnapshot } from '../azure/snapshot';
import type { DefenderMapping, RuleMetadata, Severity } from '../findings';
import { DEFENDER, matchesDefender, predictingRule } from './defender';
import { ruleHelpUri } from './rule';

const ID_PREFIX = 'defender-';

/**
 * Recommendations of Microsoft's reference (recommendations-reference-api) that no rule predicts: on
 * API Management, and the unused endpoints of Function Apps and Logic Apps, which only Azure's
 * traffic data tells (a snapshot).
 */
const UNUSED_FUNCTION_APP_ENDPOINTS: DefenderMapping = { displayName: 'Unused API endpoints should be disabled and removed from Function Apps', keyConfirmed: false, severity: 'Low' };
const UNUSED_LOGIC_APP_ENDPOINTS: DefenderMapping = { displayName: 'Unused API endpoints should be disabled and removed from Logic Apps', keyConfirmed: false, severity: 'Low' };

export const UNPREDICTED_RECOMMENDATIONS: readonly DefenderMapping[] = [
  { displayName: 'API Management direct management endpoint should not be enabled', assessmentKey: 'e2aeced9-6ef0-410e-b948-4aaa65ded9a7', keyConfirmed: false, severity: 'Low' },
  { displayName: 'API Management should disable public network access to the service configuration endpoints', keyConfirmed: false, severity: 'Medium' },
  { displayName: 'API Management minimum API version should be set to 2019-12-01 or higher', keyConfirmed: false, severity: 'Medium' },
  UNUSED_FUNCTION_APP_ENDPOINTS,
  UNUSED_LOGIC_APP_ENDPOINTS,
];

/**
 * Defender's recommendations on the API endpoints of Function Apps and Logic Apps: assessed on a site
 * or a workflow rather than on API Management, and placed on the repository's triggers. Their keys are
 * not published: they are known by display name.
 */
export const HOSTED_RECOMMENDATIONS: readonly DefenderMapping[] = [DEFENDER.functionAppEndpointAuthentication, DEFENDER.logicAppEndpointAuthentication, UNUSED_FUNCTION_APP_ENDPOINTS, UNUSED_LOGIC_APP_ENDPOINTS];

const DESCRIPTION = 'Reported by Defender for Cloud on the deployed service; no rule of APIM Posture predicts it from the files.';
const REMEDIATION = 'See the recommendation in Defender for Cloud.';

function known(recommendation: DefenderMapping): string {
  const key = recommendation.assessmentKey ? `assessment key \`${recommendation.assessmentKey}\`${recommendation.keyConfirmed ? '' : ' (unconfirmed)'}` : 'assessment key not published';
  return `*${recommendation.displayName}* (${recommendation.severity}, ${key})`;
}

/** The rules of all such recommendations, as one section of the documentation. */
export const OBSERVED_RECOMMENDATION_RULE: RuleMetadata = {
  id: 'defender-{assessment-key}',
  title: 'A Defender for Cloud recommendation no rule predicts',
  severity: 'medium',
  description: `${DESCRIPTION} Each such recommendation is a rule of its own, named \`defender-\` and its assessment key, with Defender's severity (medium when Defender gives none) and remediation; it is reported only from a snapshot of Azure. The ones known: ${UNPREDICTED_RECOMMENDATIONS.map(known).join('; ')}.`,
  remediation: `Follow the recommendation's remediation, which the finding carries from Defender for Cloud, then load from Azure again.`,
  helpUri: ruleHelpUri('defender-{assessment-key}'),
};

/** The rule id of an observed assessment: the predicting rule's, else `defender-<key>`. */
export function observedRuleId(assessment: Pick<DeployedAssessment, 'key' | 'displayName'>, rules: readonly RuleMetadata[]): string {
  return predictingRule(assessment, rules)?.id ?? `${ID_PREFIX}${assessment.key.toLowerCase()}`;
}

/** The assessment key of a `defender-<key>` id; undefined for any other id. */
export function observedRecommendationKey(id: string): string | undefined {
  return id.startsWith(ID_PREFIX) && id.length > ID_PREFIX.length && id !== OBSERVED_RECOMMENDATION_RULE.id ? id.slice(ID_PREFIX.length) : undefined;
}

/** The rule of one recommendation no rule predicts: what an assessment of it says, else what is known of it. */
export function observedRecommendationRule(assessment: Pick<DeployedAssessment, 'key'> & Partial<Pick<DeployedAssessment, 'displayName' | 'severity' | 'remediation'>>): RuleMetadata {
  const recommendation = UNPREDICTED_RECOMMENDATIONS.find((candidate) => matchesDefender(assessment, candidate));
  const severity = severityOf(assessment.severity ?? recommendation?.severity);
  const displayName = assessment.displayName ?? recommendation?.displayName;
  return {
    id: `${ID_PREFIX}${assessment.key.toLowerCase()}`,
    title: displayName ?? `Defender for Cloud recommendation ${assessment.key}`,
    severity,
    description: DESCRIPTION,
    remediation: assessment.remediation ?? REMEDIATION,
    defender: recommendation ?? { displayName: displayName ?? assessment.key, assessmentKey: assessment.key, keyConfirmed: true, severity: capitalized(severity) },
    helpUri: OBSERVED_RECOMMENDATION_RULE.helpUri,
  };
}

/** The rules of a snapshot's assessments that none of `rules` predicts, so that reports can describe them. */
export function observedRules(snapshot: DeployedSnapshot, rules: readonly RuleMetadata[]): RuleMetadata[] {
  const byId = new Map<string, RuleMetadata>();
  for (const assessment of snapshot.assessments) {
    if (predictingRule(assessment, rules)) continue;
    const rule = observedRecommendationRule(assessment);
    if (!byId.has(rule.id)) byId.set(rule.id, rule);
  }
  return [...byId.values()];
}

/** Defender's severity as a finding's; medium when Defender gives none (or one unknown here). */
export function severityOf(severity: string | undefined): Severity {
  const lower = (severity ?? '').toLowerCase();
  return lower === 'high' || lower === 'medium' || lower === 'low' ? lower : 'medium';
}

function capitalized(severity: Severity): 'High' | 'Medium' | 'Low' {
  return severity === 'high' ? 'High' : severity === 'low' ? 'Low' : 'Medium';
}
