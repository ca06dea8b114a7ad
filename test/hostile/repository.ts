// A repository written as an attacker would: every way a pull request or a stranger's repository has
// been seen to read outside the scanned folder, hang, exhaust memory, crash a scan or smuggle escapes
// into a terminal, each in an API of its own, beside ordinary APIs whose findings must survive them.
// The end-to-end test, the property-based tests and `npm run bench -- hostile` all use it.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface HostileCase {
  name: string;
  /** What the attack is, for test titles. */
  attack: string;
  /** Root-relative files that a finding (an input problem or a rule's) must name; a pattern where any of several files will do. */
  reported: (string | RegExp)[];
}

export interface HostileRepository {
  /** The folder to scan. */
  root: string;
  /** Beside the root: what must never be opened or shown. */
  outside: string;
  /** A string that appears only in files outside the root. */
  marker: string;
  cases: HostileCase[];
  /** Resources with a finding the hostile ones must not take away: rule id → resource id. */
  ordinary: { ruleId: string; resource: string }[];
}

/** Options that make the repository smaller for many quick runs (property tests), or leave out what needs privileges. */
export interface HostileOptions {
  /** 1: the depths and sizes the issue names; lower scales every depth and count down. */
  scale?: number;
  /** FIFOs need mkfifo, a Unix tool. */
  fifos?: boolean;
}

const spec = (title: string, paths: string) => `openapi: 3.0.1\ninfo:\n  title: ${title}\n  version: '1'\npaths:\n${paths}`;
const getOperation = (route: string, operationId: string, extra = '') =>
  `  ${route}:\n    get:\n      operationId: ${operationId}\n${extra}      responses:\n        '200':\n          description: OK\n`;
const information = (name: string, properties: Record<string, unknown> = {}) =>
  JSON.stringify({ properties: { displayName: name, path: name.replace(/[^a-z0-9-]/gi, '') || 'x', protocols: ['https'], subscriptionRequired: true, ...properties } }, null, 2);
const policy = (inbound: string) => `<policies>\n  <inbound>\n    <base />\n    ${inbound}\n  </inbound>\n  <backend><base /></backend>\n  <outbound><base /></outbound>\n  <on-error><base /></on-error>\n</policies>\n`;

export function writeHostileRepository(folder: string, options: HostileOptions = {}): HostileRepository {
  const scale = options.scale ?? 1;
  const count = (full: number) => Math.max(2, Math.round(full * scale));
  const fifos = options.fifos ?? process.platform !== 'win32';
  const root = path.join(folder, 'repo');
  const outside = path.join(folder, 'outside');
  const marker = `OUTSIDE-MARKER-${process.pid}-${Date.now()}`;
  const cases: HostileCase[] = [];
  const write = (relative: string, content: string | Buffer) => {
    const file = path.join(root, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };
  const add = (name: string, attack: string, reported: HostileCase['reported'], build: () => void) => {
    build();
    cases.push({ name, attack, reported });
  };

  fs.mkdirSync(outside, { recursive: true });
  fs.writeFileSync(path.join(outside, 'secrets.json'), JSON.stringify({ db: { name: marker, in: 'query', schema: { type: 'string' } } }));
  fs.writeFileSync(path.join(outside, 'marker.yaml'), `name: ${marker}\nin: query\n`);
  if (fifos) execFileSync('mkfifo', [path.join(outside, 'pipe.yaml')]);

  // Ordinary APIs: their findings must be intact whatever the others hold.
  write('apis/ordinary-open/apiInformation.json', information('ordinary-open', { subscriptionRequired: false }));
  write('apis/ordinary-open/specification.yaml', spec('Open', getOperation('/items', 'listItems')));
  write('apis/ordinary-http/apiInformation.json', information('ordinary-http', { protocols: ['http', 'https'] }));
  write('apis/ordinary-http/specification.yaml', spec('Http', getOperation('/things', 'listThings')));
  const ordinary = [
    { ruleId: 'endpoint-authentication', resource: 'apis/ordinary-open/operations/listItems' },
    { ruleId: 'encrypted-protocols', resource: 'apis/ordinary-http' },
  ];

  const refSpec = (name: string, refs: string[]) => {
    write(`apis/${name}/apiInformation.json`, information(name));
    const parameters = `      parameters:\n${refs.map((ref) => `        - $ref: '${ref}'\n`).join('')}`;
    write(`apis/${name}/specification.yaml`, spec(name, getOperation('/probe', 'probe', parameters)));
  };
  add('ref-outside', 'relative $refs climbing out of the root, with a #/pointer that would answer whether the file exists', ['apis/ref-outside/specification.yaml'], () =>
    refSpec('ref-outside', ['../../../outside/secrets.json#/db', '../../../outside/marker.yaml', '../../../outside/missing.json#/db']),
  );
  add('ref-absolute', "absolute $refs to the system's password and shadow files and to a file beside the root", ['apis/ref-absolute/specification.yaml'], () =>
    refSpec('ref-absolute', ['/etc/passwd', '/etc/shadow#/x', `${path.join(outside, 'secrets.json')}#/db`]),
  );
  add('ref-devices', '$refs to the zero and random devices (a size check sees 0 bytes)', ['apis/ref-devices/specification.yaml'], () => refSpec('ref-devices', ['/dev/zero', '/dev/urandom#/x']));
  if (fifos) {
    add('ref-fifo-outside', 'a $ref to a FIFO outside the root: opening it would block forever', ['apis/ref-fifo-outside/specification.yaml'], () =>
      refSpec('ref-fifo-outside', ['../../../outside/pipe.yaml', `${path.join(outside, 'pipe.yaml')}`]),
    );
    add('ref-fifo-inside', 'a $ref to a FIFO inside the root', ['apis/ref-fifo-inside/specification.yaml', 'apis/ref-fifo-inside/pipe.yaml'], () => {
      refSpec('ref-fifo-inside', ['./pipe.yaml']);
      execFileSync('mkfifo', [path.join(root, 'apis/ref-fifo-inside/pipe.yaml')]);
    });
    add('fifo-policy', 'a FIFO named policy.xml', ['apis/fifo-policy/policy.xml'], () => {
      write('apis/fifo-policy/apiInformation.json', information('fifo-policy'));
      execFileSync('mkfifo', [path.join(root, 'apis/fifo-policy/policy.xml')]);
    });
  }
  add('symlink-outside', 'a spec and an API folder that are symbolic links out of the root, and one to /dev/zero', ['apis/symlink-outside/specification.yaml', 'apis/symlink-folder', 'apis/symlink-zero/specification.yaml'], () => {
    write('apis/symlink-outside/apiInformation.json', information('symlink-outside'));
    fs.symlinkSync(path.join(outside, 'secrets.json'), path.join(root, 'apis/symlink-outside/specification.yaml'));
    fs.symlinkSync(outside, path.join(root, 'apis/symlink-folder'));
    write('apis/symlink-zero/apiInformation.json', information('symlink-zero'));
    fs.symlinkSync('/dev/zero', path.join(root, 'apis/symlink-zero/specification.yaml'));
  });
  add('symlink-inside', 'a spec that is a symbolic link to a file inside the root: followed', [], () => {
    write('apis/symlink-inside/apiInformation.json', information('symlink-inside', { subscriptionRequired: false }));
    write('shared/linked-spec.yaml', spec('Linked', getOperation('/linked', 'getLinked')));
    fs.symlinkSync('../../shared/linked-spec.yaml', path.join(root, 'apis/symlink-inside/specification.yaml'));
  });
  ordinary.push({ ruleId: 'endpoint-authentication', resource: 'apis/symlink-inside/operations/getLinked' });
  add('bicep-outside', "Bicep loadTextContent climbing to the password file and to a file beside the root", ['infra/outside.bicep'], () => {
    write(
      'infra/outside.bicep',
      [
        "resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' existing = { name: 'apim' }",
        "resource api 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
        '  parent: apim',
        "  name: 'bicep-outside'",
        "  properties: { path: 'bicep-outside', format: 'openapi', value: loadTextContent('../../../../../../../../etc/passwd') }",
        '}',
        "resource apiPolicy 'Microsoft.ApiManagement/service/apis/policies@2023-05-01-preview' = {",
        '  parent: api',
        "  name: 'policy'",
        "  properties: { format: 'rawxml', value: loadTextContent('../../outside/secrets.json') }",
        '}',
        '',
      ].join('\n'),
    );
  });
  add('terraform-outside', 'Terraform file() and templatefile() climbing to the password file and to a file beside the root', ['infra/outside.tf'], () => {
    write(
      'infra/outside.tf',
      [
        'resource "azurerm_api_management_api" "outside" {',
        '  name                = "tf-outside"',
        '  api_management_name = "apim"',
        '  resource_group_name = "rg"',
        '  revision            = "1"',
        '  import {',
        '    content_format = "openapi"',
        '    content_value  = file("../../../../../../../../etc/passwd")',
        '  }',
        '}',
        'resource "azurerm_api_management_api_policy" "outside" {',
        '  api_name            = azurerm_api_management_api.outside.name',
        '  api_management_name = "apim"',
        '  resource_group_name = "rg"',
        '  xml_content         = templatefile("../../outside/secrets.json", {})',
        '}',
        '',
      ].join('\n'),
    );
  });
  add('arm-outside', 'an ARM template whose policy link climbs to a file beside the root', ['infra/outside.template.json'], () => {
    const resource = (type: string, name: string, properties: object) => ({ type, apiVersion: '2022-08-01', name, properties });
    write(
      'infra/outside.template.json',
      JSON.stringify(
        {
          $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
          contentVersion: '1.0.0.0',
          resources: [
            resource('Microsoft.ApiManagement/service/apis', 'apim/arm-outside', { path: 'arm-outside', protocols: ['https'] }),
            resource('Microsoft.ApiManagement/service/apis/policies', 'apim/arm-outside/policy', { format: 'rawxml-link', value: '../../outside/secrets.json' }),
          ],
        },
        null,
        2,
      ),
    );
  });
  add('arm-links', 'ARM templates linking a file beside the root, linking one another twice at each of 12 levels (4,096 reads), and copy loops of 10^9 copies and of 800 copies nested four deep', ['infra/links/link-0.json', 'infra/links/copies.json'], () => {
    const template = (resources: object[]) => JSON.stringify({ $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#', contentVersion: '1.0.0.0', resources }, null, 2);
    const link = (target: string) => ({ type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: target, properties: { mode: 'Incremental', templateLink: { relativePath: target } } });
    const api = { type: 'Microsoft.ApiManagement/service/apis', apiVersion: '2022-08-01', name: "[concat('apim/arm-copy-', copyIndex())]", properties: { path: 'c', protocols: ['https'] } };
    const levels = count(12);
    for (let level = 0; level < levels; level++) {
      const next = `link-${level + 1}.json`;
      const resources = level === 0 ? [link('../../../outside/secrets.json'), link(next), link(next)] : [link(next), link(next)];
      write(`infra/links/link-${level}.json`, template([...resources, { ...api, name: `apim/arm-link-${level}`, copy: undefined }]));
    }
    let copied: object = { ...api, copy: { name: 'apis', count: 800 } };
    for (let depth = 0; depth < 4; depth++) copied = { type: 'Microsoft.Resources/deployments', apiVersion: '2022-09-01', name: `[concat('d', copyIndex())]`, copy: { name: `d${depth}`, count: 800 }, properties: { mode: 'Incremental', template: { resources: [copied] } } };
    write('infra/links/copies.json', template([{ ...api, copy: { name: 'huge', count: 1_000_000_000 } }, copied]));
  });
  add('hcl-deep', 'Terraform objects nested 5,000 levels', ['infra/deep.tf'], () => {
    const depth = count(5_000);
    write('infra/deep.tf', `resource "azurerm_api_management_named_value" "deep" {\n  name = "deep"\n  value = ${'{ a = '.repeat(depth)}1${' }'.repeat(depth)}\n}\n`);
  });
  add('redos', "custom information types of the repository's own: ^(a+)+$ against a 30-character name (backtracking: minutes), and a backreference RE2 cannot run", ['.apim-posture.json'], () => {
    write('.apim-posture.json', JSON.stringify({ sensitiveData: { customTypes: [{ id: 'evil', namePatterns: ['^(a+)+$'] }, { id: 'backreference', namePatterns: ['(a)\\1'] }] } }, null, 2));
    write('apis/redos/apiInformation.json', information('redos'));
    write('apis/redos/specification.yaml', spec('Redos', getOperation('/r', 'redos', `      parameters:\n        - name: ${'a'.repeat(29)}1\n          in: query\n          schema: {type: string}\n`)));
  });
  add('wadl-unclosed', 'a WADL of 150,000 unclosed <method tags', [], () => {
    write('apis/wadl-unclosed/apiInformation.json', information('wadl-unclosed'));
    write('apis/wadl-unclosed/specification.wadl', '<application><resources base="https://x"><resource path="/a">' + '<method '.repeat(count(150_000)));
  });
  add('deep-schema', 'a response schema nested 1,700 levels through properties', ['apis/deep-schema/specification.json'], () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < count(1_700); level++) schema = { type: 'object', properties: { p: schema } };
    write('apis/deep-schema/apiInformation.json', information('deep-schema'));
    write('apis/deep-schema/specification.json', JSON.stringify({ openapi: '3.0.1', info: { title: 'd', version: '1' }, paths: { '/d': { get: { operationId: 'deep', responses: { '200': { description: 'OK', content: { 'application/json': { schema } } } } } } } }));
  });
  add('ref-chain', 'a 1,650-long chain of $refs through properties', ['apis/ref-chain/specification.json'], () => {
    const schemas: Record<string, unknown> = {};
    const length = count(1_650);
    for (let index = 0; index < length; index++) schemas[`S${index}`] = { type: 'object', properties: { p: index + 1 < length ? { $ref: `#/components/schemas/S${index + 1}` } : { type: 'string' } } };
    write('apis/ref-chain/apiInformation.json', information('ref-chain'));
    write('apis/ref-chain/specification.json', JSON.stringify({ openapi: '3.0.1', info: { title: 'c', version: '1' }, paths: { '/c': { get: { operationId: 'chain', responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/S0' } } } } } } } }, components: { schemas } }));
  });
  add('deep-policy', '<inbound> nested 3,600 elements deep', ['apis/deep-policy/policy.xml'], () => {
    write('apis/deep-policy/apiInformation.json', information('deep-policy'));
    write('apis/deep-policy/policy.xml', policy('<a>'.repeat(count(3_600)) + '</a>'.repeat(count(3_600))));
  });
  add('deep-choose', '50,000 nested <choose><when>', ['apis/deep-choose/operations/probe/policy.xml'], () => {
    write('apis/deep-choose/apiInformation.json', information('deep-choose', { subscriptionRequired: false }));
    write('apis/deep-choose/specification.yaml', spec('Choose', getOperation('/probe', 'probe')));
    const depth = count(50_000);
    write('apis/deep-choose/operations/probe/policy.xml', policy('<choose><when condition="@(true)">'.repeat(depth) + '<validate-jwt header-name="Authorization" />' + '</when></choose>'.repeat(depth)));
  });
  const fragment = (name: string, body: string) => {
    write(`policy fragments/${name}/policyFragmentInformation.json`, JSON.stringify({ properties: { format: 'rawxml' } }));
    write(`policy fragments/${name}/policy.xml`, `<fragment>${body}</fragment>`);
  };
  const include = (name: string) => `<include-fragment fragment-id="${name}" />`;
  // fragment-include-cycle names the first fragment, from the chain's end, that starts a chain past MAX_FRAGMENT_DEPTH (32): 33 from the end.
  const chainLength = count(3_800);
  add('fragment-chain', '3,800 fragments chained by include-fragment', [`policy fragments/chain-${chainLength - 33}/policy.xml`], () => {
    const length = chainLength;
    for (let index = 0; index < length; index++) fragment(`chain-${index}`, index + 1 < length ? include(`chain-${index + 1}`) : '<set-header name="x" exists-action="override"><value>y</value></set-header>');
    write('apis/fragment-chain/apiInformation.json', information('fragment-chain'));
    write('apis/fragment-chain/policy.xml', policy(include('chain-0')));
  });
  // The expansion budget runs out inside the DAG, at whichever fragment's include crosses it.
  add('fragment-dag', 'fragments each including the next twice, 20 levels (2^20 expansion)', [/^policy fragments\/dag-\d+\/policy\.xml$/], () => {
    const levels = Math.max(2, Math.round(20 * Math.min(1, scale * 4)));
    for (let index = 0; index < levels; index++) fragment(`dag-${index}`, index + 1 < levels ? include(`dag-${index + 1}`).repeat(2) : '<set-header name="x" exists-action="override"><value>y</value></set-header>');
    write('apis/fragment-dag/apiInformation.json', information('fragment-dag'));
    write('apis/fragment-dag/policy.xml', policy(include('dag-0')));
  });
  // A cycle is one finding, at one of its members.
  add('fragment-cycle', 'a fragment cycle and a fragment that includes itself', [/^policy fragments\/cycle-[ab]\/policy\.xml$/, 'policy fragments/self/policy.xml'], () => {
    fragment('cycle-a', include('cycle-b'));
    fragment('cycle-b', include('cycle-a'));
    fragment('self', include('self'));
    write('apis/fragment-cycle/apiInformation.json', information('fragment-cycle'));
    write('apis/fragment-cycle/policy.xml', policy(include('cycle-a') + include('self')));
  });
  add('bicep-deep', 'Bicep objects and arrays nested 5,000 deep', ['infra/deep.bicep'], () => {
    const depth = count(5_000);
    write(
      'infra/deep.bicep',
      [
        "resource deep 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {",
        "  name: 'apim/bicep-deep'",
        `  properties: { path: 'bicep-deep', protocols: [ 'https' ], nested: ${'{ a: '.repeat(depth)}1${' }'.repeat(depth)}, list: ${'['.repeat(depth)}${']'.repeat(depth)} }`,
        '}',
        '',
      ].join('\n'),
    );
  });
  add('stray-lt', 'one policy of 126,000 stray <', ['apis/stray-lt/policy.xml'], () => {
    write('apis/stray-lt/apiInformation.json', information('stray-lt'));
    write('apis/stray-lt/policy.xml', '<policies><inbound>' + '< '.repeat(count(126_000)) + '</inbound></policies>');
  });
  add('bad-snapshot', 'a snapshot of Azure with wrong types', ['.apim-posture/snapshot.json'], () => {
    write(
      '.apim-posture/snapshot.json',
      JSON.stringify({ kind: 'apim-posture/deployed-snapshot', version: 1, createdAt: '2026-01-01T00:00:00Z', endpoint: 'https://management.azure.com', subscriptions: [{ id: 5 }], services: 'x', assessments: [{}], errors: [] }),
    );
  });
  add('lone-surrogate', 'an operationId with a lone surrogate', [], () => {
    write('apis/lone-surrogate/apiInformation.json', information('lone-surrogate', { subscriptionRequired: false }));
    write('apis/lone-surrogate/specification.json', '{"openapi": "3.0.1", "info": {"title": "s", "version": "1"}, "paths": {"/s": {"get": {"operationId": "get-\\ud800", "responses": {"200": {"description": "OK"}}}}}}');
  });
  add('base-amplification', '1,000 <base /> at the API scope and 1,000 at the operation scope', ['apis/base-amplification/policy.xml'], () => {
    const bases = '<base />'.repeat(count(1_000));
    write('apis/base-amplification/apiInformation.json', information('base-amplification', { subscriptionRequired: false }));
    write('apis/base-amplification/specification.yaml', spec('Bases', getOperation('/b', 'bases')));
    write('apis/base-amplification/policy.xml', `<policies><inbound>${bases}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`);
    write('apis/base-amplification/operations/bases/policy.xml', `<policies><inbound>${bases}</inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>`);
  });
  const escapes = ['esc-\x1b]0;pwned\x07', 'csi-\x1b[2J\x1b[H', 'osc8-\x1b]8;;http:evil\x07link\x1b]8;;\x07', 'c1-\u009b2J', 'bidi-\u202egnp.exe'];
  add('terminal-escapes', 'API and operation folder names that clear the screen, set the title, plant a link, or reverse text', [], () => {
    for (const name of escapes) {
      write(`apis/${name}/apiInformation.json`, information(name, { subscriptionRequired: false }));
      write(`apis/${name}/specification.yaml`, spec('Escapes', getOperation('/e', 'op')));
      write(`apis/${name}/operations/${name}/policy.xml`, policy(''));
    }
  });
  add('utf16', 'UTF-16 LE and BE files with a byte order mark, as PowerShell writes them', [], () => {
    const utf16le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const utf16be = (text: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    write('apis/utf16-le/apiInformation.json', utf16le(information('utf16-le', { subscriptionRequired: false })));
    write('apis/utf16-le/specification.yaml', utf16le(spec('Le', getOperation('/le', 'getLe'))));
    write('apis/utf16-be/apiInformation.json', utf16be(information('utf16-be', { subscriptionRequired: false })));
    write('apis/utf16-be/specification.yaml', utf16be(spec('Be', getOperation('/be', 'getBe'))));
  });
  ordinary.push({ ruleId: 'endpoint-authentication', resource: 'apis/utf16-le/operations/getLe' }, { ruleId: 'endpoint-authentication', resource: 'apis/utf16-be/operations/getBe' });
  add('lone-cr', 'a spec with lone CR line endings', [], () => {
    write('apis/lone-cr/apiInformation.json', information('lone-cr', { subscriptionRequired: false }));
    write('apis/lone-cr/specification.yaml', spec('Cr', getOperation('/cr', 'getCr')).replace(/\n/g, '\r'));
  });
  ordinary.push({ ruleId: 'endpoint-authentication', resource: 'apis/lone-cr/operations/getCr' });
  add('locked-folder', 'an API folder nobody may read (chmod 000)', ['apis/locked'], () => {
    write('apis/locked/apiInformation.json', information('locked'));
    fs.chmodSync(path.join(root, 'apis/locked'), 0o000);
  });
  return { root, outside, marker, cases, ordinary };
}

/** Makes `folder` removable again after `writeHostileRepository` locked part of it. */
export function removeHostileRepository(folder: string): void {
  const locked = path.join(folder, 'repo', 'apis', 'locked');
  if (fs.existsSync(locked)) fs.chmodSync(locked, 0o755);
  fs.rmSync(folder, { recursive: true, force: true });
}

/** A spec with `paths` paths, written as a stream of lines so that writing it takes little memory. */
export function writeManyPathsSpec(file: string, paths: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, '{"openapi": "3.0.1", "info": {"title": "many", "version": "1"}, "paths": {');
    for (let index = 0; index < paths; index++) {
      fs.writeSync(fd, `${index ? ',' : ''}\n"/items${index}/{id}": {"get": {"operationId": "get${index}", "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}], "responses": {"200": {"description": "OK"}}}}`);
    }
    fs.writeSync(fd, '\n}}\n');
  } finally {
    fs.closeSync(fd);
  }
}
