// Coverage: what a scan read and what it did not, with why. Expected counts come from reading the
// fixtures; the last test checks, with a definition of "APIM file" of its own, that no file is unaccounted for.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { Coverage } from '../../src/core/coverage';
import { scan } from '../../src/core/scan';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const WORKSPACES = path.join(FIXTURES, 'workspace');
const SAMPLES = path.join(__dirname, '..', '..', 'samples');

const notRead = (coverage: Coverage) => coverage.notRead.map((entry) => `${entry.kind} ${entry.file}`);

describe('coverage', () => {
  it('counts what the bundled sample declares, and names the GraphQL definition it cannot analyse', () => {
    const { coverage } = scan(SAMPLES, { snapshot: undefined });
    assert.deepStrictEqual(coverage.services, [{ root: '.', layout: 'apiops' }]);
    // 12 API folders; 8 API policies and 10 operation policies; 3 product policies, 2 fragments, the global policy.
    assert.deepStrictEqual(
      coverage.bySource.map(({ source, apis, policies }) => ({ source, apis, policies })),
      [{ source: 'apiops', apis: 12, policies: 18 }],
    );
    assert.strictEqual(coverage.sharedPolicies, 6);
    assert.deepStrictEqual(notRead(coverage), ['definition-not-supported apis/product-graph/specification.graphql']);
    assert.match(coverage.notRead[0].reason, /API product-graph/);
    assert.deepStrictEqual([coverage.unresolvedValues, coverage.excluded, coverage.skipped, coverage.assumptions], [0, [], [], []]);
  });

  it('names the APIOps kinds not read (tags, loggers, diagnostics) in the APIOps sample', () => {
    const { coverage } = scan(path.join(FIXTURES, 'apiops-sample'));
    const kinds = coverage.notRead.filter((entry) => entry.kind === 'folder-not-read');
    // Of the 9 files below tags/, the 2 that tag products (the APIs' tags are read), the logger, and two diagnostics (the service's and basic-api's).
    assert.deepStrictEqual(kinds.filter((entry) => entry.file.startsWith('tags/')).map((entry) => entry.file), ['tags/tag1/products/product1/tagProductInformation.json', 'tags/tag2/products/product2/tagProductInformation.json']);
    assert.deepStrictEqual(
      kinds.filter((entry) => !entry.file.startsWith('tags/')).map((entry) => entry.file),
      ['apis/basic-api/diagnostics/azuremonitor/diagnosticInformation.json', 'diagnostics/azuremonitor/diagnosticInformation.json', 'loggers/azuremonitor/loggerInformation.json'],
    );
    assert.match(kinds[0].reason, /^APIOps diagnostics are not read/);
    assert.match(kinds.find((entry) => entry.file.startsWith('tags/'))!.reason, /^APIOps tags of products are not read/);
    assert.deepStrictEqual(notRead(coverage).filter((entry) => !entry.startsWith('folder-not-read')), ['definition-not-supported apis/graphql-api/specification.graphql']);
  });

  it('gives the problem of a file that could not be read as its reason', () => {
    const { coverage } = scan(path.join(WORKSPACES, 'broken'));
    assert.deepStrictEqual(notRead(coverage), ['problem apis/orphan/policy.xml']);
    assert.match(coverage.notRead[0].reason, /'orphan' has no apiInformation\.json/);
  });

  it('counts APIs by source where APIOps and Bicep are mixed', () => {
    const { coverage } = scan(path.join(WORKSPACES, 'mixed'));
    assert.deepStrictEqual(
      coverage.bySource.map(({ source, apis }) => [source, apis]),
      [
        ['apiops', 1],
        ['bicep', 1],
      ],
    );
  });

  it('says the specs-only assumption', () => {
    const { coverage } = scan(path.join(WORKSPACES, 'specs-only'));
    assert.strictEqual(coverage.assumptions.length, 1);
    assert.match(coverage.assumptions[0], /subscription key required/);
    assert.deepStrictEqual(coverage.notRead, []);
  });

  describe('on a repository built for it', () => {
    let root: string;
    const write = (relative: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      fs.writeFileSync(path.join(root, relative), text);
    };
    before(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-coverage-'));
      write('apis/orders/apiInformation.json', JSON.stringify({ properties: { path: 'orders' } }));
      write('apis/orders/policy.xml', '<policies><inbound><base /></inbound></policies>');
      write('policies/unused.xml', '<?xml version="1.0"?>\n<policies><inbound /></policies>');
      write('policies/pom.xml', '<project />');
      write('specs/extra.yaml', 'openapi: 3.0.3\ninfo: { title: Extra, version: "1" }\npaths: {}\n');
      write('tools/codegen.yaml', 'generator:\n  openapi: typescript-fetch\n');
      write('legacy/apis/old/policy.xml', '<policies />');
      write('node_modules/dep/openapi.yaml', 'openapi: 3.0.3\n');
      write('.apim-posture.json', JSON.stringify({ exclude: ['legacy/**'] }));
      // As the AVM module's workspace gateway and the resource kit's REST responses kept as test data.
      write('infra/gateway.bicep', "resource gateway 'Microsoft.ApiManagement/gateways@2024-06-01-preview' = {\n  name: 'gw'\n  location: 'westeurope'\n}\n");
      write('tests/responses/get-api.json', JSON.stringify({ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim/apis/echo', type: 'Microsoft.ApiManagement/service/apis', name: 'echo' }));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it('lists the policy no scope uses and the spec no API uses, the excluded folder and the skipped one', () => {
      const { coverage } = scan(root);
      assert.deepStrictEqual(notRead(coverage), ['not-reached infra/gateway.bicep', 'policy-not-used policies/unused.xml', 'spec-not-used specs/extra.yaml', 'not-reached tests/responses/get-api.json']);
      assert.match(coverage.notRead[0].reason, /declares no resource of a service/);
      assert.match(coverage.notRead[2].reason, /apis\/<api>\/specification/);
      assert.match(coverage.notRead[3].reason, /is not a deployment template/);
      assert.deepStrictEqual(coverage.excluded, ['legacy/']);
      assert.deepStrictEqual(coverage.skipped.map((entry) => entry.path), ['node_modules']);
      assert.deepStrictEqual(coverage.bySource, [{ source: 'apiops', apis: 1, operations: 0, policies: 1 }]);
    });

    it('does not list the files beside a spec scanned by itself', () => {
      const { coverage } = scan(root, { spec: path.join(root, 'specs', 'extra.yaml') });
      assert.strictEqual(coverage.folderListed, false);
      assert.deepStrictEqual(coverage.notRead, []);
    });
  });

  it('counts the values infrastructure code does not determine', () => {
    const result = scan(path.join(WORKSPACES, 'terraform'));
    const unresolved = result.services.flatMap((service) => service.problems).filter((problem) => problem.kind === 'unresolved-value').length;
    assert.ok(unresolved > 0);
    assert.strictEqual(result.coverage.unresolvedValues, unresolved);
  });

  describe('leaves no APIM file unaccounted for', () => {
    const repositories = [SAMPLES, path.join(FIXTURES, 'apiops-sample'), ...fs.readdirSync(WORKSPACES).map((name) => path.join(WORKSPACES, name))];
    for (const repository of repositories) {
      it(path.relative(path.join(__dirname, '..', '..'), repository), () => {
        const result = scan(repository);
        const read = new Set(result.services.flatMap((service) => service.filesRead).map((file) => path.relative(repository, file).split(path.sep).join('/')));
        const listed = new Set(result.coverage.notRead.map((entry) => entry.file));
        for (const entry of result.coverage.notRead) {
          assert.ok(!read.has(entry.file), `${entry.file} is both read and not read`);
          assert.ok(entry.reason.length > 0, `${entry.file} has no reason`);
        }
        const unaccounted = apimFiles(repository).filter((file) => !read.has(file) && !listed.has(file));
        assert.deepStrictEqual(unaccounted, []);
      });
    }
  });
});

/** APIM files by a definition independent of the one under test: what a reviewer would call one. */
function apimFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!['.git', '.apim-posture', 'node_modules', 'dist', 'out'].includes(entry.name)) walk(full);
      } else if (entry.isFile() && isApimFile(entry.name, fs.readFileSync(full, 'utf8'))) {
        found.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return found;
}

function isApimFile(name: string, text: string): boolean {
  if (name.endsWith('.xml')) return text.includes('<policies') || text.includes('<fragment');
  if (name.endsWith('Information.json')) return true;
  if (name.endsWith('.bicep')) return text.includes('Microsoft.ApiManagement/service');
  if (name.endsWith('.tf')) return text.includes('azurerm_api_management') || text.includes('Microsoft.ApiManagement');
  if (/\.(ya?ml|json)$/.test(name)) {
    if (name.endsWith('.json') && text.includes('Microsoft.ApiManagement/service') && text.includes('contentVersion')) return true;
    try {
      const value = yaml.load(text) as Record<string, unknown> | undefined;
      return typeof value === 'object' && value !== null && ('openapi' in value || 'swagger' in value);
    } catch {
      return false;
    }
  }
  return false;
}
