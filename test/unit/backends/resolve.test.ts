// Backends resolved per layout: the kind of Azure resource behind a URL's host, and what the
// repository's Bicep or Terraform declaration of that resource says about reaching it without the
// gateway. The expected values are read from the fixtures (test/fixtures/workspace/backends) and the
// APIOps repository built here.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { callableDirectly, hostKind, type ResolvedBackend } from '../../../src/core/backends/resolve';
import type { ApimService } from '../../../src/core/model';
import { apiRisk } from '../../../src/core/priority/priority';
import { scan } from '../../../src/core/scan';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { FIXTURES, byName, slice } from '../workspace/helpers';

const ROOT = path.join(FIXTURES, 'backends');

/** The facts a test compares: the kind, how it is reached, the resource's exposure, what is not resolved. */
function summary(backend: ResolvedBackend) {
  const { resource } = backend;
  return {
    kind: backend.kind,
    via: backend.via,
    host: backend.host,
    resource: resource && {
      name: resource.name,
      type: resource.type,
      publicNetworkAccess: resource.publicNetworkAccess,
      accessRestricted: resource.accessRestricted,
      privateEndpoint: resource.privateEndpoint,
      appServiceAuth: resource.appServiceAuth,
      managedIdentity: resource.managedIdentity,
      notKnown: resource.notKnown,
    },
    callableDirectly: callableDirectly(backend),
    unresolved: backend.unresolved,
  };
}

function operationBackends(result: ScanResult, service: ApimService, apiName: string) {
  const api = byName(service.apis, apiName);
  return api.operations.map((operation) => result.analyses.backends(api, operation));
}

describe('backends resolved', () => {
  it('host names: each Azure service by its suffix, private addresses, and the rest outside Azure', () => {
    assert.deepStrictEqual(
      [
        'func-orders.azurewebsites.net',
        'app.kindpebble-1234.westeurope.azurecontainerapps.io',
        'prod-00.westeurope.logic.azure.com:443',
        'contoso.openai.azure.com',
        'contoso.services.ai.azure.com',
        'contoso.cognitiveservices.azure.com',
        'sb-orders.servicebus.windows.net',
        'stdata.queue.core.windows.net',
        'cosmos-orders.documents.azure.com',
        'search-docs.search.windows.net',
        'ingress.westeurope.cloudapp.azure.com',
        'loyalty.corp.contoso.local:8443',
        '10.0.4.5',
        'api.stripe.com',
      ].map(hostKind),
      ['app-service', 'container-app', 'logic-app', 'azure-openai', 'ai-foundry', 'cognitive-services', 'service-bus', 'storage', 'cosmos-db', 'ai-search', 'aks', 'private-address', 'private-address', 'external'],
    );
  });

  describe('Bicep (AI-Gateway labs)', () => {
    const root = path.join(ROOT, 'bicep-labs');
    let result: ScanResult;
    before(() => {
      result = scan(root);
    });

    it('an API whose serviceUrl is a Function App\'s defaultHostName: the site declared beside it, reachable directly', () => {
      const [[backend]] = operationBackends(result, result.services[0], 'weather');
      // functionApp: kind 'functionapp,linux', a system-assigned identity, no publicNetworkAccess, no
      // ipSecurityRestrictions, no authsettingsV2 and no private endpoint in the file.
      assert.deepStrictEqual(summary(backend), {
        kind: 'function-app',
        via: 'service-url',
        host: undefined,
        resource: { name: 'functionApp', type: 'Microsoft.Web/sites', publicNetworkAccess: undefined, accessRestricted: undefined, privateEndpoint: false, appServiceAuth: false, managedIdentity: true, notKnown: [] },
        callableDirectly: true,
        unresolved: undefined,
      });
      assert.strictEqual(slice(backend.location), "'https://${functionApp.properties.defaultHostName}/api/weather'");
      assert.match(slice(backend.resource!.declaredAt) ?? '', /^resource functionApp 'Microsoft\.Web\/sites@2022-09-01'/);
    });

    it('a backend whose url is a Container App\'s ingress FQDN: the container app, external ingress, no identity', () => {
      const backend = result.analyses.backend(byName(result.services[0].backends, 'sglang-backend'));
      assert.deepStrictEqual(summary(backend), {
        kind: 'container-app',
        via: 'backend',
        host: undefined,
        resource: { name: 'sglangApp', type: 'Microsoft.App/containerApps', publicNetworkAccess: undefined, accessRestricted: undefined, privateEndpoint: false, appServiceAuth: false, managedIdentity: false, notKnown: [] },
        callableDirectly: true,
        unresolved: undefined,
      });
    });

    it('the callable Function App raises the API\'s risk: a keyed GET, 0.2 gateway + 0.25 backend × 0.3 = 14', () => {
      const risk = apiRisk(result.analyses, byName(result.services[0].apis, 'weather'));
      assert.strictEqual(risk.score, 14);
      assert.deepStrictEqual(risk.factors.map((factor) => factor.id), ['gateway', 'backend-direct', 'any-call']);
    });
  });

  describe('Terraform', () => {
    const root = path.join(ROOT, 'terraform');
    let result: ScanResult;
    let service: ApimService;
    before(() => {
      result = scan(root);
      service = result.services[0];
    });

    it('service_url from azurerm_linux_function_app.orders.default_hostname: public access on, nothing restricting', () => {
      const [[backend]] = operationBackends(result, service, 'orders');
      assert.deepStrictEqual(summary(backend), {
        kind: 'function-app',
        via: 'service-url',
        host: undefined,
        resource: { name: 'func-orders', type: 'azurerm_linux_function_app', publicNetworkAccess: 'Enabled', accessRestricted: undefined, privateEndpoint: false, appServiceAuth: false, managedIdentity: false, notKnown: [] },
        callableDirectly: true,
        unresolved: undefined,
      });
      assert.strictEqual(path.basename(backend.resource!.declaredAt.file), 'backends.tf');
    });

    it('a storage account\'s endpoint: network rules deny, a private endpoint, public access from a variable (not known)', () => {
      const backend = result.analyses.backend(byName(service.backends, 'archive'));
      assert.deepStrictEqual(summary(backend).resource, {
        name: 'starchive',
        type: 'azurerm_storage_account',
        publicNetworkAccess: undefined,
        accessRestricted: true,
        privateEndpoint: true,
        appServiceAuth: undefined,
        managedIdentity: false,
        notKnown: ['public_network_access_enabled'],
      });
      assert.strictEqual(backend.kind, 'storage');
      assert.strictEqual(callableDirectly(backend), false);
    });

    it('a literal host whose name a function app beside it declares: that app, restricted to APIM, signing callers in', () => {
      const backend = result.analyses.backend(byName(service.backends, 'invoices'));
      assert.deepStrictEqual(summary(backend), {
        kind: 'function-app',
        via: 'backend',
        host: 'func-invoices.azurewebsites.net',
        resource: { name: 'func-invoices', type: 'azurerm_windows_function_app', publicNetworkAccess: undefined, accessRestricted: true, privateEndpoint: false, appServiceAuth: true, managedIdentity: true, notKnown: [] },
        callableDirectly: false,
        unresolved: undefined,
      });
    });

    it('what is not resolved says why: an azapi resource\'s body, a URL from a variable', () => {
      const models = result.analyses.backend(byName(service.backends, 'models'));
      assert.strictEqual(models.kind, 'cognitive-services');
      assert.strictEqual(models.unresolved, 'azapi_resource.models is a Microsoft.CognitiveServices/accounts; what its body says about reaching it is not read');
      const partner = result.analyses.backend(byName(service.backends, 'partner'));
      assert.strictEqual(partner.kind, 'unknown');
      assert.strictEqual(partner.unresolved, '`"https://${var.partner_host}/v2"` is computed from values the files do not determine');
    });
  });

  describe('APIOps', () => {
    let root: string;
    let result: ScanResult;
    const write = (files: Record<string, string>) => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-backends-'));
      for (const [relative, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
        fs.writeFileSync(path.join(root, relative), text);
      }
    };
    const policy = (inbound: string) => `<policies>\n  <inbound>\n    <base />\n${inbound}  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n`;
    const operation = (name: string, method: string) => JSON.stringify({ properties: { displayName: name, method, urlTemplate: `/${name}` } });
    before(() => {
      write({
        'apis/queue/apiInformation.json': JSON.stringify({ properties: { displayName: 'Queue', path: 'queue', protocols: ['https'], serviceUrl: 'https://sb-orders.servicebus.windows.net/orders' } }),
        'apis/queue/operations/send/operationInformation.json': operation('send', 'POST'),
        // Every call of route goes to backend ai, a conditional one of pick to a named value's URL, and compute's to an expression.
        'apis/queue/operations/route/operationInformation.json': operation('route', 'POST'),
        'apis/queue/operations/route/policy.xml': policy('    <set-backend-service backend-id="ai" />\n'),
        'apis/queue/operations/pick/operationInformation.json': operation('pick', 'GET'),
        'apis/queue/operations/pick/policy.xml': policy('    <choose>\n      <when condition="@(true)">\n        <set-backend-service base-url="{{partner-url}}" />\n      </when>\n    </choose>\n'),
        'apis/queue/operations/compute/operationInformation.json': operation('compute', 'GET'),
        'apis/queue/operations/compute/policy.xml': policy('    <set-backend-service base-url="@(context.Variables.GetValueOrDefault<string>(&quot;url&quot;))" />\n'),
        'apis/queue/operations/templated/operationInformation.json': operation('templated', 'GET'),
        'apis/queue/operations/templated/policy.xml': policy('    <set-backend-service backend-id="{backend-id}" />\n    <set-backend-service backend-id="gone" />\n'),
        'backends/ai/backendInformation.json': JSON.stringify({ properties: { url: 'https://contoso.openai.azure.com/openai', protocol: 'http' } }),
      });
      result = scan(root);
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('the serviceUrl, a set-backend-service that replaces it, one inside <choose> beside it, and computed ones', () => {
      const service = result.services[0];
      const api = byName(service.apis, 'queue');
      const of = (name: string) => result.analyses.backends(api, byName(api.operations, name)).map((backend) => [backend.via, backend.kind, backend.backend ?? backend.host, backend.unresolved]);
      assert.deepStrictEqual(of('send'), [['service-url', 'service-bus', 'sb-orders.servicebus.windows.net', undefined]]);
      assert.deepStrictEqual(of('route'), [['set-backend-service', 'azure-openai', 'backends/ai', undefined]]);
      assert.deepStrictEqual(of('pick'), [
        ['service-url', 'service-bus', 'sb-orders.servicebus.windows.net', undefined],
        ['set-backend-service', 'unknown', undefined, 'base-url "{{partner-url}}" is a named value\'s, which is not resolved'],
      ]);
      assert.deepStrictEqual(of('compute'), [['set-backend-service', 'unknown', undefined, 'base-url is computed when the call is made']]);
      assert.deepStrictEqual(of('templated'), [
        ['set-backend-service', 'unknown', undefined, 'backend-id="{backend-id}" is a placeholder the deployment replaces'],
        ['set-backend-service', 'unknown', undefined, 'backend-id="gone" names no backend the repository declares'],
      ]);
    });

    it('a data store behind an operation weighs in its impact', () => {
      const risk = apiRisk(result.analyses, byName(result.services[0].apis, 'queue'));
      // Keyed (APIM's default), https: 0.2; send and route are POSTs, send to Service Bus (a data
      // store): 0.3 + 0.15 + 0.15 = 0.6 → 12; route to Azure OpenAI: 0.45 → 9.
      assert.strictEqual(risk.score, 12);
      assert.strictEqual(risk.operation, 'apis/queue/operations/send');
      assert.ok(risk.factors.some((factor) => factor.id === 'data-store' && factor.label === 'a data store behind it (service-bus)'));
    });
  });
});
