import type { DriftItem } from '../azure/drift';
import type { Finding, RuleMetadata } from '../findings';
import { findingId, ruleHelpUri } from './rule';

export const POLICY_DRIFT_RULE: RuleMetadata = {
  id: 'deployed-policy-differs',
  title: 'The deployed policy differs from the repository',
  severity: 'info',
  description:
    'The policy API Management runs (read from Azure into the snapshot) is not the one in the repository, whitespace aside: either the repository has changes not deployed yet, or someone changed the service outside git. Without a snapshot the rule says nothing.',
  remediation: 'Deploy the repository, or bring the change made in Azure into the repository.',
  helpUri: ruleHelpUri('deployed-policy-differs'),
};

/** Findings for the reports: `policy-differs` drift as info findings (the other kinds annotate observed findings). */
export function driftFindings(items: readonly DriftItem[]): Finding[] {
  return items
    .filter((item) => item.kind === 'policy-differs')
    .map((item) => ({
      id: findingId(POLICY_DRIFT_RULE.id, item.resource, 'policy'),
      remediation: POLICY_DRIFT_RULE.remediation,
      ruleId: POLICY_DRIFT_RULE.id,
      severity: POLICY_DRIFT_RULE.severity,
      resource: item.resource,
      message: item.message,
      location: item.location,
      related: [],
      fixes: [],
      origin: 'observed' as const,
      properties: { source: 'Azure', drift: item.kind, etag: item.etag },
    }));
}
