import type { Declared } from '../model';
import type { Finding } from '../findings';
import { setDeclaredProperties } from '../fixes/declarationEdits';
import { DEFENDER } from './defender';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'backend-certificate-validation',
  title: 'Calls to backends should validate the certificate',
  severity: 'medium',
  description:
    'With certificate chain or name validation turned off, API Management accepts any certificate from the backend, so a man in the middle can read and change every call.',
  remediation: 'Set `tls.validateCertificateChain` and `tls.validateCertificateName` to true on the backend (or remove them: true is the default).',
  defender: DEFENDER.backendCertificateValidation,
  helpUri: ruleHelpUri('backend-certificate-validation'),
} as const;

export const backendCertificateValidation: Rule = {
  meta,
  check(context) {
    const findings: Finding[] = [];
    for (const backend of context.service.backends) {
      const disabled = (
        [
          ['validateCertificateChain', backend.validateCertificateChain],
          ['validateCertificateName', backend.validateCertificateName],
        ] as [string, Declared<boolean> | undefined][]
      ).filter(([, setting]) => setting?.value === false);
      if (disabled.length === 0) continue;
      findings.push(
        predicted(meta, {
          resource: backend.id,
          message: `Backend ${backend.name} does not validate the backend's TLS certificate (${disabled.map(([property]) => `${property}: false`).join(', ')}).`,
          location: disabled[0][1]!.location,
          related: disabled.slice(1).map(([property, setting]) => ({ location: setting!.location, message: `${property} is false` })),
          fixes: () => {
            const edit = setDeclaredProperties(backend.declaration, disabled.map(([property]) => [['tls', property], true]));
            return edit ? [{ id: 'validate-certificates', title: `Validate the certificate chain and name of backend ${backend.name}`, preferred: true, edits: [edit] }] : [];
          },
        }),
      );
    }
    return findings;
  },
};
