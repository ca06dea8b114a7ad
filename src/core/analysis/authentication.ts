// Does a call to an operation have to authenticate? APIM's answer, as Defender for APIs reads it:
// a required subscription key, or validate-jwt / validate-azure-ad-token / validate-client-certificate
// running on the call. check-header on Authorization is not authentication.
import { MAX_NESTING_DEPTH } from '../limits';
import type { ApiResource, ApimService, OperationResource, ProductResource } from '../model';
import type { SourceLocation } from '../text';
import type { AuthPolicyName } from '../policy/edit';
import type { XmlElement } from '../policy/xml';
import { effectivePolicy, expandIncludes, expansionBudget, scopeFragments, type EffectivePolicy, type EffectiveStatement, type FragmentsByName, type PlacedElement, type ScopeRef } from './effectivePolicy';

export const AUTH_POLICIES: readonly AuthPolicyName[] = ['validate-jwt', 'validate-azure-ad-token', 'validate-client-certificate'];

/** `unknown`: keyless, nothing read authenticates, and a policy on the call's path could not be read. */
export type AuthState = 'authenticated' | 'conditional' | 'unauthenticated' | 'unknown';

export interface AuthPolicyUse {
  policy: AuthPolicyName;
  element: XmlElement;
  /** The file the element is written in (a fragment's, when it came through one). */
  file: string;
  /** The top-level statement of the effective inbound that contains it. */
  statement: EffectiveStatement;
  /** Inside a `<choose>` branch that not every call takes. */
  conditional: boolean;
}

export interface OperationAuth {
  state: AuthState;
  /** True when APIM lets calls in without a subscription key. */
  keyless: boolean;
  /** The open product (no subscription required) whose policies run on keyless calls, if the API is in one. */
  openProduct?: ProductResource;
  /** Auth policies on the keyless call path (global → open product → API → operation). */
  policies: AuthPolicyUse[];
  /** Auth policies in protected products' policies: they only run for calls with that product's key. */
  productPolicies: { product: ProductResource; use: AuthPolicyUse }[];
  /** Policies on the keyless call path that are declared but could not be read. */
  unreadPolicies: { scope: 'global' | 'workspace' | 'product' | 'api' | 'operation'; location: SourceLocation }[];
  /** check-header statements that look like an auth check but are not one. */
  checkHeaders: EffectiveStatement[];
  /** The effective policy of a keyless call (of a call with an API-scoped key, when keys are required). */
  effective: EffectivePolicy;
}

const AUTH_POLICY_SET: ReadonlySet<string> = new Set(AUTH_POLICIES);

/**
 * APIM's rule for a call without a key: if an open product (one that requires no subscription) holds
 * the API, the call runs as that product's, with its policies, even when the API itself requires a key;
 * otherwise it is accepted only when the API does not require a subscription (absent means required).
 */
export function analyzeOperationAuth(service: ApimService, api: ApiResource, operation: OperationResource): OperationAuth {
  const products = service.products.filter((product) => product.workspace === api.workspace && api.productNames.includes(product.name));
  const openProduct = products.find((product) => product.subscriptionRequired?.value === false);
  const keyless = openProduct !== undefined || api.subscriptionRequired?.value === false;
  const effective = effectivePolicy(service, api, operation, openProduct);
  const fragments = (scope: ScopeRef) => scopeFragments(service, api, scope.kind);
  const policies = authPoliciesIn(fragments, effective);
  // Protected products' auth policies only matter to explain why a keyless call is not covered.
  const productPolicies = products
    .filter((product) => keyless && product !== openProduct && product.policy)
    .flatMap((product) =>
      authPoliciesIn(fragments, effectivePolicy(service, api, operation, product))
        .filter((use) => use.statement.scope.kind === 'product')
        .map((use) => ({ product, use })),
    );
  const checkHeaders = effective.sections.inbound.statements.filter((statement) => statement.element.name === 'check-header');
  const scopes = [
    { scope: 'global', location: service.unreadPolicy },
    { scope: 'workspace', location: service.workspaces.find((workspace) => workspace.name === api.workspace)?.unreadPolicy },
    { scope: 'product', location: openProduct?.unreadPolicy },
    { scope: 'api', location: api.unreadPolicy },
    { scope: 'operation', location: operation.unreadPolicy },
  ] as const;
  const unreadPolicies = scopes.flatMap(({ scope, location }) => (location ? [{ scope, location }] : []));
  let state: AuthState;
  if (!keyless || policies.some((use) => !use.conditional)) state = 'authenticated';
  else if (unreadPolicies.length > 0) state = 'unknown';
  else if (policies.length > 0) state = 'conditional';
  else state = 'unauthenticated';
  return { state, keyless, openProduct, policies, productPolicies, unreadPolicies, checkHeaders, effective };
}

function authPoliciesIn(fragmentsOf: (scope: ScopeRef) => FragmentsByName, effective: EffectivePolicy): AuthPolicyUse[] {
  const uses: AuthPolicyUse[] = [];
  const budget = expansionBudget();
  // The fragments of the statement being walked: what its elements include comes from its scope's.
  let fragments: FragmentsByName = new Map();
  const runChildren = (placed: PlacedElement) => expandIncludes(fragments, placed.element.children, placed.file, placed.viaFragments, budget);
  const alwaysAuthenticatesByChoose = new Map<XmlElement, boolean>();
  /**
   * A `<choose>` whose every branch, `<otherwise>` included, authenticates, authenticates every call.
   * Once per element (nested chooses are asked again by the walk below); past MAX_NESTING_DEPTH nested chooses, no.
   */
  const chooseAlwaysAuthenticates = (choose: PlacedElement, depth = 0): boolean => {
    const known = alwaysAuthenticatesByChoose.get(choose.element);
    if (known !== undefined) return known;
    let result = false;
    if (depth < MAX_NESTING_DEPTH) {
      const branches = runChildren(choose).filter((branch) => branch.element.name === 'when' || branch.element.name === 'otherwise');
      const alwaysAuthenticates = (placed: PlacedElement): boolean =>
        AUTH_POLICY_SET.has(placed.element.name) || (placed.element.name === 'choose' && chooseAlwaysAuthenticates(placed, depth + 1));
      result = branches.some((branch) => branch.element.name === 'otherwise') && branches.every((branch) => runChildren(branch).some(alwaysAuthenticates));
    }
    alwaysAuthenticatesByChoose.set(choose.element, result);
    return result;
  };
  for (const statement of effective.sections.inbound.statements) {
    fragments = fragmentsOf(statement.scope);
    // Depth first in document order, with a stack of its own: policies nest as deep as fragments let them.
    const pending: { placed: PlacedElement; conditional: boolean }[] = [{ placed: statement, conditional: false }];
    for (let next = pending.pop(); next; next = pending.pop()) {
      const { placed, conditional } = next;
      if (AUTH_POLICY_SET.has(placed.element.name)) {
        uses.push({ policy: placed.element.name as AuthPolicyName, element: placed.element, file: placed.file, statement, conditional });
        continue;
      }
      let children: PlacedElement[];
      let childrenConditional = conditional;
      if (placed.element.name === 'choose') {
        childrenConditional = conditional || !chooseAlwaysAuthenticates(placed);
        children = runChildren(placed).flatMap(runChildren);
      } else {
        children = runChildren(placed);
      }
      for (let index = children.length - 1; index >= 0; index--) pending.push({ placed: children[index], conditional: childrenConditional });
    }
  }
  return uses;
}
