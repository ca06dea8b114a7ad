import type { Finding, Fix } from '../findings';
import { setDeclaredProperties } from '../fixes/declarationEdits';
import type { NamedValueResource } from '../model';
import { DEFENDER } from './defender';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'named-value-key-vault',
  title: 'Secret named values should be stored in Azure Key Vault',
  severity: 'medium',
  description:
    'A secret named value kept in API Management itself cannot be rotated, audited or access-controlled like a Key Vault secret, and an export can carry it into git.',
  remediation: 'Make the named value a Key Vault reference: `"keyVault": {"secretIdentifier": "https://<vault>.vault.azure.net/secrets/<name>"}` and drop `value`.',
  defender: DEFENDER.namedValueKeyVault,
  helpUri: ruleHelpUri('named-value-key-vault'),
} as const;

export const namedValueKeyVault: Rule = {
  meta,
  check(context) {
    const findings: Finding[] = [];
    for (const namedValue of context.service.namedValues) {
      if (namedValue.secret?.value !== true || namedValue.keyVaultSecretIdentifier) continue;
      const inGit = namedValue.hasValue ? ' Its value is written in the repository.' : '';
      findings.push(
        predicted(meta, {
          resource: namedValue.id,
          message: `Secret named value ${namedValue.displayName ?? namedValue.name} is stored in API Management, not in Azure Key Vault.${inGit}`,
          location: namedValue.secret.location,
          properties: { valueInRepository: namedValue.hasValue },
          fixes: () => keyVaultReferenceFix(namedValue),
        }),
      );
    }
    return findings;
  },
};

/** Stands for the team's vault in the fix; the editor asks for the real secret identifier before applying. */
export const KEY_VAULT_PLACEHOLDER = 'https://YOUR-KEY-VAULT.vault.azure.net/secrets/';

/** Makes the named value a Key Vault reference and drops any value kept in API Management (and in git). */
function keyVaultReferenceFix(namedValue: NamedValueResource): Fix[] {
  const edit = setDeclaredProperties(namedValue.declaration, [
    [['keyVault'], { secretIdentifier: KEY_VAULT_PLACEHOLDER + namedValue.name }],
    [['value'], undefined],
  ]);
  return edit ? [{ id: 'key-vault-reference', title: `Store ${namedValue.name} in Azure Key Vault`, preferred: true, edits: [edit] }] : [];
}
