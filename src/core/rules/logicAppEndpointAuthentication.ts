import { DEFENDER } from './defender';
import { hostedEndpointFindings } from './hostedEndpoints';
import { ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'logic-app-endpoint-authentication',
  title: 'API endpoints hosted in Logic Apps should require authentication',
  severity: 'high',
  description:
    'A Request trigger of a Logic App whose workflow is in the repository: a Standard workflow (`workflow.json`) or a Consumption workflow (`Microsoft.Logic/workflows`) in an ARM template or a Bicep file, reported at the trigger\'s `type`, or in Terraform (`azurerm_logic_app_workflow` and its `azurerm_logic_app_trigger_http_request`, or `azurerm_logic_app_trigger_custom` of type Request), reported at the trigger\'s resource; azurerm cannot turn SAS off, so an `open_authentication_policy` there adds a way in beside the SAS key. ' +
    'A Request trigger is called through a callback URL signed with a SAS key, a shared secret like a function key, so it is reported at medium unless the app requires App Service authentication (Standard) or the workflow admits Entra ID (OAuth) tokens only (`accessControl.triggers.openAuthenticationPolicies` with `sasAuthenticationPolicy.state: Disabled`). The addresses `accessControl.triggers.allowedCallerIpAddresses` admits are said in the finding: a network restriction, not authentication. ' +
    'Microsoft\'s reference (recommendations-reference-api) publishes no assessment key for it: an assessment of a snapshot is matched by its display name. ' +
    'The companion recommendation, *Unused API endpoints should be disabled and removed from Logic Apps*, depends on traffic only Azure sees: it is reported from a snapshot only (rule `defender-{assessment-key}`).',
  remediation:
    'Add an Entra ID authorization policy to the workflow\'s trigger access control and disable SAS, or (Standard) turn on App Service authentication; or make the workflow reachable only through API Management.',
  defender: DEFENDER.logicAppEndpointAuthentication,
  helpUri: ruleHelpUri('logic-app-endpoint-authentication'),
} as const;

export const logicAppEndpointAuthentication: Rule = {
  meta,
  check: (context) => hostedEndpointFindings(meta, context.service, 'logic-app'),
};
