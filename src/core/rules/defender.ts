// Defender for Cloud's recommendations on API Management that rules predict, as Microsoft's reference
// of API recommendations (learn.microsoft.com/azure/defender-for-cloud/recommendations-reference-api)
// names them. Keys marked unconfirmed are matched by display name as well when observed data arrives.
import type { DeployedAssessment } from '../azure/snapshot';
import type { DefenderMapping, RuleMetadata } from '../findings';

export const DEFENDER = {
  plan: { displayName: 'Microsoft Defender for APIs should be enabled', keyConfirmed: false, severity: 'High' },
  onboarding: { displayName: 'Azure API Management APIs should be onboarded to Defender for APIs', keyConfirmed: false, severity: 'High' },
  unusedEndpoints: {
    displayName: 'API endpoints that are unused should be disabled and removed from the Azure API Management service',
    assessmentKey: '4e8c00a2-e8bc-42a8-9e12-99584a51ad10',
    keyConfirmed: true,
    severity: 'Low',
  },
  endpointAuthentication: {
    displayName: 'API endpoints in Azure API Management should be authenticated',
    assessmentKey: '91af2040-7874-4659-abf0-578e1f8d07dc',
    keyConfirmed: true,
    severity: 'High',
  },
  subscriptionScope: {
    displayName: 'API Management subscriptions should not be scoped to all APIs',
    assessmentKey: '44aae697-8cc1-4ed1-a136-44a644bfd51f',
    keyConfirmed: true,
    severity: 'Medium',
  },
  backendCertificateValidation: {
    displayName: 'API Management calls to API backends should not bypass certificate thumbprint or name validation',
    assessmentKey: 'e0905114-2b51-4728-ab31-550f2058ec6c',
    keyConfirmed: false,
    severity: 'Medium',
  },
  encryptedProtocols: {
    displayName: 'API Management APIs should use only encrypted protocols',
    assessmentKey: '741b141d-8111-4d86-a4e0-f74b06270a74',
    keyConfirmed: false,
    severity: 'High',
  },
  namedValueKeyVault: { displayName: 'API Management secret named values should be stored in Azure Key Vault', keyConfirmed: false, severity: 'Medium' },
  backendAuthentication: { displayName: 'API Management calls to API backends should be authenticated', keyConfirmed: false, severity: 'Medium' },
  functionAppEndpointAuthentication: { displayName: 'Authentication should be enabled on API endpoints hosted in Function Apps', keyConfirmed: false, severity: 'High' },
  logicAppEndpointAuthentication: { displayName: 'Authentication should be enabled on API endpoints hosted in Logic Apps', keyConfirmed: false, severity: 'High' },
} satisfies Record<string, DefenderMapping>;

/** Whether an assessment is a recommendation: by its key, or by its display name (for keys not confirmed). */
export function matchesDefender(assessment: Pick<DeployedAssessment, 'key' | 'displayName'>, defender: DefenderMapping): boolean {
  return (
    (defender.assessmentKey !== undefined && defender.assessmentKey.toLowerCase() === assessment.key.toLowerCase()) ||
    (assessment.displayName !== undefined && assessment.displayName.toLowerCase() === defender.displayName.toLowerCase())
  );
}

/** The rule that predicts an assessment, by key or (for unconfirmed keys) by display name. */
export function predictingRule(assessment: Pick<DeployedAssessment, 'key' | 'displayName'>, rules: readonly RuleMetadata[]): RuleMetadata | undefined {
  return rules.find((rule) => rule.defender && matchesDefender(assessment, rule.defender));
}
