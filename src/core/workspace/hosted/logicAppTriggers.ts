// Request triggers of Logic Apps: a Standard app's `<workflow>/workflow.json`, and Consumption
// workflows (`Microsoft.Logic/workflows`) in ARM templates. A Request trigger is called through a
// callback URL signed with a SAS key: a shared secret, not authentication. A Consumption workflow
// whose access control holds an Entra ID (OAuth) policy and turns SAS off admits OAuth tokens only.
import * as path from 'path';
import type { JsonPath, ParsedDocument } from '../../parse/document';
import { isObject, isString, valueAt, type Properties } from '../declaration';
import type { TriggerDraft, TriggerReader } from './triggers';

const WORKFLOW_TYPE = 'microsoft.logic/workflows';
const SAS_NOTE = 'a Request trigger is called through a callback URL signed with a SAS key';

export const logicAppTriggerReader: TriggerReader = {
  reads: (file) => file.toLowerCase().endsWith('.json'),
  read(file, ctx) {
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
  if (hasOAuth && isString(sasState) && sasState.toLowerCase() === 'disabled') return { access: 'oauth', authLevel: 'OAuth (SAS disabled)' };
  if (hasOAuth) return { access: 'key', authLevel: 'SAS or OAuth', defaulted: `${SAS_NOTE}; the OAuth policy adds a way in without taking SAS away (sasAuthenticationPolicy is not Disabled)` };
  return { access: 'key', authLevel: 'SAS', defaulted: `${SAS_NOTE}; no OAuth policy in accessControl.triggers` };
}
