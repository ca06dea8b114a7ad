import type { Finding, Fix } from '../findings';
import { setDeclaredProperty } from '../fixes/declarationEdits';
import type { SubscriptionResource } from '../model';
import type { ApimService } from '../model';
import { DEFENDER } from './defender';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'subscription-all-apis',
  title: 'Subscriptions should not be scoped to all APIs',
  severity: 'medium',
  description:
    'A subscription scoped to all APIs (`/apis`) opens every API of the service, present and future, to whoever holds its key. Defender flags active subscriptions with that scope.',
  remediation: 'Scope the subscription to a product (`/products/{product}`) or to one API (`/apis/{api}`).',
  defender: DEFENDER.subscriptionScope,
  helpUri: ruleHelpUri('subscription-all-apis'),
} as const;

/** How many narrower scopes a fix list offers: a product or two is what people pick. */
const MAX_SCOPE_FIXES = 5;

export const subscriptionAllApis: Rule = {
  meta,
  check(context) {
    const findings: Finding[] = [];
    for (const subscription of allApisSubscriptions(context.service)) {
      const scope = subscription.scope!;
      findings.push(
        predicted(meta, {
          resource: subscription.id,
          message: `Subscription ${subscription.displayName ?? subscription.name} is scoped to all APIs (${scope.value}): its key opens every API of ${subscription.workspace === undefined ? 'the service' : `workspace ${subscription.workspace}`}, including APIs added later.`,
          location: scope.location,
          fixes: () => narrowingFixes(context.service, subscription),
        }),
      );
    }
    return findings;
  },
};

/** Active subscriptions scoped to all APIs (of the service, or of their workspace). */
export function allApisSubscriptions(service: ApimService): SubscriptionResource[] {
  return service.subscriptions.filter((subscription) => {
    if (!subscription.scope || !isAllApisScope(subscription.scope.value)) return false;
    // Only active keys open anything; suspended, cancelled or expired ones are harmless.
    return (subscription.state?.value ?? 'active').toLowerCase() === 'active';
  });
}

function narrowingFixes(service: ApimService, subscription: SubscriptionResource): Fix[] {
  // A workspace's subscription can only be narrowed to the workspace's own products and APIs.
  const inScope = <T extends { workspace?: string }>(resources: T[]) => resources.filter((resource) => resource.workspace === subscription.workspace);
  const candidates = [
    ...inScope(service.products).map((product) => ({ scope: `/products/${product.name}`, title: `Scope subscription to product ${product.name}` })),
    ...inScope(service.apis).filter((api) => api.name !== '' && api.isCurrent !== false && !api.name.includes(';rev=')).map((api) => ({ scope: `/apis/${api.name}`, title: `Scope subscription to API ${api.name}` })),
  ]
    // Two declarations of one API (a Bicep resource written twice) are one scope.
    .filter((candidate, index, all) => all.findIndex((other) => other.scope === candidate.scope) === index)
    .slice(0, MAX_SCOPE_FIXES);
  return candidates.flatMap(({ scope, title }, index) => {
    const edit = setDeclaredProperty(subscription.declaration, ['scope'], scope);
    return edit ? [{ id: `scope-to:${scope}`, title, preferred: index === 0, edits: [edit] }] : [];
  });
}

/** `/apis`, or the same as a full ARM id (`/subscriptions/…/service/contoso/apis`); not a product or API named "apis". */
function isAllApisScope(scope: string): boolean {
  const trimmed = scope.trim().replace(/\/$/, '');
  return /^\/apis$/i.test(trimmed) || /\/providers\/microsoft\.apimanagement\/service\/[^/]+\/apis$/i.test(trimmed);
}
