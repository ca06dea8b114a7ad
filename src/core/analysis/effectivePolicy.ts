// The policy APIM runs for one operation: global → product → API → operation, where each scope's
// `<base />` stands for the scope above it, and `<include-fragment>` stands for the fragment's body.
import { MAX_EFFECTIVE_ELEMENTS, MAX_FRAGMENT_DEPTH } from '../limits';
import type { ApiResource, ApimService, FragmentResource, OperationResource, PolicyAttachment, ProductResource } from '../model';
import { attribute, policySection, type PolicySectionName, type XmlElement } from '../policy/xml';

export type PolicyScopeKind = 'global' | 'product' | 'api' | 'operation';

export interface ScopeRef {
  kind: PolicyScopeKind;
  /** `service`, or the product / API / operation resource id. */
  resource: string;
  /** The policy file at this scope, when there is one. */
  file?: string;
}

/** A policy element and the file it is written in. */
export interface PlacedElement {
  element: XmlElement;
  file: string;
  /** Fragment names that brought this element in, outermost first. */
  viaFragments: string[];
}

/** One policy statement in execution order, with where it comes from. */
export interface EffectiveStatement extends PlacedElement {
  scope: ScopeRef;
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
  const fragments = fragmentsByName(service);
  const budget = expansionBudget();
  const expand = (elements: XmlElement[], file: string, scope: ScopeRef, into: EffectiveStatement[]) => {
    for (const placed of expandIncludes(fragments, elements, file, [], budget)) into.push({ ...placed, scope });
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
          // APIM accepts one <base />; the parser reports the others, and composing each would multiply the scopes above.
          if (!sawBase) for (const statement of compose(depth - 1)) statements.push(statement);
          sawBase = true;
        } else {
          expand([child], layer.attachment.file, layer.ref, statements);
        }
      }
      if (!sawBase && depth > 0) section.inheritanceCutAt.push(layer.ref);
      return statements;
    };
    section.statements = compose(layers.length - 1);
    section.scopesReached.reverse();
    return section;
  };

  return { operation: operation.id, product: product?.id, sections: new LazySections(composeSection) };
}

/**
 * The four sections, each composed when first read: the authentication analysis of every operation
 * needs only <inbound>. Getters on the prototype keep this cheap for thousands of operations.
 */
class LazySections implements Record<PolicySectionName, EffectiveSection> {
  private readonly composed = new Map<PolicySectionName, EffectiveSection>();

  constructor(private readonly compose: (name: PolicySectionName) => EffectiveSection) {}

  private section(name: PolicySectionName): EffectiveSection {
    let section = this.composed.get(name);
    if (!section) this.composed.set(name, (section = this.compose(name)));
    return section;
  }

  get inbound(): EffectiveSection {
    return this.section('inbound');
  }

  get backend(): EffectiveSection {
    return this.section('backend');
  }

  get outbound(): EffectiveSection {
    return this.section('outbound');
  }

  get ['on-error'](): EffectiveSection {
    return this.section('on-error');
  }
}

export type FragmentsByName = ReadonlyMap<string, FragmentResource>;

const fragmentIndexes = new WeakMap<ApimService, FragmentsByName>();

export function fragmentsByName(service: ApimService): FragmentsByName {
  let index = fragmentIndexes.get(service);
  if (!index) fragmentIndexes.set(service, (index = new Map(service.fragments.map((fragment) => [fragment.name, fragment]))));
  return index;
}

/** How many more elements one analysis may place: fragments that include the next one twice double at each level. */
export interface ExpansionBudget {
  remaining: number;
}

export function expansionBudget(): ExpansionBudget {
  return { remaining: MAX_EFFECTIVE_ELEMENTS };
}

/**
 * Elements as APIM runs them: an `<include-fragment>` stands for the fragment's body, at any depth
 * of nesting. An unknown fragment stays as the include element (the missing-fragment rule reports it);
 * a fragment including itself, directly or not, or nested past MAX_FRAGMENT_DEPTH is not expanded
 * (APIM refuses it: the fragment-include-cycle rule reports it), and nothing is placed past the budget.
 */
export function expandIncludes(fragments: FragmentsByName, elements: XmlElement[], file: string, viaFragments: string[], budget: ExpansionBudget): PlacedElement[] {
  const placed: PlacedElement[] = [];
  for (const element of elements) {
    if (budget.remaining <= 0) break;
    const fragmentId = element.name === 'include-fragment' ? (attribute(element, 'fragment-id')?.value ?? '') : undefined;
    const fragment = fragmentId !== undefined ? fragments.get(fragmentId) : undefined;
    const body = fragment?.policy?.xml.root;
    if (fragmentId === undefined || !fragment?.policy || !body) {
      budget.remaining--;
      placed.push({ element, file, viaFragments });
    } else if (!viaFragments.includes(fragmentId) && viaFragments.length < MAX_FRAGMENT_DEPTH) {
      for (const inner of expandIncludes(fragments, body.children, fragment.policy.file, [...viaFragments, fragmentId], budget)) placed.push(inner);
    }
  }
  return placed;
}
