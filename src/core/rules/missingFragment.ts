import type { Finding } from '../findings';
import type { PolicyAttachment } from '../model';
import { fragmentsByName } from '../analysis/effectivePolicy';
import { fragmentIncludes } from '../policy/xml';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'missing-fragment',
  title: 'Included policy fragments should exist',
  severity: 'medium',
  description: 'An <include-fragment> that names no fragment in the repository fails the deployment, and whatever the fragment was meant to enforce (often authentication) cannot be checked.',
  remediation: 'Add the fragment under `policy fragments/<id>/policy.xml`, or correct the fragment-id.',
  helpUri: ruleHelpUri('missing-fragment'),
} as const;

export const missingFragment: Rule = {
  meta,
  check(context) {
    const service = context.service;
    // A workspace's policies include the workspace's fragments, the service's the service's.
    const attachments: { resource: string; attachment?: PolicyAttachment; workspace?: string }[] = [
      { resource: 'service', attachment: service.policy },
      ...service.workspaces.map((workspace) => ({ resource: workspace.id, attachment: workspace.policy, workspace: workspace.name })),
      ...service.products.map((product) => ({ resource: product.id, attachment: product.policy, workspace: product.workspace })),
      ...service.apis.flatMap((api) => [api, ...api.operations].map((resource) => ({ resource: resource.id, attachment: resource.policy, workspace: api.workspace }))),
      ...service.fragments.map((fragment) => ({ resource: fragment.id, attachment: fragment.policy, workspace: fragment.workspace })),
    ];
    const findings: Finding[] = [];
    for (const { resource, attachment, workspace } of attachments) {
      if (!attachment) continue;
      for (const { element: include, fragmentId = '' } of fragmentIncludes(attachment.xml)) {
        if (fragmentsByName(service, workspace).has(fragmentId)) continue;
        findings.push(
          predicted(meta, {
            resource,
            key: fragmentId,
            message: `Policy fragment "${fragmentId}" is included here but not found in the repository.`,
            location: { file: attachment.file, span: include.span },
          }),
        );
      }
    }
    return findings;
  },
};

