// A synthetic APIOps export for the benchmark: realistic file shapes and policy sizes, with a mix of
// secured and unsecured APIs so that every rule does real work.
import * as fs from 'fs';
import * as path from 'path';

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

export function generateApiopsTree(root: string, size: { apis: number; operationsPerApi: number }): void {
  const write = (relative: string, text: string) => {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  write('policy.xml', policies('<cors allow-credentials="false"><allowed-origins><origin>*</origin></allowed-origins></cors>\n\t\t<include-fragment fragment-id="correlation" />', false));
  write('policy fragments/correlation/policy.xml', '<fragment>\n\t<set-header name="X-Correlation-Id" exists-action="skip">\n\t\t<value>@(context.RequestId.ToString())</value>\n\t</set-header>\n</fragment>\n');
  write('policy fragments/correlation/policyFragmentInformation.json', json({ description: 'Correlation id' }));
  write('products/starter/productInformation.json', json({ displayName: 'Starter', subscriptionRequired: true, state: 'published' }));
  write('products/starter/policy.xml', policies('<rate-limit calls="100" renewal-period="60" />', true));
  write('subscriptions/all/subscriptionInformation.json', json({ displayName: 'all', scope: '/apis', state: 'active' }));
  write('backends/legacy/backendInformation.json', json({ url: 'https://legacy.contoso.test', protocol: 'http', tls: { validateCertificateChain: false, validateCertificateName: false } }));
  write('named values/secret-key/namedValueInformation.json', json({ displayName: 'secret-key', secret: true }));

  for (let a = 0; a < size.apis; a++) {
    const api = `api-${String(a).padStart(4, '0')}`;
    const secured = a % 3 !== 0;
    write(`apis/${api}/apiInformation.json`, json({ displayName: api, path: api, protocols: a % 10 === 0 ? ['http', 'https'] : ['https'], subscriptionRequired: a % 2 === 0, serviceUrl: `https://${api}.backend.test` }));
    if (a % 2 === 0) write(`products/starter/apis/${api}/productApiInformation.json`, '{}\n');
    write(`apis/${api}/policy.xml`, policies(secured ? jwt() : '<set-header name="X-Api" exists-action="override"><value>' + api + '</value></set-header>', true));
    for (let o = 0; o < size.operationsPerApi; o++) {
      const operation = `op-${o}`;
      if (o % 2 === 0) write(`apis/${api}/operations/${operation}/policy.xml`, policies(`<set-query-parameter name="op" exists-action="override"><value>${operation}</value></set-query-parameter>`, o % 5 !== 4));
    }
    write(`apis/${api}/specification.yaml`, openApiSpec(api, size.operationsPerApi));
  }
}

/** An OpenAPI 3 spec of `operations` operations (op-0, op-1, ...), every fourth with an `email` path parameter. */
export function openApiSpec(api: string, operations: number): string {
  const paths: string[] = [];
  for (let o = 0; o < operations; o++) {
    const method = METHODS[o % METHODS.length];
    const parameter = o % 4 === 0 ? 'email' : 'id';
    paths.push(
      `  /items${o}/{${parameter}}:\n    ${method}:\n      operationId: op-${o}\n      parameters:\n        - name: ${parameter}\n          in: path\n          required: true\n          schema: { type: string }\n` +
        `      responses:\n        '200':\n          description: OK\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Item'\n`,
    );
  }
  return (
    `openapi: 3.0.1\ninfo:\n  title: ${api}\n  version: '1.0'\nservers:\n  - url: https://contoso.azure-api.net/${api}\npaths:\n${paths.join('')}` +
    `components:\n  schemas:\n    Item:\n      type: object\n      properties:\n        id: { type: string }\n        name: { type: string }\n        phoneNumber: { type: string }\n        dateOfBirth: { type: string, format: date }\n`
  );
}

export function policies(inbound: string, withBase: boolean): string {
  const base = withBase ? '\t\t<base />\n' : '';
  return `<policies>\n\t<inbound>\n${base}\t\t${inbound}\n\t</inbound>\n\t<backend>\n${base || '\t\t<forward-request />\n'}\t</backend>\n\t<outbound>\n${base}\t</outbound>\n\t<on-error>\n${base}\t</on-error>\n</policies>\n`;
}

export function jwt(): string {
  return '<validate-jwt header-name="Authorization" failed-validation-httpcode="401">\n\t\t\t<openid-config url="https://login.microsoftonline.com/{{tenant-id}}/v2.0/.well-known/openid-configuration" />\n\t\t\t<audiences><audience>{{api-audience}}</audience></audiences>\n\t\t</validate-jwt>';
}

function json(properties: Record<string, unknown>): string {
  return JSON.stringify({ properties }, null, 2) + '\n';
}
