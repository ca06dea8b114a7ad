// Where the policy of a scope lives, or would live: an existing attachment is edited in place (any
// layout, Bicep's loadTextContent targets included, policies written in strings escaped the string's
// way); a missing one is created where APIOps expects it, and nowhere else: a new file beside a
// template, a Bicep or a Terraform file would be deployed by nothing.
import * as path from 'path';
import type { FileEdit } from '../text';
import type { ApiResource, ApimService, InlinePolicy, OperationResource, PolicyAttachment, ProductResource } from '../model';
import { insertIntoSection } from '../policy/edit';
import { parsePolicyXml, type PolicyXml } from '../policy/xml';
import { escapeBicepString, escapeHclTemplate } from './writtenProperties';

export type FixScope =
  | { kind: 'global' }
  | { kind: 'product'; product: ProductResource }
  | { kind: 'api'; api: ApiResource }
  | { kind: 'operation'; api: ApiResource; operation: OperationResource };

export interface PolicyTarget {
  file: string;
  /** Undefined when the file does not exist yet. */
  xml?: PolicyXml;
  inline?: InlinePolicy;
}

/** Inserts `snippet` into the target's `<inbound>` (see insertIntoSection), escaped for the string an inline policy is written in. */
export function insertIntoInbound(target: PolicyTarget, snippet: string, elementName: string): FileEdit | undefined {
  const inline = target.inline;
  if (!inline) return insertIntoSection(target.file, target.xml, 'inbound', snippet, { elementName });
  if (inline.syntax === 'computed') return undefined;
  const edit = insertIntoSection(target.file, parsePolicyXml(target.file, inline.text), 'inbound', snippet, { elementName });
  if (!edit) return undefined;
  const inFile = (offset: number) => (offset < inline.offsets.length ? inline.offsets[offset] : inline.end);
  const escaped = edit.edits.map((textEdit) => ({ span: { start: inFile(textEdit.span.start), end: inFile(textEdit.span.end) }, newText: escapeFor(inline.syntax, textEdit.newText) }));
  if (escaped.some((textEdit) => textEdit.newText === undefined)) return undefined;
  return { file: target.file, edits: escaped as FileEdit['edits'] };
}

function escapeFor(syntax: Exclude<InlinePolicy['syntax'], 'computed'>, text: string): string | undefined {
  switch (syntax) {
    case 'json':
      return JSON.stringify(text).slice(1, -1);
    case 'bicep':
      return escapeBicepString(text);
    case 'bicep-multiline':
      // A verbatim string has no escapes: what would end it cannot be written in it.
      return text.includes("'''") ? undefined : text;
    case 'terraform-heredoc':
      return escapeHclTemplate(text);
  }
}

export function policyTarget(service: ApimService, scope: FixScope): PolicyTarget | undefined {
  const existing = attachmentOf(service, scope);
  if (existing) return { file: existing.file, xml: existing.xml, inline: existing.inline };
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
