import { apiOnboarding } from './apiOnboarding';
import { apiRiskRanking } from './apiRisk';
import { backendAuthentication } from './backendAuthentication';
import { backendCertificateValidation } from './backendCertificateValidation';
import { defenderForApisPlan } from './defenderForApisPlan';
import { encryptedProtocols } from './encryptedProtocols';
import { endpointAuthentication } from './endpointAuthentication';
import { fragmentIncludeCycle } from './fragmentIncludeCycle';
import { missingFragment } from './missingFragment';
import { namedValueKeyVault } from './namedValueKeyVault';
import type { DeploymentFactRule, Rule } from './rule';
import { sensitiveDataInBody } from './sensitiveDataInBody';
import { sensitiveDataInUrl } from './sensitiveDataInUrl';
import { subscriptionAllApis } from './subscriptionScope';
import { unusedEndpoint } from './unusedEndpoint';

/** The rules that read what Azure told (Defender's recommendations 1 to 3): they say nothing without a snapshot. */
export const DEPLOYMENT_FACT_RULES: readonly DeploymentFactRule[] = [defenderForApisPlan, apiOnboarding, unusedEndpoint];

export const ALL_RULES: readonly Rule[] = [
  endpointAuthentication,
  subscriptionAllApis,
  backendCertificateValidation,
  encryptedProtocols,
  namedValueKeyVault,
  backendAuthentication,
  sensitiveDataInUrl,
  sensitiveDataInBody,
  apiRiskRanking,
  missingFragment,
  fragmentIncludeCycle,
  ...DEPLOYMENT_FACT_RULES,
];
