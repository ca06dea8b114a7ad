// The findings of the two rules on API endpoints hosted in Function Apps and Logic Apps: one per
// HTTP trigger whose app does not require App Service authentication.
import { appAuthentication, appLabel, triggerAdmits } from '../analysis/hostedExposure';
import type { Finding, RelatedLocation, RuleMetadata } from '../findings';
import { azureFactsOfSite } from '../backends/azureFacts';
import type { ApimService, HttpTrigger } from '../model';

/** A Consumption workflow is a resource of its own (`workflows/...`), with no App Service in front of it. */
const CONSUMPTION = { required: false, said: 'a Consumption workflow has no App Service authentication in front of it' } as const;
import { predicted } from './rule';

export function hostedEndpointFindings(meta: RuleMetadata, service: ApimService, host: HttpTrigger['host']): Finding[] {
  const findings: Finding[] = [];
  for (const project of service.hosted?.projects ?? []) {
    // With a snapshot that found the site, Azure's authsettingsV2 decides instead of the declaration's.
    const azure = azureFactsOfSite(service.deployment?.azureBackends, project.appName ?? project.app?.name);
    const authentication =
      azure?.appServiceAuth !== undefined
        ? { required: azure.appServiceAuth, said: azure.appServiceAuth ? "Azure shows the app's App Service authentication requiring sign-in" : "Azure shows no App Service authentication that requires sign-in (authsettingsV2)" }
        : appAuthentication(project);
    if (authentication.required === true) continue;
    const related: RelatedLocation[] = [];
    if (project.app) related.push({ location: project.app.location, message: `${appLabel(project)} is declared here.` });
    if (project.mappedAt) related.push({ location: project.mappedAt, message: `The code is mapped to its app here: ${project.mapping}.` });
    for (const trigger of project.triggers) {
      if (trigger.host !== host || trigger.access === 'oauth') continue;
      const { required, said } = trigger.id.startsWith('workflows/') ? CONSUMPTION : authentication;
      // A key is not authentication, but it is not an open door either: below Defender's severity.
      const severity = trigger.access === 'unknown' || required === 'unknown' ? 'info' : trigger.access === 'key' ? 'medium' : meta.severity;
      findings.push(
        predicted(meta, {
          resource: trigger.id,
          message: `HTTP trigger ${trigger.name} of ${appLabel(project)} ${triggerAdmits(trigger)}, and ${said}.`,
          location: trigger.location,
          related,
          severity,
          properties: { access: trigger.access, authLevel: trigger.authLevel, app: project.appName ?? null, appAuthentication: required, appAuthenticationFrom: azure?.appServiceAuth !== undefined ? 'azure' : 'declaration' },
        }),
      );
    }
  }
  return findings;
}
