// The policy APIM runs for one operation: global → product → API → operation, where each scope's
// `<base />` stands for the scope above it, and `<include-fragment>` stands for the fragment's body.
import type { ApiResource, ApimService, OperationResource, PolicyAttachment, ProductResource } from '../model';
import { attribute, policySection, POLICY_SECTIONS, type PolicySectionName, type XmlElement } from '../policy/xml';

export type PolicyScopeKind = 'global' | 'product' | 'api' | 'operation';

export interface ScopeRef {
  kind: PolicyScopeKind;
  /** `service`, or the product / API / operation resource id. */
  resource: string;
  /** The policy file at this scope, when there is one. */
  file?: string;
}

/** One policy statement in execution order, with where it comes from. */
export interface EffectiveStatement {
  element: XmlElement;
  file: string;
  scope: ScopeRef;
  /** Fragment names that brought this statement in, outermost first. */
  viaFragments: string[];
}

export interface EffectiveSection {
  statements: EffectiveStatement[];
  /** The scopes whose section ran, outermost first (a scope is absent when an inner scope dropped `<base />`). */
  scopesReached: ScopeRef[];
  /** Scopes whose `<base />` was missing, cutting off everything above them. */
  inheritanceCutAt: ScopeRef[];
}

export interface EffectivePolicy {
  operation: string;
  product?: string;
  sections: Record<PolicySectionName, EffectiveSection>;
}

interface ScopeLayer {
  ref: ScopeRef;
  attachment?: PolicyAttachment;
}

/**
 * The effective policy of `operation` for a call made without a subscription key (`product`
 * undefined) or with a key of `product`: product policies only run for calls made with that
 * product's key.
 */
export function effectivePolicy(
  service: ApimService,
  api: ApiResource,
  operation: OperationResource,
  product?: ProductResource,
): EffectivePolicy {
  const layers: ScopeLayer[] = [
    { ref: { kind: 'global', resource: 'service', file: service.policy?.file }, attachment: service.policy },
    ...(product ? [{ ref: { kind: 'product' as const, resource: product.id, file: product.policy?.file }, attachment: product.policy }] : []),
    { ref: { kind: 'api', resource: api.id, file: api.policy?.file }, attachment: api.policy },
    { ref: { kind: 'operation', resource: operation.id, file: operation.policy?.file }, attachment: operation.policy },
  ];
  const fragments = new Map(service.fragments.map((fragment) => [fragment.name, fragment]));

  const expand = (elements: XmlElement[], file: string, scope: ScopeRef, viaFragments: string[], into: EffectiveStatement[]) => {
    for (const element of elements) {
      if (element.name !== 'include-fragment') {
        into.push({ element, file, scope, viaFragments });
        continue;
      }
      const fragmentId = attribute(element, 'fragment-id')?.value ?? '';
      const fragment = fragments.get(fragmentId);
      const body = fragment?.policy?.xml.root;
      if (!fragment || !body) {
        // The missing-fragment rule reports it; the statement stays so the chain shows where it was.
        into.push({ element, file, scope, viaFragments });
      } else if (!viaFragments.includes(fragmentId)) {
        // A fragment cannot include itself, directly or not; APIM refuses it, so do we.
        expand(body.children, fragment.policy!.file, scope, [...viaFragments, fragmentId], into);
      }
    }
  };

  const composeSection = (name: PolicySectionName): EffectiveSection => {
    const section: EffectiveSection = { statements: [], scopesReached: [], inheritanceCutAt: [] };
    const compose = (depth: number): EffectiveStatement[] => {
      if (depth < 0) return [];
      const layer = layers[depth];
      const sectionElement = policySection(layer.attachment?.xml.root, name);
      // No policy at a scope (or no such section in it) behaves like `<base />` alone.
      if (!layer.attachment || !sectionElement) {
        if (layer.attachment?.xml.root) section.scopesReached.push(layer.ref);
        return compose(depth - 1);
      }
      section.scopesReached.push(layer.ref);
      const statements: EffectiveStatement[] = [];
      let sawBase = false;
      for (const child of sectionElement.children) {
        if (child.name === 'base') {
          sawBase = true;
          statements.push(...compose(depth - 1));
        } else {
          expand([child], layer.attachment.file, layer.ref, [], statements);
        }
      }
      if (!sawBase && depth > 0) section.inheritanceCutAt.push(layer.ref);
      return statements;
    };
    section.statements = compose(layers.length - 1);
    section.scopesReached.reverse();
    return section;
  };

  // Each section is composed when first read: the authentication analysis of every operation needs only <inbound>.
  const sections = {} as Record<PolicySectionName, EffectiveSection>;
  for (const name of POLICY_SECTIONS) {
    let composed: EffectiveSection | undefined;
    Object.defineProperty(sections, name, { enumerable: true, get: () => (composed ??= composeSection(name)) });
  }
  return { operation: operation.id, product: product?.id, sections };
}
