import { DEFENDER } from './defender';
import { hostedEndpointFindings } from './hostedEndpoints';
import { ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'function-app-endpoint-authentication',
  title: 'API endpoints hosted in Function Apps should require authentication',
  severity: 'high',
  description:
    'An HTTP trigger of a Function App whose code is in the repository, when the app does not turn on App Service authentication that rejects unauthenticated calls. ' +
    'Triggers are read from Node v4 code (`app.http`, `app.get`... whose default level is anonymous), `function.json` (default `function`), C# `[HttpTrigger]` attributes (default `Function`) and Python v2 decorators (the app\'s `http_auth_level`, else `FUNCTION`); ' +
    'the app is found through azure.yaml (`host: function` and the site\'s `azd-service-name` tag) or a workflow\'s `azure/functions-action` (`app-name`, `package`), and its App Service authentication in Bicep (`Microsoft.Web/sites/config` `authsettingsV2`, the AVM site module\'s `authSettingV2Configuration` or `configs`) or Terraform (`auth_settings_v2`); with a snapshot of Azure that found the site, its `authsettingsV2` as ARM answers it decides instead, and the finding says so. ' +
    'An anonymous trigger is reported at Defender\'s severity. A function or admin key is reported too, at medium: Microsoft\'s Functions documentation calls keys a mitigation, not a way to secure HTTP endpoints in production, and recommends App Service authentication, API Management or network isolation instead; Defender\'s serverless recommendation on the same subject is worded on the app\'s authentication ("authentication isn\'t enabled for your Azure Functions App, and at least one HTTP triggered function..."), not on keys. ' +
    'A level computed in code, or App Service authentication the files do not determine, gives an info finding that says so. Code mapped to no app is said (coverage assumptions) and taken to run with Azure\'s default, no App Service authentication. ' +
    'Microsoft\'s reference (recommendations-reference-api) publishes no assessment key for it: an assessment of a snapshot is matched by its display name. ' +
    'The companion recommendation, *Unused API endpoints should be disabled and removed from Function Apps*, depends on traffic only Azure sees: it is reported from a snapshot only (rule `defender-{assessment-key}`).',
  remediation:
    'Turn on App Service authentication for the app and reject unauthenticated calls (`authsettingsV2` with `globalValidation.requireAuthentication: true`, or `auth_settings_v2 { require_authentication = true }`), or make the function reachable only through API Management (access restrictions to the gateway, a private endpoint, public network access disabled). Do not rely on function keys alone.',
  defender: DEFENDER.functionAppEndpointAuthentication,
  helpUri: ruleHelpUri('function-app-endpoint-authentication'),
} as const;

export const functionAppEndpointAuthentication: Rule = {
  meta,
  check: (context) => hostedEndpointFindings(meta, context.service, 'function-app'),
};
