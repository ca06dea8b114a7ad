// Hostile and broken input, end to end through the CLI's scan: each bad file becomes a finding that
// names it, nothing crashes or hangs, nothing is fetched and no entity is expanded.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { scan } from '../../src/core/scan';

function write(root: string, relative: string, content: string | Buffer): void {
  const file = path.join(root, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

const api = (name: string) => JSON.stringify({ properties: { displayName: name, path: name, protocols: ['https'], subscriptionRequired: false } });

describe('bad input', () => {
  let root: string;
  let server: http.Server;
  const requests: string[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      requests.push(request.url ?? '');
      response.end('openapi: 3.0.0');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-bad-'));
    write(root, 'apis/yaml-broken/apiInformation.json', api('yaml-broken'));
    write(root, 'apis/yaml-broken/specification.yaml', 'openapi: 3.0.1\ninfo:\n  title: x\n  version: "1"\npaths:\n  /a:\n    get: [unclosed\n');
    write(root, 'apis/json-broken/apiInformation.json', '{ "properties": { "displayName": "json-broken", ');
    write(root, 'apis/remote-ref/apiInformation.json', api('remote-ref'));
    write(root, 'apis/remote-ref/specification.yaml', `openapi: 3.0.1\ninfo: {title: r, version: "1"}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          $ref: 'http://127.0.0.1:${port}/responses.yaml#/ok'\n`);
    write(root, 'apis/ref-cycle/apiInformation.json', api('ref-cycle'));
    write(root, 'apis/ref-cycle/specification.yaml', "openapi: 3.0.1\ninfo: {title: c, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': {$ref: '#/components/responses/A'}\ncomponents:\n  responses:\n    A: {$ref: '#/components/responses/B'}\n    B: {$ref: '#/components/responses/A'}\n");
    const bomb = ['openapi: 3.0.1', "info: {title: b, version: '1'}", 'paths: {}', 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 9; level++) bomb.push(`x-${level}: &l${level} [${Array(9).fill(level === 1 ? '*a' : `*l${level - 1}`).join(',')}]`);
    write(root, 'apis/alias-bomb/apiInformation.json', api('alias-bomb'));
    write(root, 'apis/alias-bomb/specification.yaml', bomb.join('\n') + '\n');
    write(root, 'apis/entities/apiInformation.json', api('entities'));
    write(root, 'apis/entities/policy.xml', '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n<policies><inbound><set-header name="x"><value>&lol2;</value></set-header></inbound></policies>\n');
    write(root, 'apis/external-entity/apiInformation.json', api('external-entity'));
    write(root, 'apis/external-entity/policy.xml', '<!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<policies><inbound><set-body>&xxe;</set-body></inbound></policies>\n');
    write(root, 'apis/binary/apiInformation.json', api('binary'));
    write(root, 'apis/binary/specification.yaml', Buffer.from([0x6f, 0x70, 0x65, 0x6e, 0x00, 0x01, 0x02, 0xff]));
    write(root, 'apis/huge/apiInformation.json', api('huge'));
    const huge = path.join(root, 'apis/huge/specification.json');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, 65 * 1024 * 1024); // sparse: large on paper, instant to make
    write(root, 'apis/not-a-spec/apiInformation.json', api('not-a-spec'));
    write(root, 'apis/not-a-spec/specification.yaml', 'name: just some yaml\nitems: [1, 2, 3]\n');
  });

  after(() => {
    server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports every bad file as an input problem that names it, without fetching or expanding anything', () => {
    const result = scan(root);
    const problems = result.findings.filter((finding) => finding.ruleId === 'input-problem');
    const kindOf = (relative: string) =>
      problems.filter((finding) => finding.location.file === path.join(root, relative)).map((finding) => finding.properties?.problemKind);
    assert.deepStrictEqual(kindOf('apis/yaml-broken/specification.yaml'), ['malformed-yaml']);
    assert.deepStrictEqual(kindOf('apis/json-broken/apiInformation.json'), ['malformed-json']);
    assert.deepStrictEqual(kindOf('apis/remote-ref/specification.yaml'), ['remote-ref']);
    assert.deepStrictEqual(kindOf('apis/ref-cycle/specification.yaml'), ['ref-cycle']);
    assert.deepStrictEqual(kindOf('apis/alias-bomb/specification.yaml'), ['yaml-alias-limit']);
    assert.ok(kindOf('apis/entities/policy.xml').includes('forbidden-xml'));
    assert.ok(kindOf('apis/external-entity/policy.xml').includes('forbidden-xml'));
    assert.deepStrictEqual(kindOf('apis/binary/specification.yaml'), ['unreadable']);
    assert.deepStrictEqual(kindOf('apis/huge/specification.json'), ['unreadable']);
    assert.match(problems.find((finding) => finding.location.file.endsWith('huge/specification.json'))!.message, /65\.0 MB is over the 64\.0 MB limit/);
    assert.deepStrictEqual(kindOf('apis/not-a-spec/specification.yaml'), ['not-a-spec']);
    assert.deepStrictEqual(requests, [], 'a remote $ref was fetched');
    // What could be read still counts: the APIs are there and keyless ones are still assessed.
    assert.ok(result.findings.some((finding) => finding.ruleId === 'endpoint-authentication' && finding.resource === 'apis/remote-ref/operations/a'));
    const policyText = result.services[0].apis.find((candidate) => candidate.name === 'entities')?.policy?.xml.text ?? '';
    assert.ok(!policyText.includes('lollollol'), 'an entity was expanded');
  });

  it('each problem points at a place inside its file', () => {
    const result = scan(root);
    for (const finding of result.findings.filter((candidate) => candidate.ruleId === 'input-problem')) {
      const size = fs.statSync(finding.location.file).size;
      assert.ok(finding.location.span.start >= 0 && finding.location.span.end <= Math.max(size, 0), `${finding.location.file}: ${JSON.stringify(finding.location.span)}`);
    }
  });
});
