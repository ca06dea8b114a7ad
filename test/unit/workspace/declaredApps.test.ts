// One model of declared apps: what the scanned folder's Bicep, Terraform and ARM files declare that a
// backend may be, read once per scan and used by the backend resolver and the gateway bypass. The
// expected values are read from the files: samples/infra/orders-func.bicep, and the fixtures under
// test/fixtures/workspace/declared-apps (sources in its NOTICE.md).
import * as assert from 'assert';
import * as path from 'path';
import { callableDirectly, type ResolvedBackend } from '../../../src/core/backends/resolve';
import { scan } from '../../../src/core/scan';
import type { ScanResult } from '../../../src/core/report/scanResult';
import { FIXTURES, byName, slice } from './helpers';

const ROOT = path.join(FIXTURES, 'declared-apps');
const SAMPLES = path.resolve(__dirname, '../../../samples');

function facts(backend: ResolvedBackend) {
  const { resource } = backend;
  return {
    kind: backend.kind,
    resource: resource && {
      name: resource.name,
      file: path.basename(resource.declaredAt.file),
      publicNetworkAccess: resource.publicNetworkAccess,
      accessRestricted: resource.accessRestricted,
      privateEndpoint: resource.privateEndpoint,
      appServiceAuth: resource.appServiceAuth,
      managedIdentity: resource.managedIdentity,
      notKnown: resource.notKnown,
    },
    unresolved: backend.unresolved,
  };
}

function firstBackend(result: ScanResult, apiName: string): ResolvedBackend {
  const api = byName(result.services[0].apis, apiName);
  return result.analyses.backends(api, api.operations[0])[0];
}

function triggersOf(result: ScanResult) {
  return (result.services[0].hosted?.projects ?? []).flatMap((project) => project.triggers);
}

function problems(result: ScanResult, file: string) {
  return result.services[0].problems.filter((problem) => path.basename(problem.file) === file).map((problem) => ({ kind: problem.kind, at: slice({ file: problem.file, span: problem.span! }), message: problem.message }));
}

describe('declared apps', () => {
  describe('the sample: a Function App declared outside the APIOps root', () => {
    let result: ScanResult;
    before(() => {
      result = scan(SAMPLES);
    });

    it('the orders backend and the returns APIs resolve to infra/orders-func.bicep: public, nothing restricting', () => {
      // func-contoso-orders: kind 'functionapp,linux', no publicNetworkAccess, no siteConfig, no identity, no authsettingsV2.
      const expected = {
        kind: 'function-app',
        resource: { name: 'func-contoso-orders', file: 'orders-func.bicep', publicNetworkAccess: undefined, accessRestricted: undefined, privateEndpoint: false, appServiceAuth: false, managedIdentity: false, notKnown: [] },
        unresolved: undefined,
      };
      const backend = result.analyses.backend(byName(result.services[0].backends, 'orders-func'));
      assert.deepStrictEqual(facts(backend), expected);
      assert.strictEqual(callableDirectly(backend), true);
      assert.deepStrictEqual(facts(firstBackend(result, 'returns-v1')), expected);
      assert.strictEqual(path.relative(SAMPLES, backend.resource!.declaredAt.file), path.join('infra', 'orders-func.bicep'));
    });

    it('the gateway bypass finds the same app through the resolver', () => {
      const bypass = result.findings.filter((finding) => finding.ruleId === 'gateway-bypass').map((finding) => finding.resource);
      assert.deepStrictEqual(bypass.sort(), ['apis/orders', 'sites/func-contoso-orders/functions/get-order']);
    });
  });

  describe('an ARM template with APIs, Function Apps and a storage account (written for these tests)', () => {
    let result: ScanResult;
    before(() => {
      result = scan(path.join(ROOT, 'arm-apim'));
    });

    it('a serviceUrl from reference(resourceId(...)).defaultHostName: the site of that name, with its web config, authsettingsV2, identity and private endpoint', () => {
      assert.deepStrictEqual(facts(firstBackend(result, 'invoices')), {
        kind: 'function-app',
        resource: { name: 'func-invoices', file: 'azuredeploy.json', publicNetworkAccess: 'Enabled', accessRestricted: true, privateEndpoint: true, appServiceAuth: true, managedIdentity: true, notKnown: [] },
        unresolved: undefined,
      });
    });

    it('a literal host: the site named so, whose only rule allows all and whose public access is a parameter without a value', () => {
      const backend = firstBackend(result, 'open');
      assert.deepStrictEqual(facts(backend), {
        kind: 'function-app',
        resource: { name: 'func-open', file: 'azuredeploy.json', publicNetworkAccess: undefined, accessRestricted: undefined, privateEndpoint: false, appServiceAuth: false, managedIdentity: false, notKnown: ['publicNetworkAccess'] },
        unresolved: undefined,
      });
      assert.strictEqual(callableDirectly(backend), false);
      assert.deepStrictEqual(
        problems(result, 'azuredeploy.json').filter((problem) => problem.message.includes('func-open') || problem.at === '"func-open"'),
        [{ kind: 'unresolved-value', at: '"func-open"', message: 'publicNetworkAccess of this Microsoft.Web/sites resource cannot be evaluated from the repository: whether it can be called without the gateway is not concluded.' }],
      );
    });

    it('code mapped by azure.yaml to the site tagged azd-service-name: open; the bypass is info, its public access not known', () => {
      const [project] = result.services[0].hosted?.projects.filter((candidate) => candidate.app) ?? [];
      assert.strictEqual(project.app?.name, 'func-open');
      assert.strictEqual(project.app?.publicNetworkAccess, 'unknown');
      const bypass = result.findings.filter((finding) => finding.ruleId === 'gateway-bypass').map((finding) => [finding.resource, finding.severity]);
      assert.deepStrictEqual(bypass, [
        ['apis/open', 'info'],
        ['sites/func-open/functions/status', 'info'],
      ]);
      assert.match(result.findings.find((finding) => finding.ruleId === 'gateway-bypass')!.message, /not known from the files whether public network access is disabled/);
    });

    it('a Consumption workflow named by a parameter\'s default, whose empty allowedCallerIpAddresses admits other Logic Apps only', () => {
      const triggers = triggersOf(result).filter((trigger) => trigger.host === 'logic-app');
      assert.deepStrictEqual(
        triggers.map((trigger) => [trigger.id, trigger.access, slice(trigger.location)]),
        [['workflows/la-invoices/triggers/manual', 'key', '"Request"']],
      );
      assert.match(triggers[0].defaulted ?? '', /allowedCallerIpAddresses is empty: only other Logic Apps may call it$/);
    });

    it('a backend on a blob endpoint: the storage account whose network rules deny by default', () => {
      const backend = result.analyses.backend(byName(result.services[0].backends, 'archive'));
      assert.deepStrictEqual(facts(backend), {
        kind: 'storage',
        resource: { name: 'stinvoices', file: 'azuredeploy.json', publicNetworkAccess: undefined, accessRestricted: true, privateEndpoint: false, appServiceAuth: undefined, managedIdentity: false, notKnown: [] },
        unresolved: undefined,
      });
    });
  });

  describe('an ARM template of a Logic App and a Function App (azure-quickstart-templates)', () => {
    let result: ScanResult;
    before(() => {
      result = scan(path.join(ROOT, 'arm-quickstart'));
    });

    it('reads both, and says where their names (uniqueString) cannot be evaluated', () => {
      const apps = result.services[0].declaredApps ?? [];
      assert.deepStrictEqual(
        apps.map((app) => [app.kind, app.name, app.nameText]),
        [
          ['logic-app', undefined, "[parameters('LogicAppName')]"],
          ['function-app', undefined, "[parameters('functionAppName')]"],
        ],
      );
      assert.deepStrictEqual(
        problems(result, 'azuredeploy.json').map((problem) => [problem.kind, problem.at]),
        [
          ['unresolved-value', `"[parameters('LogicAppName')]"`],
          ['unresolved-value', `"[parameters('functionAppName')]"`],
        ],
      );
      assert.ok(result.services[0].filesRead.some((file) => file.endsWith(path.join('arm-quickstart', 'azuredeploy.json'))));
    });

    it('the workflow\'s Request trigger is reported at its type', () => {
      const finding = result.findings.find((candidate) => candidate.ruleId === 'logic-app-endpoint-authentication');
      assert.strictEqual(finding?.severity, 'medium');
      assert.strictEqual(slice(finding.location), '"Request"');
      assert.match(finding.message, /no OAuth policy in accessControl\.triggers/);
    });
  });

  describe('Bicep Consumption workflows (AI-Gateway\'s mcp-from-api lab, and one written for these tests)', () => {
    let result: ScanResult;
    before(() => {
      result = scan(path.join(ROOT, 'bicep-consumption'));
    });

    it('a backend whose url is the workflow\'s listCallbackUrl(): the workflow', () => {
      assert.deepStrictEqual(facts(firstBackend(result, 'order-api')), {
        kind: 'logic-app',
        resource: { name: 'placeOrderWorkflow', file: 'api.bicep', publicNetworkAccess: undefined, accessRestricted: undefined, privateEndpoint: false, appServiceAuth: undefined, managedIdentity: false, notKnown: [] },
        unresolved: undefined,
      });
    });

    it('Request triggers, with the addresses allowed to call them; a definition loaded from a file is said not read', () => {
      const triggers = triggersOf(result);
      assert.deepStrictEqual(
        triggers.map((trigger) => [trigger.id, trigger.access, slice(trigger.location)]),
        [
          ['workflows/la-refunds/triggers/manual', 'key', "'Request'"],
          ['workflows/placeOrderWorkflow/triggers/PlaceOrder', 'key', "'Request'"],
        ],
      );
      assert.match(triggers[0].defaulted ?? '', /allowedCallerIpAddresses admits calls from 192\.168\.12\.0\/23, 2001:0db8::\/64 only$/);
      assert.deepStrictEqual(problems(result, 'access.bicep'), [
        { kind: 'unresolved-value', at: "json(loadTextContent('workflow-definition.json'))", message: "The definition of workflow la-loaded is computed (json(loadTextContent('workflow-definition.json'))): its Request triggers are not read." },
      ]);
      const findings = result.findings.filter((finding) => finding.ruleId === 'logic-app-endpoint-authentication').map((finding) => [finding.resource, finding.severity, path.basename(finding.location.file)]);
      assert.deepStrictEqual(findings, [
        ['workflows/la-refunds/triggers/manual', 'medium', 'access.bicep'],
        ['workflows/placeOrderWorkflow/triggers/PlaceOrder', 'medium', 'api.bicep'],
      ]);
    });

    it('coverage counts both Bicep files as read', () => {
      const read = result.services[0].filesRead.map((file) => path.basename(file));
      assert.ok(read.includes('api.bicep') && read.includes('access.bicep'), read.join(', '));
    });
  });

  describe('Terraform Consumption workflows (written for these tests): triggers are resources of their own, naming their workflow', () => {
    let result: ScanResult;
    before(() => {
      result = scan(path.join(ROOT, 'terraform-consumption'));
    });

    it('an HTTP request trigger and a custom trigger of type Request, each at its resource, with its workflow\'s access control', () => {
      const triggers = triggersOf(result);
      assert.deepStrictEqual(
        triggers.map((trigger) => [trigger.id, trigger.access, trigger.authLevel, slice(trigger.location)]),
        [
          ['workflows/la-invoices/triggers/invoice-received', 'key', 'SAS or OAuth', 'resource "azurerm_logic_app_trigger_http_request" "invoice_received"'],
          ['workflows/la-alerts/triggers/alert-fired', 'key', 'SAS', 'resource "azurerm_logic_app_trigger_custom" "alert_fired"'],
        ],
      );
      // la-invoices: open_authentication_policy "partner-tenant" (azurerm cannot turn SAS off) and two address ranges.
      assert.match(triggers[0].defaulted ?? '', /the OAuth policy adds a way in without taking SAS away/);
      assert.match(triggers[0].defaulted ?? '', /allowedCallerIpAddresses admits calls from 10\.20\.0\.0\/16, 203\.0\.113\.7 only$/);
      assert.match(triggers[1].defaulted ?? '', /no OAuth policy in accessControl\.triggers$/);
    });

    it('a custom trigger whose body is read from a file, and a trigger naming a workflow by an ID string, are said', () => {
      assert.deepStrictEqual(
        problems(result, 'triggers.tf').map(({ kind, at }) => [kind, at]),
        [
          ['unresolved-value', 'file("${path.module}/trigger.json")'],
          ['unresolved-value', '"/subscriptions/${var.subscription_id}/resourceGroups/rg-ops/providers/Microsoft.Logic/workflows/la-deploy"'],
        ],
      );
    });

    it('both Request triggers are reported at medium; the recurrence trigger is not a way in', () => {
      const findings = result.findings.filter((finding) => finding.ruleId === 'logic-app-endpoint-authentication').map((finding) => [finding.resource, finding.severity, path.basename(finding.location.file)]);
      assert.deepStrictEqual(findings, [
        ['workflows/la-invoices/triggers/invoice-received', 'medium', 'main.tf'],
        ['workflows/la-alerts/triggers/alert-fired', 'medium', 'triggers.tf'],
      ]);
    });
  });

  describe('Terraform Consumption workflows and triggers with for_each, count or dynamic access control (written for these tests)', () => {
    let result: ScanResult;
    before(() => {
      result = scan(path.join(ROOT, 'terraform-consumption-iterated'));
    });

    it('reads a trigger of iterated instances once, leaves out the ones count = 0 leaves undeployed, and takes what a dynamic block adds as not known', () => {
      const triggers = triggersOf(result);
      // partner's name is "la-partner-${each.key}": the trigger goes by its workflow's address.
      assert.deepStrictEqual(
        triggers.map((trigger) => [trigger.id, trigger.access, trigger.authLevel]),
        [
          ['workflows/azurerm_logic_app_workflow.partner/triggers/order', 'key', 'SAS'],
          ['workflows/la-ops/triggers/run', 'key', 'SAS'],
        ],
      );
      assert.match(triggers[0].defaulted ?? '', /what the dynamic "open_authentication_policy" block of azurerm_logic_app_workflow\.partner adds \(OAuth policies, caller addresses\) is not known/);
      assert.match(triggers[1].defaulted ?? '', /what the dynamic "access_control" block of azurerm_logic_app_workflow\.ops adds/);
    });

    it('says each of them', () => {
      assert.deepStrictEqual(
        problems(result, 'main.tf').map(({ kind, at }) => [kind, at]),
        [
          ['unresolved-value', 'resource "azurerm_logic_app_trigger_http_request" "partner_order"'],
          ['unresolved-value', 'dynamic "open_authentication_policy"'],
          ['skipped', 'resource "azurerm_logic_app_trigger_http_request" "legacy_order"'],
          ['unresolved-value', 'dynamic "access_control"'],
          ['skipped', 'resource "azurerm_logic_app_trigger_http_request" "ops_retired"'],
        ],
      );
      assert.match(problems(result, 'main.tf')[0].message, /all the instances of azurerm_logic_app_trigger_http_request\.partner_order \(for_each\) and azurerm_logic_app_workflow\.partner \(for_each\)/);
      assert.match(problems(result, 'main.tf')[2].message, /its workflow azurerm_logic_app_workflow\.legacy has count = 0/);
    });
  });
});
