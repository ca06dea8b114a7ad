// Request triggers of Logic Apps: a Standard app's `<workflow>/workflow.json`, and Consumption
// workflows (`Microsoft.Logic/workflows`) in ARM templates and Bicep. A Request trigger is called
// through a callback URL signed with a SAS key: a shared secret, not authentication. A Consumption
// workflow whose access control holds an Entra ID (OAuth) policy and turns SAS off admits OAuth tokens
// only; one that lists the IP addresses allowed to call its triggers admits those callers only.
import * as path from 'path';
import type { JsonPath, ParsedDocument } from '../../parse/document';
import { bicepValueAt, parseBicepFile, plainValue, type BicepValue } from '../bicepParser';
import type { ReadContext } from '../context';
import { isObject, isString, valueAt, type Properties } from '../declaration';
import type { TriggerDraft, TriggerReader } from './triggers';

const WORKFLOW_TYPE = 'microsoft.logic/workflows';
const SAS_NOTE = 'a Request trigger is called through a callback URL signed with a SAS key';

export const logicAppTriggerReader: TriggerReader = {
  reads: (file) => file.toLowerCase().endsWith('.json') || file.endsWith('.bicep'),
  read(file, ctx) {
    if (file.endsWith('.bicep')) return bicepRequestTriggers(file, ctx);
    const isWorkflowFile = path.basename(file).toLowerCase() === 'workflow.json';
    if (!isWorkflowFile && !(ctx.files.read(file).text ?? '').includes('Microsoft.Logic/workflows')) return [];
    const document = ctx.parseDocument(file);
    if (!document || !isObject(document.value)) return [];
    if (isWorkflowFile) return requestTriggers(document, [], path.basename(path.dirname(file)), undefined);
    const triggers: TriggerDraft[] = [];
    const visit = (resources: unknown, at: JsonPath) => {
      if (!Array.isArray(resources)) return;
      resources.forEach((resource, index) => {
        if (!isObject(resource)) return;
        const resourcePath = [...at, index];
        if (isString(resource.type) && resource.type.toLowerCase() === WORKFLOW_TYPE && isObject(resource.properties)) {
          const name = isString(resource.name) ? resource.name : '(unnamed)';
          triggers.push(...requestTriggers(document, [...resourcePath, 'properties'], name, resource.properties));
        }
        visit(resource.resources, [...resourcePath, 'resources']);
      });
    };
    visit(document.value.resources, ['resources']);
    return triggers;
  },
};

/** The Request triggers of the workflow definition under `at` (`definition.triggers`). */
function requestTriggers(document: ParsedDocument, at: JsonPath, workflow: string, consumption: Properties | undefined): TriggerDraft[] {
  const triggers = valueAt(document.value as Properties, [...at, 'definition', 'triggers']);
  if (!isObject(triggers)) return [];
  const access = consumption ? consumptionAccess(consumption) : { access: 'key' as const, authLevel: 'SAS', defaulted: SAS_NOTE };
  return Object.entries(triggers).flatMap(([name, trigger]) => {
    if (!isObject(trigger) || !isString(trigger.type) || trigger.type.toLowerCase() !== 'request') return [];
    const span = document.valueSpan([...at, 'definition', 'triggers', name, 'type']) ?? document.valueSpan([]) ?? { start: 0, end: 0 };
    const accessAt = consumption && document.valueSpan([...at, 'accessControl', 'triggers']);
    return [{ name: `${workflow}/${name}`, host: 'logic-app' as const, ...access, location: { file: document.file, span: accessAt ?? span } }];
  });
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

/** The Request triggers of the Consumption workflows a Bicep file declares, at each trigger's `type`. */
function bicepRequestTriggers(file: string, ctx: ReadContext): TriggerDraft[] {
  const text = ctx.files.read(file).text;
  if (text === undefined || !/'Microsoft\.Logic\/workflows@/i.test(text)) return [];
  ctx.noteRead(file);
  const drafts: TriggerDraft[] = [];
  for (const resource of parseBicepFile(text).resources) {
    if (resource.existing || resource.type.toLowerCase() !== WORKFLOW_TYPE) continue;
    const name = bicepValueAt(resource.body, ['name']);
    const workflow = name?.kind === 'string' && !name.value.includes('${') ? name.value : resource.symbol;
    const definition = bicepValueAt(resource.body, ['properties', 'definition']);
    const triggers = bicepValueAt(definition, ['triggers']);
    const computed = [definition, triggers].find((value) => value !== undefined && value.kind !== 'object');
    if (computed) {
      const message = `The definition of workflow ${workflow} is computed (${text.slice(computed.span.start, computed.span.end).slice(0, 80)}): its Request triggers are not read.`;
      ctx.report([{ file, span: computed.span, kind: 'unresolved-value', message }]);
      continue;
    }
    if (triggers?.kind !== 'object') continue;
    const accessControl = bicepValueAt(resource.body, ['properties', 'accessControl']);
    const access = accessOfBicep(accessControl, text);
    for (const [triggerName, { value }] of triggers.properties) {
      const type = bicepValueAt(value, ['type']);
      if (type?.kind !== 'string' || type.value.toLowerCase() !== 'request') continue;
      drafts.push({ name: `${workflow}/${triggerName}`, host: 'logic-app', ...access, location: { file, span: type.span } });
      if (access.access === 'unknown') ctx.report([{ file, span: accessControl!.span, kind: 'unresolved-value', message: `The access control of workflow ${workflow} is computed (${access.authLevel}): who may call trigger ${triggerName} is not known from the files.` }]);
    }
  }
  return drafts;
}

/** A Bicep workflow's `accessControl`, when written as an object of literals; else what computes it. */
function accessOfBicep(accessControl: BicepValue | undefined, text: string): Pick<TriggerDraft, 'access' | 'authLevel' | 'defaulted'> {
  if (accessControl !== undefined && accessControl.kind !== 'object') return { access: 'unknown', authLevel: text.slice(accessControl.span.start, accessControl.span.end).slice(0, 80) };
  return consumptionAccess({ accessControl: plainValue(accessControl) });
}
