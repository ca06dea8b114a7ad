// Whether a Function App's or Logic App's HTTP trigger can be called, and by whom, from what the
// repository declares: the trigger's own level, the app's App Service authentication, and the
// network in front of it. Shared by the rules on hosted endpoints and the gateway bypass.
import type { HostedProject, HttpTrigger } from '../model';

/** Whether App Service authentication rejects unauthenticated calls before they reach the trigger. */
export function appAuthentication(project: HostedProject): { required: boolean | 'unknown'; said: string } {
  const { app } = project;
  if (!app && project.appName !== undefined) return { required: false, said: `no infrastructure code in the files declares ${project.appName}: App Service authentication is taken to be off, Azure's default` };
  if (!app) return { required: false, said: `the app it is deployed to is not known (${project.mapping}): App Service authentication is taken to be off, Azure's default` };
  switch (app.requiresAuthentication) {
    case true:
      return { required: true, said: `the app's App Service authentication requires authentication` };
    case 'unknown':
      return { required: 'unknown', said: `whether the app's App Service authentication requires authentication is not known from the files` };
    default:
      return { required: false, said: `the app's declaration has no App Service authentication that requires it (authsettingsV2 / auth_settings_v2)` };
  }
}

/** The app of a project, in words. */
export function appLabel(project: HostedProject): string {
  const kind = project.app?.kind === 'logic-app' || project.triggers[0]?.host === 'logic-app' ? 'Logic App' : 'Function App';
  const name = project.appName ?? project.app?.name;
  if (name !== undefined) return `${kind} ${name}`;
  // Declared, with a name the files do not determine (a param passed in by the deployment).
  return project.app ? `the ${kind} ${project.app.symbol ?? ''} (its name, ${project.app.nameExpression}, is not known from the files)`.replace('  ', ' ') : `its ${kind}`;
}

/** What the trigger admits by itself, in words. */
export function triggerAdmits(trigger: HttpTrigger): string {
  const defaulted = trigger.defaulted ? `; ${trigger.defaulted}` : '';
  switch (trigger.access) {
    case 'anonymous':
      return `admits anonymous calls (authLevel ${trigger.authLevel}${defaulted})`;
    case 'key':
      return `admits whoever holds its key (${trigger.authLevel}${defaulted}): a shared secret, not authentication`;
    case 'oauth':
      return `admits Entra ID tokens only (${trigger.authLevel})`;
    case 'unknown':
      return `has an authorization level computed in code (${trigger.authLevel.slice(0, 80)})`;
  }
}

/**
 * Whether the app can be called straight from the internet: public network access not disabled, no
 * access restriction, no private endpoint, no App Service authentication. Each fact that stops it
 * (or that is not known) is named.
 */
export function directlyReachable(project: HostedProject): { reachable: boolean | 'unknown'; because: string[] } {
  const { app } = project;
  if (!app) return { reachable: true, because: [`no declaration of the app in the files: Azure's defaults are assumed (public network access, no access restriction, no private endpoint, no App Service authentication)`] };
  const facts: [boolean | 'unknown', string, string][] = [
    [app.publicNetworkAccess === 'unknown' ? 'unknown' : !app.publicNetworkAccess, 'public network access is disabled', 'public network access is not disabled'],
    [app.accessRestricted, 'access restrictions are declared', 'no access restriction'],
    [app.privateEndpoint, 'a private endpoint points at it', 'no private endpoint'],
    [app.requiresAuthentication, 'App Service authentication is required', 'no App Service authentication'],
  ];
  const stopping = facts.filter(([value]) => value === true);
  if (stopping.length > 0) return { reachable: false, because: stopping.map(([, yes]) => yes) };
  const unknown = facts.filter(([value]) => value === 'unknown');
  if (unknown.length > 0) return { reachable: 'unknown', because: unknown.map(([, yes]) => `not known from the files whether ${yes}`) };
  return { reachable: true, because: facts.map(([, , no]) => no) };
}
