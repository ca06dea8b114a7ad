// Where the policy of a scope lives, or would live: an existing attachment is edited in place (any
// layout, Bicep's loadTextContent targets included); a missing one is created where APIOps expects it.
import * as path from 'path';
import type { ApiResource, ApimService, OperationResource, PolicyAttachment, ProductResource } from '../model';
import type { PolicyXml } from '../policy/xml';

export type FixScope =
  | { kind: 'global' }
  | { kind: 'product'; product: ProductResource }
  | { kind: 'api'; api: ApiResource }
  | { kind: 'operation'; api: ApiResource; operation: OperationResource };

export interface PolicyTarget {
  file: string;
  /** Undefined when the file does not exist yet. */
  xml?: PolicyXml;
}

export function policyTarget(service: ApimService, scope: FixScope): PolicyTarget | undefined {
  const existing = attachmentOf(service, scope);
  if (existing) return { file: existing.file, xml: existing.xml };
  if (service.layout !== 'apiops' && service.layout !== 'apiops-cli') return undefined;
  switch (scope.kind) {
    case 'global':
      return { file: path.join(service.root, 'policy.xml') };
    case 'product':
      return { file: path.join(path.dirname(scope.product.declaration.file), 'policy.xml') };
    case 'api':
      return { file: path.join(path.dirname(scope.api.declaration.file), 'policy.xml') };
    case 'operation':
      return { file: path.join(path.dirname(scope.api.declaration.file), 'operations', scope.operation.name, 'policy.xml') };
  }
}

function attachmentOf(service: ApimService, scope: FixScope): PolicyAttachment | undefined {
  switch (scope.kind) {
    case 'global':
      return service.policy;
    case 'product':
      return scope.product.policy;
    case 'api':
      return scope.api.policy;
    case 'operation':
      return scope.operation.policy;
  }
}
