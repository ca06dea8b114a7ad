// The goals measured when `.apim-posture.json` declares none: Defender for APIs' recommendations on
// APIs and the Zero Trust principles behind them (verify every call explicitly, least privilege, no
// secrets in transit in the clear, no exception without an end). Non-blocking: they report, and only
// `--fail-on-goals` makes them fail a build. The README's "Posture goals" section lists them.
import type { Goal } from './goal';

type BaselineGoal = Omit<Goal, 'blocking' | 'location'>;

const FROM_FILES: readonly BaselineGoal[] = [
  // Defender: API endpoints in Azure API Management should be authenticated.
  { id: 'baseline-authenticated-operations', title: 'Every operation requires authentication', metric: 'authenticated-operations', target: { min: 1 } },
  // Defender: API Management subscriptions should not be scoped to all APIs.
  { id: 'baseline-no-all-apis-subscriptions', title: 'No subscription is scoped to all APIs', metric: 'findings', rule: 'subscription-all-apis', target: { max: 0 } },
  // Defender: API Management APIs should use only encrypted protocols.
  { id: 'baseline-https-only', title: 'APIs accept https only', metric: 'findings', rule: 'encrypted-protocols', target: { max: 0 } },
  // Defender for APIs' sensitive data classification: URLs end up in logs, caches and browser history.
  { id: 'baseline-no-sensitive-data-in-urls', title: 'No sensitive data in URLs', metric: 'requirements', require: ['no-sensitive-data-in-url'], target: { max: 0 } },
  // Defender: API Management calls to API backends should not bypass certificate thumbprint or name validation.
  { id: 'baseline-backend-certificates-validated', title: 'Calls to backends validate their certificates', metric: 'findings', rule: 'backend-certificate-validation', target: { max: 0 } },
  { id: 'baseline-suppressions-expire', title: 'Every suppression has an expiry date', metric: 'suppressions-without-expiry', target: { max: 0 } },
];

/** What only Azure knows: measured when a snapshot of Azure is compared with the repository. */
const FROM_AZURE: readonly BaselineGoal[] = [
  // Defender: Azure API Management APIs should be onboarded to Defender for APIs.
  { id: 'baseline-apis-onboarded', title: 'Every deployed API is onboarded to Defender for APIs', metric: 'onboarded-apis', target: { min: 1 } },
  { id: 'baseline-defender-plan', title: 'The Defender for APIs plan is on', metric: 'defender-plan', target: { min: 1 } },
];

/** The built-in goals; those about Azure only when a snapshot of it is compared (without one they could not be measured). */
export function baselineGoals(withSnapshot: boolean): Goal[] {
  return [...FROM_FILES, ...(withSnapshot ? FROM_AZURE : [])].map((goal) => ({ ...goal, blocking: false }));
}
