import { apiRiskRanking } from './apiRisk';
import { backendAuthentication } from './backendAuthentication';
import { backendCertificateValidation } from './backendCertificateValidation';
import { encryptedProtocols } from './encryptedProtocols';
import { endpointAuthentication } from './endpointAuthentication';
import { missingFragment } from './missingFragment';
import { namedValueKeyVault } from './namedValueKeyVault';
import type { Rule } from './rule';
import { sensitiveDataInBody } from './sensitiveDataInBody';
import { sensitiveDataInUrl } from './sensitiveDataInUrl';
import { subscriptionAllApis } from './subscriptionScope';

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
];
