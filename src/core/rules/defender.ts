// Defender for Cloud's API recommendations (domain.md, section 1). Keys marked unconfirmed are
// matched by display name as well when observed data arrives.
import type { DefenderMapping } from '../findings';

export const DEFENDER = {
  plan: { number: 1, displayName: 'Microsoft Defender for APIs should be enabled', keyConfirmed: false, severity: 'High' },
  onboarding: { number: 2, displayName: 'Azure API Management APIs should be onboarded to Defender for APIs', keyConfirmed: false, severity: 'High' },
  unusedEndpoints: {
    number: 3,
    displayName: 'API endpoints that are unused should be disabled and removed from the Azure API Management service',
    assessmentKey: '4e8c00a2-e8bc-42a8-9e12-99584a51ad10',
    keyConfirmed: true,
    severity: 'Low',
  },
  endpointAuthentication: {
    number: 4,
    displayName: 'API endpoints in Azure API Management should be authenticated',
    assessmentKey: '91af2040-7874-4659-abf0-578e1f8d07dc',
    keyConfirmed: true,
    severity: 'High',
  },
  subscriptionScope: {
    number: 5,
    displayName: 'API Management subscriptions should not be scoped to all APIs',
    assessmentKey: '44aae697-8cc1-4ed1-a136-44a644bfd51f',
    keyConfirmed: true,
    severity: 'Medium',
  },
  backendCertificateValidation: {
    number: 6,
    displayName: 'API Management calls to API backends should not bypass certificate thumbprint or name validation',
    assessmentKey: 'e0905114-2b51-4728-ab31-550f2058ec6c',
    keyConfirmed: false,
    severity: 'Medium',
  },
  encryptedProtocols: {
    number: 8,
    displayName: 'API Management APIs should use only encrypted protocols',
    assessmentKey: '741b141d-8111-4d86-a4e0-f74b06270a74',
    keyConfirmed: false,
    severity: 'High',
  },
  namedValueKeyVault: { number: 9, displayName: 'API Management secret named values should be stored in Azure Key Vault', keyConfirmed: false, severity: 'Medium' },
  backendAuthentication: { number: 12, displayName: 'API Management calls to API backends should be authenticated', keyConfirmed: false, severity: 'Medium' },
} satisfies Record<string, DefenderMapping>;
