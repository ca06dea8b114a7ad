// The policy APIM runs for one operation: global → workspace → product → API → operation, where each
// scope's `<base />` stands for the scope above it, and `<include-fragment>` stands for the fragment's body.
import { MAX_EFFECTIVE_ELEMENTS, MAX_FRAGMENT_DEPTH } from '../limits';
import type { ApiResource, ApimService, FragmentResource, OperationResource, PolicyAttachment, ProductResource } from '../model';
import { attribute, policySection, type PolicySectionName, type XmlElement } from '../policy/xml';

export type PolicyScopeKind = 'global' | 'workspace' | 'product' | 'api' | 'operation';

export interface ScopeRef {
  kind: PolicyScopeKind;
  /** `service`, or the workspace / product / API / operation resource id. */
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
  /** The fragments its `<include-fragment>`s can name: the service's, or its workspace's. */
  fragments: FragmentsByName;
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
  const workspace = service.workspaces.find((candidate) => candidate.name === api.workspace);
  const layer = (kind: PolicyScopeKind, resource: string, attachment: PolicyAttachment | undefined): ScopeLayer => ({
    ref: { kind, resource, file: attachment?.file },
    attachment,
    fragments: scopeFragments(service, api, kind),
  });
  const layers: ScopeLayer[] = [
    layer('global', 'service', service.policy),
    ...(workspace ? [layer('workspace', workspace.id, workspace.policy)] : []),
    ...(product ? [layer('product', product.id, product.policy)] : []),
    layer('api', api.id, api.policy),
    layer('operation', operation.id, operation.policy),
  ];
  const budget = expansionBudget();
  const expand = (elements: XmlElement[], layer: ScopeLayer, into: EffectiveStatement[]) => {
    for (const placed of expandIncludes(layer.fragments, elements, layer.attachment!.file, [], budget)) into.push({ ...placed, scope: layer.ref });
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
          expand([child], layer, statements);
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

const fragmentIndexes = new WeakMap<ApimService, Map<string | undefined, FragmentsByName>>();

/** The fragments a policy at scope `kind` on the call path of `api` can include: the global policy's are the service's. */
export function scopeFragments(service: ApimService, api: ApiResource, kind: PolicyScopeKind): FragmentsByName {
  return fragmentsByName(service, kind === 'global' ? undefined : api.workspace);
}

/** The fragments policies of the service (`workspace` undefined) or of one workspace can include: each scope has its own. */
export function fragmentsByName(service: ApimService, workspace?: string): FragmentsByName {
  let indexes = fragmentIndexes.get(service);
  if (!indexes) fragmentIndexes.set(service, (indexes = new Map()));
  let index = indexes.get(workspace);
  if (!index) {
    index = new Map(service.fragments.filter((fragment) => fragment.workspace === workspace).map((fragment) => [fragment.name, fragment]));
    indexes.set(workspace, index);
  }
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
