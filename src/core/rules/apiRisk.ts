// Risk-based prioritisation: which APIs to fix first. Exposure (calls that need no authentication),
// sensitivity (what the API carries) and transport (clear-text protocols) each add risk, and
// together they compound: 100 is an unauthenticated API carrying highly sensitive data over HTTP.
import { highestSensitivity } from '../analysis/sensitiveData';
import { typeNames } from '../analysis/dataExposure';
import type { ApiResource } from '../model';
import { assessedOperations } from './endpointAuthentication';
import { apiRule, predicted, ruleHelpUri, type RuleContext } from './rule';

const meta = {
  id: 'api-risk',
  title: 'API risk ranking',
  severity: 'info',
  description:
    'Ranks APIs by how exposed they are (operations callable without authentication), how sensitive their data is (classified parameters and body fields) and whether they accept unencrypted protocols, so the riskiest APIs are fixed first.',
  remediation: 'Fix the authentication, protocol and sensitive-data findings of the highest-ranked APIs first.',
  helpUri: ruleHelpUri('api-risk'),
} as const;

export interface ApiRisk {
  score: number;
  unauthenticatedOperations: number;
  conditionalOperations: number;
  /** Operations whose authentication is not known: a policy on their keyless path was not read. */
  unknownOperations: number;
  operations: number;
  sensitivity?: 'high' | 'medium';
  informationTypes: string[];
  unencrypted: boolean;
}

// How much of the worst case each factor alone is; they combine like independent chances of harm.
const EXPOSURE = { none: 0, conditional: 0.36, unauthenticated: 0.6 };
const SENSITIVITY = { none: 0, medium: 0.18, high: 0.3 };
const TRANSPORT = { encrypted: 0, clear: 0.25 };
const combined = (exposure: number, sensitivity: number, transport: number) => 1 - (1 - exposure) * (1 - sensitivity) * (1 - transport);
const WORST = combined(EXPOSURE.unauthenticated, SENSITIVITY.high, TRANSPORT.clear);

/** The risk of one API, from the analyses of its operations (the rule's context, or a scan's). */
export function apiRisk(context: Pick<RuleContext, 'auth' | 'exposure'>, api: ApiResource): ApiRisk {
  const states = assessedOperations(api).map((operation) => context.auth(api, operation).state);
  const unauthenticated = states.filter((state) => state === 'unauthenticated').length;
  const conditional = states.filter((state) => state === 'conditional').length;
  const unknown = states.filter((state) => state === 'unknown').length;
  const exposures = api.operations.map((operation) => context.exposure(operation));
  const classifications = exposures.flatMap((exposure) => [...exposure.inUrl, ...exposure.inBodies].flatMap((entry) => entry.classifications));
  const sensitivity = highestSensitivity(classifications);
  const unencrypted = api.protocols?.value.some((protocol) => /^(http|ws)$/i.test(protocol)) ?? false;
  // A call path whose policy was not read may or may not authenticate: weighed as a conditional one.
  const exposure = unauthenticated > 0 ? EXPOSURE.unauthenticated : conditional + unknown > 0 ? EXPOSURE.conditional : EXPOSURE.none;
  const risk = combined(exposure, SENSITIVITY[sensitivity ?? 'none'], unencrypted ? TRANSPORT.clear : TRANSPORT.encrypted);
  return {
    score: Math.round((100 * risk) / WORST),
    unauthenticatedOperations: unauthenticated,
    conditionalOperations: conditional,
    unknownOperations: unknown,
    operations: states.length,
    sensitivity,
    informationTypes: typeNames(classifications),
    unencrypted,
  };
}

export const apiRiskRanking = apiRule(meta, (context, api) => {
  const risk = apiRisk(context, api);
  if (risk.score === 0) return [];
  const factors: string[] = [];
  if (risk.unauthenticatedOperations > 0) factors.push(`${risk.unauthenticatedOperations} of ${risk.operations} operations unauthenticated`);
  if (risk.conditionalOperations > 0) factors.push(`${risk.conditionalOperations} conditionally authenticated`);
  if (risk.unknownOperations > 0) factors.push(`${risk.unknownOperations} whose authentication is not known (a policy was not read)`);
  if (risk.informationTypes.length > 0) factors.push(`${risk.sensitivity} sensitivity data (${risk.informationTypes.join(', ')})`);
  if (risk.unencrypted) factors.push('unencrypted protocols accepted');
  return [
    predicted(meta, {
      resource: api.id,
      message: `API ${api.name} risk ${risk.score}/100: ${factors.join('; ')}.`,
      location: api.declaration.locate(['displayName']),
      properties: { riskScore: risk.score, ...risk },
    }),
  ];
});
