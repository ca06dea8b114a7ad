import type { ApiResource, ApimService } from '../model';
import { DEFENDER } from './defender';
import { observedFact, ruleHelpUri, type DeploymentFactRule } from './rule';

const meta = {
  id: 'api-onboarding',
  title: 'APIs should be onboarded to Defender for APIs',
  severity: 'high',
  description:
    'Defender for APIs protects only the APIs onboarded to it (one `Microsoft.Security/apiCollections` resource per API): the others get no runtime alerts and no posture findings. Defender onboards REST APIs, one per API rather than per revision. Which APIs are onboarded comes from Azure (read into the snapshot); without a snapshot the rule says nothing.',
  remediation: 'Onboard the API from Defender for Cloud (the recommendation\'s Fix), from the API Management service\'s Defender for Cloud blade, or with a `Microsoft.Security/apiCollections` resource named after the API in Bicep.',
  defender: DEFENDER.onboarding,
  helpUri: ruleHelpUri('api-onboarding'),
} as const;

/** Deployed REST APIs (current revisions) that Azure says are not onboarded; none when onboarding is unknown. */
function apisToOnboard(service: ApimService): ApiResource[] {
  return (onboardingOf(service) ?? []).filter((entry) => !entry.onboarded).map((entry) => entry.api);
}

/** Each deployed REST API (current revision) and whether Defender for APIs onboarded it; undefined when Azure did not say (no snapshot, or its read failed). */
export function onboardingOf(service: ApimService): { api: ApiResource; onboarded: boolean }[] | undefined {
  const facts = service.deployment;
  if (!facts?.onboardedApis || !facts.deployedApis) return undefined;
  const deployed = new Set(facts.deployedApis);
  const onboarded = new Set(facts.onboardedApis);
  // Defender onboards REST APIs only, and an API rather than each revision.
  return service.apis.filter((api) => api.type === 'http' && api.isCurrent !== false && !api.name.includes(';rev=') && deployed.has(api.name)).map((api) => ({ api, onboarded: onboarded.has(api.name) }));
}

export const apiOnboarding: DeploymentFactRule = {
  meta,
  reportedResources: (service) => apisToOnboard(service).map((api) => api.id),
  check(context) {
    return apisToOnboard(context.service).map((api) =>
      observedFact(meta, {
        resource: api.id,
        message: `API ${api.name} is deployed but not onboarded to Defender for APIs (it has no apiCollections resource), so Defender neither watches its traffic nor assesses its endpoints.`,
        location: api.declaration.locate(['displayName']),
      }),
    );
  },
};
