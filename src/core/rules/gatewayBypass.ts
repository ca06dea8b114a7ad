// The way around the gateway: an API that API Management authenticates, whose backend is a Function
// App in the repository with triggers that admit anonymous calls straight from the internet. Whoever
// calls the app's URL skips the gateway's authentication altogether.
import { projectServing, triggersBelowUrl } from '../analysis/appBehindUrl';
import { appLabel, directlyReachable } from '../analysis/hostedExposure';
import { azureFactsAt, reachableInAzure } from '../backends/azureFacts';
import type { Finding } from '../findings';
import { predicted, ruleHelpUri, type Rule } from './rule';

const meta = {
  id: 'gateway-bypass',
  title: 'An API authenticated at the gateway should not have a backend anyone can call directly',
  severity: 'high',
  description:
    'An API whose operations API Management authenticates, whose backend (`serviceUrl`) is a Function App whose code is in the repository (the site the backend resolver finds behind the URL among those the scanned folder\'s Bicep, Terraform and ARM templates declare, or, for an app no file declares, its default host name `<app>.azurewebsites.net`), where a trigger admits anonymous calls and nothing in the app\'s declaration stops a call from the internet: public network access not disabled, no access restriction, no private endpoint, no App Service authentication. ' +
    'The gateway\'s authentication then protects one way in of two. Reported on the API (at its `serviceUrl`) and at each anonymous trigger, each naming the other and the path between them. ' +
    'Access restrictions are taken to stop the bypass without checking that they admit only API Management. When a fact is not known from the files, the finding is info and says which. An app whose declaration is not in the files is taken with Azure\'s defaults, and the finding says so. ' +
    'With a snapshot of Azure that found the app (Resource Graph and ARM: public network access, access restrictions, private endpoints, authsettingsV2), Azure\'s facts decide instead of the declaration\'s, and the finding marks them as Azure\'s. ' +
    'Not a Defender for Cloud recommendation: Defender shows such paths as attack paths, with Azure data.',
  remediation:
    'Make the app reachable only through API Management: access restrictions that admit only the gateway (the `AzureCloud`/APIM service tag with a header check, or the gateway\'s IPs), a private endpoint with public network access disabled, or App Service authentication that requires the gateway\'s managed identity token; and give the triggers `authLevel: \'function\'` at least.',
  helpUri: ruleHelpUri('gateway-bypass'),
} as const;

export const gatewayBypass: Rule = {
  meta,
  check(context) {
    const projects = context.service.hosted?.projects ?? [];
    const findings: Finding[] = [];
    if (projects.length === 0) return findings;
    for (const api of context.service.apis) {
      if (api.isCurrent === false || api.serviceUrl === undefined) continue;
      const backend = context.serviceUrl(api);
      const project = backend && projectServing(backend, projects);
      const anonymous = project ? triggersBelowUrl(api.serviceUrl, project).filter((trigger) => trigger.access === 'anonymous') : [];
      if (!project || anonymous.length === 0) continue;
      const authenticated = api.operations.filter((operation) => context.auth(api, operation).state === 'authenticated');
      // A gateway that does not authenticate is no gateway to go around: endpoint-authentication reports it.
      if (authenticated.length === 0) continue;
      // With a snapshot, Azure's facts about the app behind the URL decide, as the resolver's do.
      const azure = azureFactsAt(context.service.deployment?.azureBackends, api.serviceUrl);
      const { reachable, because } = azure ? reachableInAzure(azure) : directlyReachable(project);
      if (reachable === false) continue;
      const severity = reachable === true ? meta.severity : 'info';
      const app = appLabel(project);
      const names = anonymous.map((trigger) => trigger.name).join(', ');
      const path = `internet → ${api.serviceUrl} (${app}: ${because.join(', ')}) → ${anonymous.length === 1 ? 'trigger' : 'triggers'} ${names}, never through API Management`;
      const serviceUrlLocation = api.declaration.locate(['serviceUrl']);
      findings.push(
        predicted(meta, {
          resource: api.id,
          key: app,
          message: `API ${api.name} is authenticated at the gateway (${authenticated.length} of ${api.operations.length} operations), but its backend ${api.serviceUrl} is ${app}, whose ${anonymous.length === 1 ? 'trigger' : 'triggers'} ${names} below it ${anonymous.length === 1 ? 'admits' : 'admit'} anonymous calls: ${path}.`,
          location: serviceUrlLocation,
          related: [
            ...anonymous.map((trigger) => ({ location: trigger.location, message: `Trigger ${trigger.name} admits anonymous calls.` })),
            ...(project.app ? [{ location: project.app.location, message: `${app} is declared here.` }] : []),
          ],
          severity,
          properties: { app: project.appName ?? null, triggers: anonymous.map((trigger) => trigger.id), directlyReachable: reachable, reachabilityFrom: azure ? 'azure' : 'declaration', azureResourceId: azure?.resourceId ?? null },
        }),
      );
      for (const trigger of anonymous) {
        findings.push(
          predicted(meta, {
            resource: trigger.id,
            key: api.id,
            message: `Trigger ${trigger.name} of ${app} admits anonymous calls, and it is the backend of API ${api.name}, which the gateway authenticates: ${path}.`,
            location: trigger.location,
            related: [{ location: serviceUrlLocation, message: `API ${api.name} sends its calls to ${api.serviceUrl}.` }],
            severity,
            properties: { api: api.id, app: project.appName ?? null, directlyReachable: reachable, reachabilityFrom: azure ? 'azure' : 'declaration', azureResourceId: azure?.resourceId ?? null },
          }),
        );
      }
    }
    return findings;
  },
};
