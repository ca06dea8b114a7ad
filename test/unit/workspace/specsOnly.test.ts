import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { scan } from '../../../src/core/scan';
import type { SourceLocation } from '../../../src/core/text';
import { readService } from '../../../src/core/workspace/readService';
import { apiNames } from '../../../src/core/workspace/specsOnly';
import { FIXTURES, api, operationSummary, problemSummary, slice } from './helpers';

/** `relative/file:line text`, 1-based, for a location below `root`. */
function at(root: string, location: SourceLocation): string {
  const text = fs.readFileSync(location.file, 'utf8');
  const line = text.slice(0, location.span.start).split('\n').length;
  return `${path.relative(root, location.file).split(path.sep).join('/')}:${line} ${slice(location)}`;
}

describe('readService: specs only', () => {
  const root = path.join(FIXTURES, 'specs-only');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('makes one API per spec, named after the file or its folder', () => {
    assert.strictEqual(service.layout, 'specs-only');
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(service.apis.map((a) => a.id).sort(), ['apis/billing-api', 'apis/petstore']);
    const petstore = api(service, 'petstore');
    assert.strictEqual(petstore.displayName, 'Petstore');
    assert.strictEqual(petstore.type, 'http');
    assert.strictEqual(petstore.declaration.file, path.join(root, 'petstore/openapi.yaml'));
    assert.strictEqual(petstore.declaration.document, undefined, 'a spec is not an APIM declaration to edit');
    assert.deepStrictEqual(petstore.declaration.locate(['subscriptionRequired']), { file: petstore.declaration.file, span: petstore.declaration.span });
    assert.deepStrictEqual(operationSummary(petstore), ['listPets GET /pets']);
    assert.deepStrictEqual(operationSummary(api(service, 'billing-api')), ['get-invoices-id GET /invoices/{id}']);
  });

  it('does not make an API of a spec that another spec references', () => {
    const common = path.join(root, 'shared/common.yaml');
    assert.ok(!service.apis.some((a) => a.definitionFile === common));
    assert.ok(service.filesRead.includes(common));
  });

  it('does not parse YAML and JSON without an openapi or swagger key, and parses those with one nested, silently', () => {
    assert.ok(!service.filesRead.includes(path.join(root, 'config/settings.yaml')));
    // `{"generator": {"openapi": ...}}`: parsed to find out, then no API and no problem.
    assert.ok(service.filesRead.includes(path.join(root, 'tools/generator.json')));
  });

  it('says what it assumes where no file says how APIM serves the specs', () => {
    assert.strictEqual(service.assumptions.length, 1);
    assert.match(service.assumptions[0], /subscription key required/);
    assert.deepStrictEqual(readService(path.join(FIXTURES, 'apiops-cli')).assumptions, []);
  });
});

describe('readService: specs only, from real repositories', () => {
  // Minimised copies of DigitalOcean's and Twilio's specs: see the NOTICE.md beside them.
  const root = path.join(FIXTURES, 'specs-real');
  const digitalOcean = path.join(root, 'digitalocean/specification');
  const twilioYaml = path.join(root, 'twilio/spec/yaml/twilio_content_v2.yaml');
  const twilioJson = path.join(root, 'twilio/spec/json/twilio_iam_scim.json');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('finds specs whose openapi key comes after 8 KiB, by parsing them', () => {
    assert.ok(fs.readFileSync(twilioYaml, 'utf8').indexOf('\nopenapi: 3.0.1') > 8192);
    assert.ok(fs.readFileSync(twilioJson, 'utf8').indexOf('"openapi": "3.0.1"') > 8192);
    assert.deepStrictEqual(
      service.apis.map((a) => `${a.id} ${a.displayName}`),
      ['apis/digitalocean-public-v2 DigitalOcean API', 'apis/twilio-iam-scim Twilio - Iam', 'apis/twilio-content-v2 Twilio - Content'],
    );
    assert.deepStrictEqual(operationSummary(api(service, 'twilio-content-v2')), ['ListContent GET /v2/Content']);
    assert.strictEqual(at(root, api(service, 'twilio-content-v2').operations[0].location), 'twilio/spec/yaml/twilio_content_v2.yaml:240 get');
  });

  it("follows operations that are $refs to files of their own, as DigitalOcean's spec writes them", () => {
    const doApi = api(service, 'digitalocean-public-v2');
    assert.deepStrictEqual(operationSummary(doApi), [
      'sshKeys_list GET /v2/account/keys',
      'sshKeys_create POST /v2/account/keys',
      'sshKeys_get GET /v2/account/keys/{ssh_key_identifier}',
      'sshKeys_delete DELETE /v2/account/keys/{ssh_key_identifier}',
    ]);
    const [list, create, get] = doApi.operations.map((operation) => operation.specOperation!);
    // The operation where the path item lists it; what it holds where that is written.
    assert.strictEqual(at(root, get.location), 'digitalocean/specification/DigitalOcean-public.v2.yaml:22 get');
    assert.strictEqual(get.document.file, path.join(digitalOcean, 'resources/ssh_keys/sshKeys_get.yml'));
    assert.deepStrictEqual(get.pointer, []);
    assert.strictEqual(get.declaresSecurity, true);
    assert.deepStrictEqual(
      get.parameters.map((parameter) => `${parameter.in} ${at(root, parameter.location)}`),
      ['path digitalocean/specification/resources/ssh_keys/parameters/ssh_key_identifier.yml:3 ssh_key_identifier'],
    );
    assert.deepStrictEqual(
      list.parameters.map((parameter) => `${parameter.in} ${at(root, parameter.location)}`),
      ['query digitalocean/specification/shared/parameters.yml:4 per_page', 'query digitalocean/specification/shared/parameters.yml:16 page'],
    );
    assert.deepStrictEqual(
      create.bodies.map((body) => `${body.direction} ${body.status ?? ''} ${at(root, body.location)} -> ${path.relative(digitalOcean, body.schema.location.file)}`),
      [
        'request  digitalocean/specification/resources/ssh_keys/sshKeys_create.yml:10 application/json -> resources/ssh_keys/models/sshKeys.yml',
        'response 201 digitalocean/specification/resources/ssh_keys/responses/sshKeys_new.yml:5 application/json -> resources/ssh_keys/responses/sshKeys_new.yml',
      ],
    );
    assert.ok(!service.apis.some((a) => a.definitionFile !== undefined && a.definitionFile.includes(`${path.sep}resources${path.sep}`)), 'the operation files are part of the spec');
  });

  it('says why a spec with paths has no operation, at its paths', () => {
    assert.deepStrictEqual(api(service, 'twilio-iam-scim').operations, []);
    assert.deepStrictEqual(problemSummary(service, root), ['invalid-artifact twilio/spec/json/twilio_iam_scim.json']);
    const [problem] = service.problems;
    assert.strictEqual(at(root, { file: problem.file, span: problem.span! }), 'twilio/spec/json/twilio_iam_scim.json:296 "paths"');
    assert.match(problem.message, /^3 paths are declared, but no operation \(get, put, post, delete, options, head, patch, trace\) could be read from them/);
  });
});

describe('readService: specs only, in nested folders', () => {
  const root = path.join(FIXTURES, 'specs-nested');
  let service: ApimService;
  before(() => {
    service = readService(root);
  });

  it('names each API by the shortest end of its path that is unique and more than a version', () => {
    assert.deepStrictEqual(
      service.apis.map((a) => `${a.name} ${path.relative(root, a.definitionFile!).split(path.sep).join('/')}`),
      [
        'billing billing/swagger.json',
        'orders-v1 orders/specs/v1/openapi.yaml',
        'team-a-payments-v1 team-a/payments/v1/openapi.yaml',
        'payments-v2 team-a/payments/v2/openapi.yaml',
        'team-b-payments-v1 team-b/payments/v1/openapi.yaml',
        'specs-nested-v3 v3/openapi.yaml',
      ],
    );
  });

  it('reports a spec of a version it cannot read, and nothing of YAML that is no spec', () => {
    assert.deepStrictEqual(problemSummary(service, root), ['not-a-spec future/openapi.yaml']);
    assert.match(service.problems[0].message, /4\.0\.0 is not supported/);
    // A Helm template is no YAML before it is rendered: having no openapi key, it is not even parsed.
    assert.ok(!service.filesRead.includes(path.join(root, 'chart/templates/deployment.yaml')));
  });
});

describe('apiNames', () => {
  const root = path.join(path.sep, 'repo');
  const names = (...files: string[]) => apiNames(root, files.map((file) => path.join(root, ...file.split('/'))));

  it('leaves generic segments out and never names an API by a version alone', () => {
    assert.deepStrictEqual(names('apis/payments/spec/openapi.yaml', 'Orders_API.json', 'orders/v2/swagger.yaml', 'stable/2024-01-01-preview/openapi.yaml'), [
      'payments',
      'orders-api',
      'orders-v2',
      'repo-stable-2024-01-01-preview',
    ]);
  });

  it('takes as many folders as it needs to tell specs apart, and numbers what no folder tells apart', () => {
    assert.deepStrictEqual(names('payments/v1/openapi.yaml', 'team-a/payments/v1/openapi.yaml', 'specs/yaml/sms.yaml', 'specs/json/sms.json'), [
      'payments-v1',
      'team-a-payments-v1',
      'sms',
      'sms-2',
    ]);
  });
});

describe('readService: one spec named', () => {
  it('reads only that spec and what it $refs in its folder, as the one API', () => {
    const digitalOcean = path.join(FIXTURES, 'specs-real/digitalocean/specification');
    const service = readService(digitalOcean, { spec: path.join(digitalOcean, 'DigitalOcean-public.v2.yaml') });
    assert.strictEqual(service.layout, 'specs-only');
    assert.deepStrictEqual(service.problems, []);
    assert.deepStrictEqual(service.apis.map((a) => `${a.id} ${a.operations.length}`), ['apis/digitalocean-public-v2 4']);
    assert.strictEqual(service.assumptions.length, 1);
  });

  it('refuses its $refs out of the folder, where they are written', () => {
    const petstore = path.join(FIXTURES, 'specs-only/petstore');
    const service = readService(petstore, { spec: path.join(petstore, 'openapi.yaml') });
    // A generic file name: the API is named after the folder.
    assert.deepStrictEqual(service.apis.map((a) => a.id), ['apis/petstore']);
    assert.deepStrictEqual(problemSummary(service, petstore), ['outside-root openapi.yaml']);
    assert.strictEqual(slice({ file: service.problems[0].file, span: service.problems[0].span! }), "'../shared/common.yaml#/components/schemas/Error'");
  });

  it('says so when the named file is no spec', () => {
    const config = path.join(FIXTURES, 'specs-only/config');
    const service = readService(config, { spec: path.join(config, 'settings.yaml') });
    assert.deepStrictEqual(service.apis, []);
    assert.deepStrictEqual(problemSummary(service, config), ['not-a-spec settings.yaml']);
  });
});

describe('readService: specs only, what is not read', () => {
  let root: string;
  let service: ApimService;
  const write = (file: string, text: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const spec = (title: string) => `openapi: 3.0.3\ninfo:\n  title: ${title}\n  version: '1'\npaths:\n  /orders:\n    get:\n      operationId: listOrders\n      responses:\n        '200':\n          description: OK\n`;

  before(() => {
    // Written here, not kept in git: the repository's .gitignore leaves dist/ and out/ out.
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-unread-'));
    write('specs/orders/openapi.yaml', spec('Orders'));
    write('dist/openapi.json', JSON.stringify({ openapi: '3.0.3', info: { title: 'Generated', version: '1' }, paths: {} }));
    write('out/openapi.yaml', spec('Compiled'));
    write('packages/web/node_modules/some-sdk/openapi.yaml', spec('A dependency'));
    write('.git/config', '[core]\n');
    write('data/export.json', Buffer.from([0x7b, 0x00, 0x7d]));
    fs.symlinkSync('specs', path.join(root, 'linked-specs'));
    fs.symlinkSync(path.join('specs', 'orders', 'openapi.yaml'), path.join(root, 'orders.yaml'));
    fs.symlinkSync('missing.yaml', path.join(root, 'broken.yaml'));
    service = readService(root);
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads a spec reached through links once, under its own path', () => {
    assert.deepStrictEqual(service.apis.map((a) => `${a.name} ${path.relative(root, a.definitionFile!).split(path.sep).join('/')}`), ['orders specs/orders/openapi.yaml']);
  });

  it('says what it did not read, and why: build and dependency folders, second ways in, links to nothing, binary files', () => {
    assert.deepStrictEqual(problemSummary(service, root), [
      'skipped dist',
      'skipped linked-specs',
      'skipped orders.yaml',
      'skipped out',
      'skipped packages/web/node_modules',
      'unreadable broken.yaml',
      'unreadable data/export.json',
    ]);
    const message = (file: string) => service.problems.find((problem) => problem.file === path.join(root, file))!.message;
    assert.match(message('dist'), /^The folder dist was not read: it holds build output/);
    assert.match(message('packages/web/node_modules'), /^The folder packages\/web\/node_modules was not read: it holds dependencies/);
    assert.strictEqual(message('linked-specs'), 'linked-specs leads to the folder specs, which is read under that name; it was not read twice.');
    assert.match(message('orders.yaml'), /^orders\.yaml is the same file as specs\/orders\/openapi\.yaml/);
  });

  it('reports folders it skips on purpose as information, and a broken link as a problem', () => {
    const findings = scan(root).findings.filter((finding) => finding.ruleId === 'input-problem');
    assert.deepStrictEqual(findings.map((finding) => `${finding.properties?.problemKind} ${finding.severity}`).sort(), [
      'skipped info',
      'skipped info',
      'skipped info',
      'skipped info',
      'skipped info',
      'unreadable medium',
      'unreadable medium',
    ]);
  });
});

describe('readService: one spec kept as JSON and YAML', () => {
  const SPEC = { openapi: '3.0.1', info: { title: 'Twilio - Conversations', version: '1.0.0' }, paths: { '/v1/Credentials': { post: { operationId: 'CreateCredential', responses: { '201': { description: 'Created' } } } } } };
  const yaml = (spec: typeof SPEC) =>
    [`openapi: ${spec.openapi}`, 'info:', `  title: ${spec.info.title}`, `  version: ${spec.info.version}`, 'paths:', '  /v1/Credentials:', '    post:', '      operationId: CreateCredential', '      responses:', "        '201':", '          description: Created', ''].join('\n');

  function read(files: Record<string, string>): ApimService {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'specs-copies-'));
    try {
      for (const [relative, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
        fs.writeFileSync(path.join(root, relative), text);
      }
      const service = readService(root);
      // Paths relative to the root, for the assertions.
      for (const problem of service.problems) problem.file = path.relative(root, problem.file).split(path.sep).join('/');
      return service;
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  }

  it("reads twilio-oai's json/x.json and yaml/x.yaml as one API, and says the other is a copy", () => {
    const service = read({ 'spec/json/twilio_conversations_v1.json': JSON.stringify(SPEC, null, 2), 'spec/yaml/twilio_conversations_v1.yaml': yaml(SPEC) });
    assert.deepStrictEqual(service.apis.map((a) => a.name), ['twilio-conversations-v1']);
    assert.deepStrictEqual(
      service.problems.map((problem) => [problem.kind, problem.file, problem.message]),
      [['skipped', 'spec/yaml/twilio_conversations_v1.yaml', 'spec/yaml/twilio_conversations_v1.yaml is a copy of spec/json/twilio_conversations_v1.json, with the same content: it is read once, as that API.']],
    );
  });

  it('keeps specs of one name that declare different APIs, and copies in one format', () => {
    const other = { ...SPEC, info: { ...SPEC.info, version: '2.0.0' } };
    assert.strictEqual(read({ 'json/x.json': JSON.stringify(SPEC), 'yaml/x.yaml': yaml(other) }).apis.length, 2);
    assert.strictEqual(read({ 'team-a/x.json': JSON.stringify(SPEC), 'team-b/x.json': JSON.stringify(SPEC) }).apis.length, 2);
  });
});
