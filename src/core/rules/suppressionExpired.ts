import type { SuppressionEntry } from '../config';
import type { Finding, RuleMetadata } from '../findings';
import { findingId, ruleHelpUri } from './rule';

export const EXPIRED_SUPPRESSION_RULE: RuleMetadata = {
  id: 'suppression-expired',
  title: 'Suppressions should not outlive their expiry date',
  severity: 'low',
  description: 'A suppression past its `expires` date no longer hides its findings; it should be renewed with a new reason, or removed.',
  remediation: 'Remove the suppression from .apim-posture.json, or renew it with a new date and reason.',
  helpUri: ruleHelpUri('suppression-expired'),
};

/** The finding of a suppression past its expiry date, at the place it is written. */
export function expiredSuppressionFinding(suppression: SuppressionEntry): Finding {
  return {
    // Two roots may each suppress the same resource: the root keeps the ids apart.
    id: findingId(EXPIRED_SUPPRESSION_RULE.id, suppression.service === undefined ? suppression.resource : `${suppression.service}:${suppression.resource}`, suppression.rule),
    ruleId: EXPIRED_SUPPRESSION_RULE.id,
    remediation: EXPIRED_SUPPRESSION_RULE.remediation,
    severity: EXPIRED_SUPPRESSION_RULE.severity,
    resource: suppression.resource,
    message: `The suppression of ${suppression.rule} on ${suppression.resource}${suppression.service === undefined ? '' : ` in ${suppression.service}`} expired on ${suppression.expires}; its findings are reported again.`,
    location: suppression.location,
    related: [],
    fixes: [],
    origin: 'predicted',
  };
}
