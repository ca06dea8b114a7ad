// The readers of Function App and Logic App code: what each says when a level is computed in code,
// the sites and mappings they read, and hostile source files. Expected values written from the
// files below; the rules' fixtures (test/fixtures/rules/function-app-endpoint-authentication and
// the others) hold the trigger forms of every language.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApimService, HttpTrigger } from '../../../src/core/model';
import { MAX_SOURCE_CHARS, tokenize } from '../../../src/core/workspace/hosted/sourceTokens';
import { readService } from '../../../src/core/workspace/readService';

type Files = Record<string, string>;

function readFiles(files: Files): { service: ApimService; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hosted-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return { service: readService(root), root };
}

/** Triggers as `name access authLevel «the text the location spans»`. */
function triggers(service: ApimService): string[] {
  return (service.hosted?.projects ?? []).flatMap((project) => project.triggers.map((trigger: HttpTrigger) => `${trigger.name} ${trigger.access} ${trigger.authLevel} «${fs.readFileSync(trigger.location.file, 'utf8').slice(trigger.location.span.start, trigger.location.span.end)}»`));
}

function unresolved(service: ApimService, root: string): string[] {
  return service.problems.filter((problem) => problem.kind === 'unresolved-value').map((problem) => `${path.relative(root, problem.file)}: ${problem.message}`);
}

describe('Function App and Logic App code', () => {
  it('a level computed in Node, C# or Python code is unknown, and said where it is written', () => {
    const { service, root } = readFiles({
      'host.json': '{}',
      'src/a.js': [
        "const { app } = require('@azure/functions');",
        "const level = process.env.LEVEL;",
        "app.http('from-env', { authLevel: level, handler });",
        "app.http('from-options', options);",
        "app.http('spread', { ...common, handler });",
        "app.http('template', { authLevel: `anon${'ymous'}`, handler });",
      ].join('\n'),
      'src/B.cs': '[Function("Computed")]\npublic void Run([HttpTrigger(Levels.Default, "get")] HttpRequestData req) { }\n',
      'src/c.py': 'import azure.functions as func\napp = func.FunctionApp(http_auth_level=LEVEL)\n\n@app.route(route="x")\ndef computed(req): pass\n',
    });
    assert.deepStrictEqual(triggers(service).sort(), [
      'Computed unknown Levels.Default «Levels.Default»',
      'computed unknown LEVEL «app.route»',
      "from-env unknown level «level»",
      "from-options unknown options «'from-options'»",
      "spread unknown { ...common, handler } «'spread'»",
      "template unknown `anon${'ymous'}` «`anon${'ymous'}`»",
    ]);
    assert.deepStrictEqual(unresolved(service, root).length, 6);
    assert.ok(unresolved(service, root).some((problem) => problem.startsWith(`src${path.sep}a.js: The authorization level of HTTP trigger from-env is computed (level)`)));
    // Mapped to no app: said in the assumptions.
    assert.deepStrictEqual(service.assumptions, [
      "The function code in . is mapped to no app (no azure.yaml service or deployment workflow deploys its folder): its app is not known, and Azure's defaults are assumed for it (public network access, no App Service authentication).",
    ]);
  });

  it('reads an Azure Verified Module site, its tag from union(...) and its name from the module call', () => {
    // The shape of Azure-Samples/functions-quickstart-javascript-azd's infra/app/api.bicep.
    const { service } = readFiles({
      'azure.yaml': 'services:\n  api:\n    project: .\n    host: function\n',
      'host.json': '{}',
      'src/functions/get.js': "const { app } = require('@azure/functions');\napp.http('httpget', { methods: ['GET'], authLevel: 'function', handler });\n",
      'infra/main.bicep': "module api './app/api.bicep' = {\n  name: 'api'\n  params: {\n    name: 'func-quickstart'\n  }\n}\n",
      'infra/app/api.bicep': [
        'param name string',
        "param serviceName string = 'api'",
        "var kind = 'functionapp,linux'",
        "module api 'br/public:avm/res/web/site:0.15.1' = {",
        "  name: '${serviceName}-flex-consumption'",
        '  params: {',
        '    kind: kind',
        '    name: name',
        "    tags: union(tags, { 'azd-service-name': serviceName })",
        "    publicNetworkAccess: 'Disabled'",
        '  }',
        '}',
      ].join('\n'),
    });
    const [project] = service.hosted!.projects;
    assert.strictEqual(project.appName, 'func-quickstart');
    assert.deepStrictEqual(
      { kind: project.app?.kind, tag: project.app?.azdServiceName, publicNetworkAccess: project.app?.publicNetworkAccess, authentication: project.app?.requiresAuthentication, symbol: project.app?.symbol },
      { kind: 'function-app', tag: 'api', publicNetworkAccess: false, authentication: false, symbol: 'api' },
    );
    assert.deepStrictEqual(triggers(service), ["httpget key function «'function'»"]);
  });

  it('App Service authentication in a nested config resource, after another config, and one the files do not determine', () => {
    const site = (name: string, auth: string) =>
      [
        `resource ${name} 'Microsoft.Web/sites@2023-12-01' = {`,
        `  name: '${name}'`,
        "  kind: 'functionapp'",
        '  properties: {}',
        "  resource appSettings 'config' = {",
        "    name: 'appsettings'",
        '    properties: {}',
        '  }',
        "  resource auth 'config' = {",
        "    name: 'authsettingsV2'",
        `    properties: ${auth}`,
        '  }',
        '}',
      ].join('\n');
    const { service } = readFiles({
      'infra/sites.bicep': [site('required', '{ globalValidation: { requireAuthentication: true } }'), site('allowed', "{ globalValidation: { unauthenticatedClientAction: 'AllowAnonymous' } }"), site('computed', 'authSettings')].join('\n'),
    });
    assert.deepStrictEqual(
      service.hosted!.apps.map((app) => `${app.name} ${app.requiresAuthentication}`),
      ['required true', 'allowed false', 'computed unknown'],
    );
  });

  it('a deployment workflow whose app-name is a secret maps nothing, and says so', () => {
    const { service, root } = readFiles({
      'host.json': '{}',
      'index.js': "const { app } = require('@azure/functions');\napp.http('x', { handler });\n",
      '.github/workflows/deploy.yml': 'jobs:\n  deploy:\n    steps:\n      - uses: Azure/functions-action@v1\n        with:\n          app-name: ${{ secrets.APP }}\n',
    });
    assert.strictEqual(service.hosted!.projects[0].appName, undefined);
    assert.deepStrictEqual(unresolved(service, root), [
      `.github${path.sep}workflows${path.sep}deploy.yml: The app-name of azure/functions-action in job deploy is not known from the files (\${{ secrets.APP }}): the code it deploys is not mapped to an app by it.`,
    ]);
  });

  it('a hostile source file is read in one linear pass: unclosed calls, strings and comments by the hundred thousand', () => {
    const unit = "app.http('x', { authLevel: 'anonymous', handler: ((((( \"\\\"/* `${ '";
    const text = "require('@azure/functions');\n" + unit.repeat(Math.floor((MAX_SOURCE_CHARS - 100) / unit.length));
    const started = performance.now();
    const { service } = readFiles({ 'host.json': '{}', 'hostile.js': text });
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 10_000, `read in ${Math.round(elapsed)} ms`);
    // The first call's options are the whole rest of the file: never closed, and read as one trigger.
    assert.ok(service.hosted!.projects[0].triggers.length >= 1);
  });

  it('a source file longer than the limit is not searched, and said', () => {
    const { service, root } = readFiles({ 'host.json': '{}', 'big.js': "require('@azure/functions');\n" + ' '.repeat(MAX_SOURCE_CHARS) });
    assert.strictEqual(service.hosted, undefined);
    assert.deepStrictEqual(
      service.problems.map((problem) => `${problem.kind} ${path.relative(root, problem.file)}`),
      ['over-budget big.js'],
    );
  });

  it('the tokenizer skips comments and keeps interpolated strings unknown', () => {
    const tokens = tokenize("a // 'x'\n/* \"y\" */ 'b' `c${d}` $\"e{f}\" @\"g\"\"h\"", 'c');
    assert.deepStrictEqual(
      tokens.map((token) => [token.kind, token.text, token.value]),
      [
        ['identifier', 'a', undefined],
        ['string', "'b'", 'b'],
        ['string', '`c${d}`', undefined],
        ['string', '$"e{f}"', undefined],
        ['string', '@"g""h"', 'g"h'],
      ],
    );
    assert.deepStrictEqual(
      tokenize("# 'x'\nf'{a}' r'\\d' '''t\n'''", 'python').map((token) => [token.text, token.value]),
      [
        ["f'{a}'", undefined],
        ["r'\\d'", '\\d'],
        ["'''t\n'''", 't\n'],
      ],
    );
  });
});
