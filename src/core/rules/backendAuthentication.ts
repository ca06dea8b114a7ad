import type { Finding } from '../findings';
import { DEFENDER } from './defender';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'backend-authentication',
  title: 'Calls to backends should be authenticated',
  severity: 'medium',
  description:
    'A backend declared without a client certificate or authorization credentials trusts whoever can reach it; anyone who bypasses API Management reaches the service directly.',
  remediation:
    'Give the backend credentials: a client certificate (`credentials.certificateIds`), an authorization header or a key from a named value (`credentials.header`), or authenticate with the managed identity.',
  defender: DEFENDER.backendAuthentication,
  helpUri: ruleHelpUri('backend-authentication'),
} as const;

export const backendAuthentication: Rule = {
  meta,
  check(context) {
    const findings: Finding[] = [];
    for (const backend of context.service.backends) {
      if (backend.hasCredentials === true) continue;
      const subject = `Backend ${backend.name}${backend.url ? ` (${backend.url})` : ''}`;
      // Not known is not absent: said at info, so that the reader checks what the files left open.
      const unknown = backend.hasCredentials === 'unknown';
      findings.push(
        predicted(meta, {
          resource: backend.id,
          message: unknown
            ? `${subject}: whether it has a client certificate or authorization credentials is not known from the files (see the input problem at its credentials); Defender reports it if it has none.`
            : `${subject} has no client certificate and no authorization credentials.`,
          location: backend.declaration.locate(['credentials']),
          ...(unknown && { severity: 'info', properties: { credentialsKnown: false } }),
        }),
      );
    }
    return findings;
  },
};
