import type { ApimService } from '../model';
import type { SourceLocation } from '../text';
import { DEFENDER } from './defender';
import { globalPolicyLocation, observedFact, ruleHelpUri, type DeploymentFactRule } from './rule';

const meta = {
  id: 'defender-for-apis-plan',
  title: 'Microsoft Defender for APIs should be enabled',
  severity: 'high',
  description:
    'With the Defender for APIs plan off in the subscription, nothing watches the APIs of the service: no runtime alerts, no sensitive data classification, no unused or unauthenticated endpoint findings. Whether the plan is on comes from Azure (`Microsoft.Security/pricings/Api`, read into the snapshot); without a snapshot the rule says nothing.',
  remediation: 'Turn on the Defender for APIs plan (Standard tier) for the subscription of the API Management service, then onboard its APIs. The plan is billed.',
  defender: DEFENDER.plan,
  helpUri: ruleHelpUri('defender-for-apis-plan'),
} as const;

/** Only a plan known to be off counts: a plan that could not be read says nothing. */
const planOff = (service: ApimService) => service.deployment?.defenderForApisEnabled === false;

export const defenderForApisPlan: DeploymentFactRule = {
  meta,
  reportedResources: (service) => (planOff(service) ? ['service'] : []),
  check(context) {
    if (!planOff(context.service)) return [];
    return [
      observedFact(meta, {
        resource: 'service',
        message: 'The Defender for APIs plan is off in the subscription of this API Management service (Microsoft.Security/pricings/Api is not on the Standard tier), so Defender watches none of its APIs.',
        location: serviceLocation(context.service),
      }),
    ];
  },
};

/** The service has no declaration of its own: its global policy, else its first API, else its folder. */
function serviceLocation(service: ApimService): SourceLocation {
  return globalPolicyLocation(service) ?? service.apis[0]?.declaration.locate([]) ?? { file: service.root, span: { start: 0, end: 0 } };
}
