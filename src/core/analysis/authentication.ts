// Does a call to an operation have to authenticate? APIM's answer, as Defender for APIs reads it:
// a required subscription key, or validate-jwt / validate-azure-ad-token / validate-client-certificate
// running on the call. check-header on Authorization is not authentication.
import type { ApiResource, ApimService, OperationResource, ProductResource } from '../model';
import type { AuthPolicyName } from '../policy/edit';
import type { XmlElement } from '../policy/xml';
import { effectivePolicy, expandIncludes, fragmentsByName, type EffectivePolicy, type EffectiveStatement, type FragmentsByName, type PlacedElement } from './effectivePolicy';

export const AUTH_POLICIES: readonly AuthPolicyName[] = ['validate-jwt', 'validate-azure-ad-token', 'validate-client-certificate'];

export type AuthState = 'authenticated' | 'conditional' | 'unauthenticated';

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
  const products = service.products.filter((product) => api.productNames.includes(product.name));
  const openProduct = products.find((product) => product.subscriptionRequired?.value === false);
  const keyless = openProduct !== undefined || api.subscriptionRequired?.value === false;
  const effective = effectivePolicy(service, api, operation, openProduct);
  const fragments = fragmentsByName(service);
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
  let state: AuthState;
  if (!keyless || policies.some((use) => !use.conditional)) state = 'authenticated';
  else if (policies.length > 0) state = 'conditional';
  else state = 'unauthenticated';
  return { state, keyless, openProduct, policies, productPolicies, checkHeaders, effective };
}

function authPoliciesIn(fragments: FragmentsByName, effective: EffectivePolicy): AuthPolicyUse[] {
  const uses: AuthPolicyUse[] = [];
  const runChildren = (placed: PlacedElement) => expandIncludes(fragments, placed.element.children, placed.file, placed.viaFragments);
  /** A `<choose>` whose every branch, `<otherwise>` included, authenticates, authenticates every call. */
  const chooseAlwaysAuthenticates = (choose: PlacedElement): boolean => {
    const branches = runChildren(choose).filter((branch) => branch.element.name === 'when' || branch.element.name === 'otherwise');
    if (!branches.some((branch) => branch.element.name === 'otherwise')) return false;
    const alwaysAuthenticates = (placed: PlacedElement): boolean =>
      AUTH_POLICY_SET.has(placed.element.name) || (placed.element.name === 'choose' && chooseAlwaysAuthenticates(placed));
    return branches.every((branch) => runChildren(branch).some(alwaysAuthenticates));
  };
  for (const statement of effective.sections.inbound.statements) {
    const visit = (placed: PlacedElement, conditional: boolean) => {
      if (AUTH_POLICY_SET.has(placed.element.name)) {
        uses.push({ policy: placed.element.name as AuthPolicyName, element: placed.element, file: placed.file, statement, conditional });
        return;
      }
      if (placed.element.name === 'choose') {
        const alwaysAuthenticates = chooseAlwaysAuthenticates(placed);
        for (const branch of runChildren(placed)) for (const child of runChildren(branch)) visit(child, conditional || !alwaysAuthenticates);
        return;
      }
      for (const child of runChildren(placed)) visit(child, conditional);
    };
    visit(statement, false);
  }
  return uses;
}
