// The quick fixes as a declarative catalog (after 42Crunch's vscode-openapi): which fixes are offered
// directly, and which are grouped behind one action that asks for the scope.
import type { ReportFix } from '../core/report/contract';
import { KEY_VAULT_PLACEHOLDER } from '../core/rules/namedValueKeyVault';

export interface ScopedFixGroup {
  /** The auth policy the group adds. */
  policy: string;
  title: string;
}

/** Fixes that add an authentication policy: one action per policy, the scope chosen in a QuickPick. */
export const SCOPED_FIX_GROUPS: readonly ScopedFixGroup[] = [
  { policy: 'validate-jwt', title: 'Require a JWT (validate-jwt)…' },
  { policy: 'validate-azure-ad-token', title: 'Require a Microsoft Entra token (validate-azure-ad-token)…' },
  { policy: 'validate-client-certificate', title: 'Require a client certificate (validate-client-certificate)…' },
];

/** What choosing each scope means, shown in the QuickPick. */
export const SCOPE_TRADE_OFFS: Record<string, { label: string; detail: string }> = {
  operation: { label: 'This operation', detail: 'Only this operation changes: the narrowest fix, but each new operation must remember it.' },
  api: { label: 'Every operation of this API', detail: 'One policy protects the whole API, including operations added later; operations that drop <base /> escape it.' },
  product: { label: 'Every API of this product', detail: 'Runs only for calls that use this product (its key, or keyless calls when the product is open).' },
  global: { label: 'Every API of the service', detail: 'The broadest: every API, also public ones that must stay anonymous, gets the check.' },
};

export function scopedFixes(fixes: readonly ReportFix[], policy: string): { scope: string; fix: ReportFix }[] {
  return fixes.flatMap((fix) => (fix.kind === 'add-policy' && fix.policy === policy && fix.scope ? [{ scope: fix.scope, fix }] : []));
}

export function isScopedFix(fix: ReportFix): boolean {
  return fix.kind === 'add-policy';
}

/** Fixes whose edits hold a placeholder the user must replace before they are applied. */
export interface FixInput {
  /** Matches the placeholder in the fix's new text; the match is offered as the starting value. */
  placeholder: RegExp;
  prompt: string;
  validate(value: string): string | undefined;
}

export const FIX_INPUTS: Record<string, FixInput> = {
  'key-vault-reference': {
    placeholder: new RegExp(KEY_VAULT_PLACEHOLDER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '[\\w-]*'),
    prompt: 'The Key Vault secret identifier of this named value (API Management reads it with its managed identity)',
    validate: (value) => (/^https:\/\/[a-z0-9-]+\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)\/secrets\/[\w-]+/i.test(value) && !value.startsWith(KEY_VAULT_PLACEHOLDER) ? undefined : 'Enter https://<vault>.vault.azure.net/secrets/<name>'),
  },
};
