import type { Finding } from '../findings';
import { fragmentsByName } from '../analysis/effectivePolicy';
import { MAX_EFFECTIVE_ELEMENTS, MAX_FRAGMENT_DEPTH } from '../limits';
import type { FragmentResource } from '../model';
import { attribute, descendants, type XmlElement } from '../policy/xml';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'fragment-include-cycle',
  title: 'Policy fragments should not include themselves, nor nest or expand without bound',
  severity: 'medium',
  description:
    'A policy fragment that includes itself, directly or through others, cannot be expanded and fails the deployment; so do include chains nested too deep or expanding to too many policy elements. The analysis does not expand them either, so whatever they were meant to enforce (often authentication) is not seen.',
  remediation: 'Break the cycle, or flatten the chain: include the shared fragments once, from the policy that needs them.',
  helpUri: ruleHelpUri('fragment-include-cycle'),
} as const;

interface Include {
  element: XmlElement;
  target: string;
}

/** A fragment being walked: its includes of known fragments, and what is known so far below it. */
interface Frame {
  fragment: FragmentResource;
  includes: Include[];
  next: number;
  /** Fragments in the longest include chain from this one, itself included. */
  height: number;
  /** Policy elements once its includes are expanded (past the budget, just over it). */
  size: number;
}

export const fragmentIncludeCycle: Rule = {
  meta,
  check(context) {
    // A workspace's fragments include the workspace's fragments only: each scope is walked on its own.
    const scopes = [undefined, ...context.service.workspaces.map((workspace) => workspace.name)];
    return scopes.flatMap((workspace) => includeProblems([...fragmentsByName(context.service, workspace).values()]));
  },
};

/** The cycles, and the chains too deep or too large, among fragments that include one another. */
function includeProblems(scopeFragments: readonly FragmentResource[]): Finding[] {
  const fragments = new Map(scopeFragments.filter((fragment) => fragment.policy?.xml.root).map((fragment) => [fragment.name, fragment]));
  const heights = new Map<string, number>();
  const sizes = new Map<string, number>();
  /** The included fragment the longest chain from each fragment goes through. */
  const deepestInclude = new Map<string, string>();
  const findings: Finding[] = [];
  const occurrences = new Map<string, number>();
  const report = (frame: Frame, include: Include, kind: string, message: string) => {
    const key = `${frame.fragment.name}\0${kind}\0${include.target}`;
    const occurrence = (occurrences.get(key) ?? 0) + 1;
    occurrences.set(key, occurrence);
    findings.push(predicted(meta, { resource: frame.fragment.id, key: `${kind}:${include.target}:${occurrence}`, message, location: { file: frame.fragment.policy!.file, span: include.element.span } }));
  };
  const chainFrom = (name: string) => {
    const chain = [name];
    for (let next = deepestInclude.get(name); next !== undefined; next = deepestInclude.get(next)) chain.push(next);
    return chain;
  };
  /** What an include of an already walked fragment adds to the frame that includes it, and the limits it crosses there. */
  const account = (frame: Frame, include: Include) => {
    const height = heights.get(include.target)!;
    if (height + 1 > frame.height) {
      frame.height = height + 1;
      deepestInclude.set(frame.fragment.name, include.target);
    }
    if (height === MAX_FRAGMENT_DEPTH) {
      const chain = chainFrom(frame.fragment.name);
      report(frame, include, 'depth', `Policy fragment "${frame.fragment.name}" starts a chain of ${chain.length} nested fragments, more than ${MAX_FRAGMENT_DEPTH}: ${chain.join(' → ')}.`);
    }
    const size = sizes.get(include.target)!;
    const before = frame.size;
    frame.size = Math.min(before + size, MAX_EFFECTIVE_ELEMENTS + 1);
    if (before <= MAX_EFFECTIVE_ELEMENTS && size <= MAX_EFFECTIVE_ELEMENTS && frame.size > MAX_EFFECTIVE_ELEMENTS) {
      report(frame, include, 'budget', `Policy fragment "${frame.fragment.name}" expands to more than ${MAX_EFFECTIVE_ELEMENTS} policy elements with this include of "${include.target}".`);
    }
  };
  const open = (fragment: FragmentResource): Frame => {
    const elements = descendants(fragment.policy!.xml.root!);
    const includes: Include[] = [];
    for (const element of elements) {
      const target = element.name === 'include-fragment' ? attribute(element, 'fragment-id')?.value : undefined;
      if (target !== undefined && fragments.has(target)) includes.push({ element, target });
    }
    return { fragment, includes, next: 0, height: 1, size: elements.length - includes.length };
  };

  // Depth first with a stack of its own (chains may be thousands long); each fragment once.
  for (const start of fragments.values()) {
    if (heights.has(start.name)) continue;
    const stack: Frame[] = [open(start)];
    const onStack = new Set([start.name]);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      if (frame.next === frame.includes.length) {
        stack.pop();
        onStack.delete(frame.fragment.name);
        heights.set(frame.fragment.name, frame.height);
        sizes.set(frame.fragment.name, frame.size);
        const parent = stack[stack.length - 1];
        if (parent) account(parent, parent.includes[parent.next - 1]);
        continue;
      }
      const include = frame.includes[frame.next++];
      if (onStack.has(include.target)) {
        const names = stack.map((walked) => walked.fragment.name);
        const chain = [...names.slice(names.indexOf(include.target)), include.target];
        const message =
          include.target === frame.fragment.name
            ? `Policy fragment "${include.target}" includes itself.`
            : `Policy fragment "${frame.fragment.name}" includes "${include.target}", which includes it back: ${chain.join(' → ')}.`;
        report(frame, include, 'cycle', message);
      } else if (heights.has(include.target)) {
        account(frame, include);
      } else {
        stack.push(open(fragments.get(include.target)!));
        onStack.add(include.target);
      }
    }
  }
  return findings;
}
