// The one list of rules: what a scan runs, and every rule a finding can name. The CLI's `rules` and
// `explain`, docs/rules.md, the reports' rule metadata (through the scan) and the editor read it here.
import type { RuleMetadata } from '../findings';
import { apiOnboarding } from './apiOnboarding';
import { backendAuthentication } from './backendAuthentication';
import { backendCertificateValidation } from './backendCertificateValidation';
import { defenderForApisPlan } from './defenderForApisPlan';
import { POLICY_DRIFT_RULE } from './deployedPolicyDiffers';
import { encryptedProtocols } from './encryptedProtocols';
import { endpointAuthentication } from './endpointAuthentication';
import { fragmentIncludeCycle } from './fragmentIncludeCycle';
import { functionAppEndpointAuthentication } from './functionAppEndpointAuthentication';
import { gatewayBypass } from './gatewayBypass';
import { INPUT_PROBLEM_RULE } from './inputProblem';
import { logicAppEndpointAuthentication } from './logicAppEndpointAuthentication';
import { missingFragment } from './missingFragment';
import { namedValueKeyVault } from './namedValueKeyVault';
import { OBSERVED_RECOMMENDATION_RULE, observedRecommendationKey, observedRecommendationRule } from './observedRecommendation';
import type { DeploymentFactRule, Rule } from './rule';
import { sensitiveDataInBody } from './sensitiveDataInBody';
import { sensitiveDataInUrl } from './sensitiveDataInUrl';
import { subscriptionAllApis } from './subscriptionScope';
import { EXPIRED_SUPPRESSION_RULE } from './suppressionExpired';
import { unusedEndpoint } from './unusedEndpoint';

/** The rules that read what Azure told (the Defender for APIs plan, onboarding, unused endpoints): they say nothing without a snapshot. */
export const DEPLOYMENT_FACT_RULES: readonly DeploymentFactRule[] = [defenderForApisPlan, apiOnboarding, unusedEndpoint];

/** The rules a scan runs on each service's model. */
export const ALL_RULES: readonly Rule[] = [
  endpointAuthentication,
  subscriptionAllApis,
  backendCertificateValidation,
  encryptedProtocols,
  namedValueKeyVault,
  backendAuthentication,
  sensitiveDataInUrl,
  sensitiveDataInBody,
  missingFragment,
  fragmentIncludeCycle,
  functionAppEndpointAuthentication,
  logicAppEndpointAuthentication,
  gatewayBypass,
  ...DEPLOYMENT_FACT_RULES,
];

/**
 * Every rule a finding can name, in the order of docs/rules.md: the rules a scan runs, then those the
 * scan reports itself (drift from a snapshot, Defender's recommendations no rule predicts, input
 * problems, expired suppressions).
 */
export const RULE_CATALOG: readonly RuleMetadata[] = [...ALL_RULES.map((rule) => rule.meta), POLICY_DRIFT_RULE, OBSERVED_RECOMMENDATION_RULE, INPUT_PROBLEM_RULE, EXPIRED_SUPPRESSION_RULE];

/** A rule by its id: one of the catalog, or a recommendation of Defender's no rule predicts (`defender-<key>`). */
export function ruleById(id: string): RuleMetadata | undefined {
  const key = observedRecommendationKey(id);
  return RULE_CATALOG.find((rule) => rule.id === id) ?? (key === undefined ? undefined : observedRecommendationRule({ key }));
}
