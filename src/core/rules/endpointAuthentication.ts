import * as path from 'path';
import type { AuthPolicyUse, OperationAuth } from '../analysis/authentication';
import type { Finding, RelatedLocation } from '../findings';
import { authenticationFixes } from '../fixes/authFixes';
import type { ApiResource, OperationResource } from '../model';
import { DEFENDER } from './defender';
import { apiRule, predicted, ruleHelpUri } from './rule';

const meta = {
  id: 'endpoint-authentication',
  title: 'API endpoints should be authenticated',
  severity: 'high',
  description:
    'Defender for APIs marks an operation unhealthy when a call can reach it without a subscription key and without validate-jwt, validate-azure-ad-token or validate-client-certificate running on the call. A call without a key is accepted when the API does not require a subscription or belongs to an open product (one that requires none), and then runs the open product\'s policies but never those of products that require a key. An auth policy inside <choose> protects only the calls that take its branch, and check-header is not authentication.',
  remediation:
    'Require a subscription key on the API, or add validate-jwt, validate-azure-ad-token or validate-client-certificate to <inbound> (after <base />) at the operation, API or global scope, outside any <choose>.',
  defender: DEFENDER.endpointAuthentication,
  helpUri: ruleHelpUri('endpoint-authentication'),
} as const;

export const endpointAuthentication = apiRule(meta, (context, api) => {
  const findings: Finding[] = [];
  for (const operation of assessedOperations(api)) {
    const auth = context.auth(api, operation);
    if (auth.state === 'authenticated') continue;
    const assessedByDefender = api.type === 'http';
    findings.push(
      predicted(meta, {
        resource: operation.id,
        message: assessedByDefender ? describe(api, operation, auth) : `${describe(api, operation, auth)} ${notAssessedNote(api)}`,
        location: operation.location,
        related: chainLocations(auth),
        fixes: () => authenticationFixes(context.service, api, operation, auth),
        // What was not read is not asserted: said at info, with the policy that was not read.
        severity: auth.state === 'unknown' ? 'info' : auth.state === 'conditional' ? 'medium' : 'high',
        properties: { authState: auth.state, keyless: auth.keyless, openProduct: auth.openProduct?.name, ...(!assessedByDefender && { assessedByDefenderForApis: false }) },
      }),
    );
  }
  return findings;
});

/** Defender for APIs onboards REST APIs only: for the others the finding is posture advice, not a Defender prediction. */
function notAssessedNote(api: ApiResource): string {
  return `Defender for APIs assesses REST APIs only, so it will not report this ${api.type} API: this is posture advice, not a predicted Defender recommendation.`;
}

/**
 * The operations of an API, or, for an API whose operations no file lists (GraphQL, SOAP without a
 * WSDL, an API without a spec), the API itself standing for all of them.
 */
export function assessedOperations(api: ApiResource): OperationResource[] {
  if (api.operations.length > 0) return api.operations;
  return [{ id: api.id, name: api.name, location: api.declaration.locate(['subscriptionRequired']) }];
}

function describe(api: ApiResource, operation: OperationResource, auth: OperationAuth): string {
  const subject =
    operation.id === api.id
      ? `API ${api.name} (${api.type}; no operations are listed, so the API is assessed as a whole)`
      : `Operation ${operation.method && operation.urlTemplate ? `${operation.method.toUpperCase()} ${operation.urlTemplate} (${operation.name})` : operation.name} of API ${api.name}`;
  const parts: string[] = [];
  const why = auth.openProduct
    ? `API ${api.name} is in product ${auth.openProduct.name}, which requires no subscription, so calls without a key are accepted`
    : `subscriptionRequired is false`;
  if (auth.state === 'unknown') {
    const unread = auth.unreadPolicies.map((entry) => `the ${entry.scope} policy declared in ${path.basename(entry.location.file)}`).join(' and ');
    parts.push(`${subject} may accept calls without authentication: ${why}, and whether a policy authenticates them is not known from the files: ${unread} could not be read.`);
  } else if (auth.state === 'conditional') {
    const policies = [...new Set(auth.policies.map((use) => use.policy))].join(', ');
    parts.push(`${subject} is authenticated only conditionally: ${policies} runs inside <choose>, so some calls skip it.`);
  } else {
    parts.push(`${subject} accepts calls without authentication: ${why}, and no validate-jwt, validate-azure-ad-token or validate-client-certificate runs in ${chainText(auth)}.`);
  }
  for (const { product, use } of auth.productPolicies) {
    parts.push(`${use.policy} in product ${product.name} runs only for calls made with a ${product.name} subscription key.`);
  }
  if (auth.checkHeaders.length > 0) parts.push('check-header is not authentication.');
  const cut = auth.effective.sections.inbound.inheritanceCutAt.find((scope) => scope.kind === 'operation' || scope.kind === 'api');
  if (cut) parts.push(`The ${cut.kind} policy has no <base /> in <inbound>, so the policies above it do not run.`);
  return parts.join(' ');
}

function chainText(auth: OperationAuth): string {
  const reached = auth.effective.sections.inbound.scopesReached.map((scope) => scope.kind);
  return reached.length > 0 ? reached.join(' → ') : 'any policy (there is none)';
}

function chainLocations(auth: OperationAuth): RelatedLocation[] {
  const related: RelatedLocation[] = [];
  const use = (entry: AuthPolicyUse, note: string) =>
    related.push({ location: { file: entry.file, span: entry.element.span }, message: `${entry.policy} ${note}` });
  for (const entry of auth.policies) use(entry, 'runs only inside a <choose> branch');
  for (const { product, use: entry } of auth.productPolicies) use(entry, `runs only for calls with a ${product.name} subscription key`);
  for (const statement of auth.checkHeaders) related.push({ location: { file: statement.file, span: statement.element.span }, message: 'check-header does not authenticate the caller' });
  const note = auth.state === 'unauthenticated' ? 'runs on this call and authenticates nothing' : 'runs on this call';
  for (const { scope, location } of auth.unreadPolicies) related.push({ location, message: `the ${scope} policy declared here could not be read` });
  for (const scope of auth.effective.sections.inbound.scopesReached) {
    if (scope.file) related.push({ location: { file: scope.file, span: { start: 0, end: 0 } }, message: `the ${scope.kind} policy ${note}` });
  }
  return related;
}
