// Request triggers of Logic Apps: a Standard app's `<workflow>/workflow.json`, and Consumption
// workflows (`Microsoft.Logic/workflows`) in ARM templates and Bicep, and in Terraform (a workflow and
// its `azurerm_logic_app_trigger_http_request` resources). A Request trigger is called
// through a callback URL signed with a SAS key: a shared secret, not authentication. A Consumption
// workflow whose access control holds an Entra ID (OAuth) policy and turns SAS off admits OAuth tokens
// only; one that lists the IP addresses allowed to call its triggers admits those callers only.
import * as path from 'path';
import type { SourceLocation, Span } from '../../text';
import { knownValue } from '../armExpression';
import type { TemplateResource } from '../armTemplate';
import { bicepValueAt, plainValue, type BicepResource } from '../bicepParser';
import type { ReadContext } from '../context';
import { isObject, isString, valueAt, type Properties } from '../declaration';
import type { TriggerDraft, TriggerReader } from './triggers';

const SAS_NOTE = 'a Request trigger is called through a callback URL signed with a SAS key';

/** A Standard app's workflows; Consumption workflows are read with the other declared apps (declaredApps.ts). */
export const logicAppTriggerReader: TriggerReader = {
  reads: (file) => path.basename(file).toLowerCase() === 'workflow.json',
  read(file, ctx) {
    const document = ctx.parseDocument(file);
    const triggers = document && valueAt({ root: document.value }, ['root', 'definition', 'triggers']);
    if (!document || !isObject(triggers)) return [];
    const access = { access: 'key' as const, authLevel: 'SAS', defaulted: SAS_NOTE };
    const workflow = path.basename(path.dirname(file));
    return requestTriggerNames(triggers).map((name) => ({ name: `${workflow}/${name}`, host: 'logic-app' as const, ...access, location: { file, span: document.valueSpan(['definition', 'triggers', name, 'type']) ?? { start: 0, end: 0 } } }));
  },
};

/** The names of a definition's triggers of type Request. */
function requestTriggerNames(triggers: Properties): string[] {
  return Object.entries(triggers).flatMap(([name, trigger]) => (isObject(trigger) && isString(trigger.type) && trigger.type.toLowerCase() === 'request' ? [name] : []));
}

/** The Request triggers of a Consumption workflow, each at its `type`. */
function consumptionTriggers(workflow: string, file: string, triggers: Properties, accessControl: unknown, typeSpan: (trigger: string) => Span | undefined): TriggerDraft[] {
  const access = consumptionAccess({ accessControl });
  return requestTriggerNames(triggers).map((name) => ({ name: `${workflow}/${name}`, host: 'logic-app' as const, ...access, location: { file, span: typeSpan(name) ?? { start: 0, end: 0 } } }));
}

/** The Request triggers of a Consumption workflow an ARM template declares, its definition and access control evaluated. */
export function armConsumptionTriggers(resource: TemplateResource, workflow: string): TriggerDraft[] {
  const properties = knownValue(resource.evaluate('properties'));
  const triggers = isObject(properties) ? valueAt(properties, ['definition', 'triggers']) : undefined;
  if (!isObject(triggers) || !isObject(properties)) return [];
  return consumptionTriggers(workflow, resource.file, triggers, properties.accessControl, (name) => resource.spanOf(['properties', 'definition', 'triggers', name, 'type']));
}

/**
 * A Request trigger Terraform declares for a Consumption workflow (`azurerm_logic_app_trigger_http_request`,
 * or a custom trigger of type Request), at its resource's header; `accessControl` is the workflow's,
 * in the ARM shape; `notKnown`, what of it the files do not determine (azurerm cannot turn SAS off).
 */
export function terraformConsumptionTrigger(workflow: string, trigger: string, location: SourceLocation, accessControl: Properties | undefined, notKnown?: string): TriggerDraft {
  const access = notKnown === undefined ? consumptionAccess({ accessControl }) : { access: 'key' as const, authLevel: 'SAS', defaulted: `${SAS_NOTE}; ${notKnown}` };
  return { name: `${workflow}/${trigger}`, host: 'logic-app', ...access, location };
}

/** The Request triggers of a Consumption workflow a Bicep file declares; a definition or access control the file computes is said. */
export function bicepConsumptionTriggers(resource: BicepResource, workflow: string, file: string, text: string, ctx: ReadContext): TriggerDraft[] {
  const definition = bicepValueAt(resource.body, ['properties', 'definition']);
  const triggers = bicepValueAt(definition, ['triggers']);
  const written = (value: { span: Span }) => text.slice(value.span.start, value.span.end).slice(0, 80);
  const computed = [definition, triggers].find((value) => value !== undefined && value.kind !== 'object');
  if (computed) {
    ctx.report([{ file, span: computed.span, kind: 'unresolved-value', message: `The definition of workflow ${workflow} is computed (${written(computed)}): its Request triggers are not read.` }]);
    return [];
  }
  const plainTriggers = plainValue(triggers);
  if (!isObject(plainTriggers)) return [];
  const accessControl = bicepValueAt(resource.body, ['properties', 'accessControl']);
  const typeSpan = (name: string) => bicepValueAt(triggers, [name, 'type'])?.span;
  if (accessControl !== undefined && accessControl.kind !== 'object') {
    const names = requestTriggerNames(plainTriggers);
    if (names.length > 0) ctx.report([{ file, span: accessControl.span, kind: 'unresolved-value', message: `The access control of workflow ${workflow} is computed (${written(accessControl)}): who may call ${names.join(', ')} is not known from the files.` }]);
    return names.map((name) => ({ name: `${workflow}/${name}`, host: 'logic-app' as const, access: 'unknown' as const, authLevel: written(accessControl), location: { file, span: typeSpan(name) ?? resource.span } }));
  }
  return consumptionTriggers(workflow, file, plainTriggers, plainValue(accessControl), typeSpan);
}

function consumptionAccess(properties: Properties): Pick<TriggerDraft, 'access' | 'authLevel' | 'defaulted'> {
  const policies = valueAt(properties, ['accessControl', 'triggers', 'openAuthenticationPolicies', 'policies']);
  const hasOAuth = isObject(policies) && Object.keys(policies).length > 0;
  const sasState = valueAt(properties, ['accessControl', 'triggers', 'sasAuthenticationPolicy', 'state']);
  const callers = allowedCallers(valueAt(properties, ['accessControl', 'triggers', 'allowedCallerIpAddresses']));
  if (hasOAuth && isString(sasState) && sasState.toLowerCase() === 'disabled') return { access: 'oauth', authLevel: 'OAuth (SAS disabled)' };
  if (hasOAuth) return { access: 'key', authLevel: 'SAS or OAuth', defaulted: `${SAS_NOTE}; the OAuth policy adds a way in without taking SAS away (sasAuthenticationPolicy is not Disabled)${callers}` };
  return { access: 'key', authLevel: 'SAS', defaulted: `${SAS_NOTE}; no OAuth policy in accessControl.triggers${callers}` };
}

/**
 * `allowedCallerIpAddresses`, in words: a network restriction, not authentication (whoever calls from
 * an allowed address still needs only the SAS URL); an empty list admits other Logic Apps only.
 */
function allowedCallers(ranges: unknown): string {
  if (!Array.isArray(ranges)) return '';
  if (ranges.length === 0) return '; allowedCallerIpAddresses is empty: only other Logic Apps may call it';
  const written = ranges.map((range) => (isObject(range) && isString(range.addressRange) ? range.addressRange : '(not known)'));
  return `; allowedCallerIpAddresses admits calls from ${written.join(', ')} only`;
}
