// The fixes that make an operation authenticated, safest first: a subscription key needs no new
// configuration; an auth policy needs named values for the token issuer or certificate.
import type { OperationAuth } from '../analysis/authentication';
import { AUTH_POLICIES } from '../analysis/authentication';
import type { Fix } from '../findings';
import type { FileEdit } from '../text';
import type { ApiResource, ApimService, OperationResource } from '../model';
import { AUTH_POLICY_SNIPPETS, type AuthPolicyName } from '../policy/edit';
import { setDeclaredProperty } from './declarationEdits';
import { insertIntoInbound, policyTarget, type FixScope } from './policyFiles';

const POLICY_TITLES: Record<AuthPolicyName, string> = {
  'validate-jwt': 'Require a JWT (validate-jwt)',
  'validate-azure-ad-token': 'Require a Microsoft Entra token (validate-azure-ad-token)',
  'validate-client-certificate': 'Require a client certificate (validate-client-certificate)',
};

export function authenticationFixes(service: ApimService, api: ApiResource, operation: OperationResource, auth: OperationAuth): Fix[] {
  const fixes: Fix[] = [];
  // Keyless calls come in through the API's own setting, or through an open product holding it: close both.
  const keyless = [
    ...(auth.openProduct ? [{ declaration: auth.openProduct.declaration, label: `product ${auth.openProduct.name}` }] : []),
    ...(api.subscriptionRequired?.value === false ? [{ declaration: api.declaration, label: `API ${api.name}` }] : []),
  ];
  const keyEdits = keyless.map(({ declaration }) => setDeclaredProperty(declaration, ['subscriptionRequired'], true));
  if (keyEdits.length > 0 && keyEdits.every((edit) => edit !== undefined)) {
    const where = keyless.map(({ label }) => label).join(' and ');
    fixes.push({ id: 'require-subscription-key', title: `Require a subscription key for ${where}`, preferred: true, edits: keyEdits as FileEdit[] });
  }

  // A scope helps only when the call still runs its inbound: every inner scope on the way keeps <base />.
  const cut = new Set(auth.effective.sections.inbound.inheritanceCutAt.map((scope) => scope.kind));
  const apiReached = !cut.has('operation');
  const openProductReached = apiReached && !cut.has('api');
  // The global scope only as an edit of an existing policy: a new global policy.xml would need to know the service's conventions.
  const globalReached = openProductReached && !cut.has('product') && service.policy !== undefined;
  // An API assessed as a whole (no operations listed) stands in for its operations: it has no operation scope.
  const assessedAsWhole = operation.id === api.id;
  const scopes: { scope: FixScope; label: string }[] = [
    ...(assessedAsWhole ? [] : [{ scope: { kind: 'operation' as const, api, operation }, label: `on operation ${operation.name}` }]),
    ...(apiReached ? [{ scope: { kind: 'api' as const, api }, label: `on every operation of API ${api.name}` }] : []),
    ...(openProductReached && auth.openProduct ? [{ scope: { kind: 'product' as const, product: auth.openProduct }, label: `on every API of product ${auth.openProduct.name}` }] : []),
    ...(globalReached ? [{ scope: { kind: 'global' as const }, label: 'on every API of the service' }] : []),
  ];
  for (const policy of AUTH_POLICIES) {
    for (const { scope, label } of scopes) {
      const target = policyTarget(service, scope);
      if (!target) continue;
      const snippet = AUTH_POLICY_SNIPPETS[policy];
      const edit = insertIntoInbound(target, snippet.xml, policy);
      if (edit) fixes.push({ id: `add-${policy}@${scope.kind}`, title: `${POLICY_TITLES[policy]} ${label}`, edits: [edit], adds: { policy, scope: scope.kind } });
    }
  }
  return fixes;
}
