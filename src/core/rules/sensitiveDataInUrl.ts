import { highestSensitivity } from '../analysis/sensitiveData';
import { typeNames } from '../analysis/dataExposure';
import type { Finding } from '../findings';
import { apiRule, predicted, ruleHelpUri } from './rule';

const meta = {
  id: 'sensitive-data-in-url',
  title: 'Sensitive data should not travel in URLs',
  severity: 'high',
  description:
    'Path segments and query strings are written to gateway, proxy and server logs, browser history and analytics. Parameters that carry national ids, card numbers, credentials, health or personal data there leak it. Defender for APIs reports such endpoints as exposing sensitive data.',
  remediation: 'Move the value to the request body or a header (POST a search instead of GET ?ssn=...), or use an opaque identifier in the URL.',
  helpUri: ruleHelpUri('sensitive-data-in-url'),
} as const;

export const sensitiveDataInUrl = apiRule(meta, (context, api) => {
  const findings: Finding[] = [];
  for (const operation of api.operations) {
    for (const { parameter, classifications } of context.exposure(api, operation).inUrl) {
      const types = typeNames(classifications);
      findings.push(
        predicted(meta, {
          resource: operation.id,
          key: `${parameter.in}:${parameter.name}`,
          message: `${parameter.in === 'path' ? 'Path' : 'Query'} parameter ${parameter.name} of operation ${operation.name} (API ${api.name}) carries ${types.join(', ')} in the URL.`,
          location: parameter.location,
          properties: { informationTypes: classifications.map((c) => c.type.id), sensitivity: highestSensitivity(classifications), evidence: classifications.map((c) => c.evidence) },
        }),
      );
    }
  }
  return findings;
});
