import type { Finding } from '../findings';
import { setDeclaredProperty } from '../fixes/declarationEdits';
import { DEFENDER } from './defender';
import { apiRule, predicted, ruleHelpUri } from './rule';

const meta = {
  id: 'encrypted-protocols',
  title: 'APIs should use only encrypted protocols',
  severity: 'high',
  description:
    'An API that accepts `http` (or `ws`) lets credentials, keys and data cross the network in clear text. Defender flags APIs whose protocols include an unencrypted one; `http://` servers in a spec announce the same to clients.',
  remediation: 'Keep only `https` (and `wss`) in the API\'s `protocols`, and list only `https://` servers in the spec.',
  defender: DEFENDER.encryptedProtocols,
  helpUri: ruleHelpUri('encrypted-protocols'),
} as const;

const UNENCRYPTED: Record<string, string> = { http: 'https', ws: 'wss' };

/** The key of the finding on an API's own protocols (beside those on its spec's servers): Defender's assessment of the API is this finding. */
export const API_PROTOCOLS_KEY = 'protocols';

export const encryptedProtocols = apiRule(meta, (_context, api) => {
  const findings: Finding[] = [];
  const protocols = api.protocols;
  const clear = protocols?.value.filter((protocol) => protocol.toLowerCase() in UNENCRYPTED) ?? [];
  if (protocols && clear.length > 0) {
    const encrypted = [...new Set(protocols.value.map((protocol) => UNENCRYPTED[protocol.toLowerCase()] ?? protocol))];
    findings.push(
      predicted(meta, {
        resource: api.id,
        key: API_PROTOCOLS_KEY,
        message: `API ${api.name} accepts unencrypted ${clear.join(' and ')} (protocols: ${protocols.value.join(', ')}).`,
        location: protocols.location,
        fixes: () => {
          const edit = setDeclaredProperty(api.declaration, ['protocols'], encrypted);
          return edit ? [{ id: 'encrypted-protocols-only', title: `Use only ${encrypted.join(' and ')} for API ${api.name}`, preferred: true, edits: [edit] }] : [];
        },
      }),
    );
  }
  for (const server of api.spec?.servers ?? []) {
    if (!/^(http|ws):\/\//i.test(server.url)) continue;
    const text = server.location.file === api.spec!.document.file ? api.spec!.document.text : undefined;
    const schemeAt = text?.slice(server.location.span.start, server.location.span.end).search(/(http|ws):\/\//i) ?? -1;
    const scheme = server.url.slice(0, server.url.indexOf(':')).toLowerCase();
    findings.push(
      predicted(meta, {
        resource: api.id,
        key: `server:${server.url}`,
        message: `The spec of API ${api.name} lists an unencrypted server: ${server.url}.`,
        location: server.location,
        fixes: () =>
          schemeAt >= 0
            ? [{
                id: 'https-server',
                title: `Use ${UNENCRYPTED[scheme]}:// for this server`,
                preferred: true,
                edits: [{ file: server.location.file, edits: [{ span: { start: server.location.span.start + schemeAt, end: server.location.span.start + schemeAt + scheme.length }, newText: UNENCRYPTED[scheme] }] }],
              }]
            : [],
      }),
    );
  }
  return findings;
});
