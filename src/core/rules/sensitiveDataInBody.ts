import { highestSensitivity } from '../analysis/sensitiveData';
import { typeNames } from '../analysis/dataExposure';
import type { Finding } from '../findings';
import { apiRule, predicted, ruleHelpUri } from './rule';

const meta = {
  id: 'sensitive-data-in-body',
  title: 'Sensitive data classification of request and response bodies',
  severity: 'info',
  description:
    'Classifies the properties of request and response bodies (names, formats, patterns, examples) into information types, as Defender for APIs does for its sensitivity labels, so that the operations that handle sensitive data get the strongest protection.',
  remediation: 'Make sure the operation is authenticated, uses HTTPS only, and returns only the sensitive fields its callers need.',
  helpUri: ruleHelpUri('sensitive-data-in-body'),
} as const;

/** Related locations listed per finding; the rest is counted in the message. */
const MAX_RELATED_FIELDS = 20;

export const sensitiveDataInBody = apiRule(meta, (context, api) => {
  const findings: Finding[] = [];
  for (const operation of api.operations) {
    const fields = context.exposure(api, operation).inBodies;
    if (fields.length === 0) continue;
    const classifications = fields.flatMap((entry) => entry.classifications);
    const directions = [...new Set(fields.map((entry) => entry.body.direction))].join(' and ');
    findings.push(
      predicted(meta, {
        resource: operation.id,
        message: `Operation ${operation.name} (API ${api.name}) carries ${typeNames(classifications).join(', ')} in its ${directions} bodies (${fields.length} field${fields.length === 1 ? '' : 's'}).`,
        location: fields[0].field.location,
        related: fields.slice(0, MAX_RELATED_FIELDS).map((entry) => ({
          location: entry.field.location,
          message: `${entry.field.path} (${entry.body.direction}${entry.body.status ? ' ' + entry.body.status : ''}): ${typeNames(entry.classifications).join(', ')}`,
        })),
        properties: { informationTypes: [...new Set(classifications.map((c) => c.type.id))], sensitivity: highestSensitivity(classifications) },
      }),
    );
  }
  return findings;
});
