import * as assert from 'assert';
import * as path from 'path';
import { createDocumentReader, type DocumentReader } from '../../../src/core/parse/index';
import { loadOpenApi, schemaFields, type OpenApiSpec, type SpecOperation } from '../../../src/core/spec/openapi';
import { LineIndex, type SourceLocation } from '../../../src/core/text';
import { FileReader } from '../../../src/core/workspace/files';

const FIXTURES = path.join(__dirname, '../../fixtures/spec');

function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

function load(name: string, reader: DocumentReader = createDocumentReader(new FileReader(FIXTURES))): { spec?: OpenApiSpec; problems: ReturnType<typeof loadOpenApi>['problems']; reader: DocumentReader } {
  return { ...loadOpenApi(fixture(name), reader), reader };
}

/** `file:line:character-line:character text`, zero-based, from the file's own text. */
function where(reader: DocumentReader, location: { file: string; span?: SourceLocation['span'] }): string {
  const text = reader.parse(location.file).document!.text;
  const lines = new LineIndex(text);
  const span = location.span!;
  const start = lines.positionAt(span.start);
  const end = lines.positionAt(span.end);
  return `${path.relative(FIXTURES, location.file)}:${start.line}:${start.character}-${end.line}:${end.character} ${text.slice(span.start, span.end)}`;
}

function operation(spec: OpenApiSpec, method: string, template: string): SpecOperation {
  const found = spec.operations.find((candidate) => candidate.method === method && candidate.path === template);
  assert.ok(found, `${method} ${template} not found`);
  return found;
}

describe('loadOpenApi', () => {
  it('reads Swagger 2.0: servers from schemes, merged parameters, body parameter and response schemas, security', () => {
    const { spec, problems, reader } = load('swagger-2.0.yaml');
    assert.deepStrictEqual(problems, []);
    assert.ok(spec);
    assert.strictEqual(spec.version, '2.0');
    assert.strictEqual(spec.title, 'Pets 2');
    assert.deepStrictEqual(
      spec.servers.map((server) => [server.url, where(reader, server.location)]),
      [
        ['http://pets.example.com/v1', 'swagger-2.0.yaml:6:10-6:14 http'],
        ['https://pets.example.com/v1', 'swagger-2.0.yaml:6:16-6:21 https'],
      ],
    );
    assert.deepStrictEqual(spec.operations.map((op) => `${op.method} ${op.path} ${op.operationId}`), ['get /pets/{petId} getPet', 'put /pets/{petId} updatePet']);

    const get = operation(spec, 'get', '/pets/{petId}');
    assert.strictEqual(where(reader, get.location), 'swagger-2.0.yaml:19:4-19:7 get');
    assert.strictEqual(get.declaresSecurity, true);
    // The operation's petId replaces the path-level one; the $ref'd header parameter is kept.
    assert.deepStrictEqual(
      get.parameters.map((parameter) => [parameter.in, parameter.name, parameter.value.type, where(reader, parameter.location)]),
      [
        ['path', 'petId', 'integer', 'swagger-2.0.yaml:22:16-22:21 petId'],
        ['header', 'X-Trace', 'string', 'swagger-2.0.yaml:48:10-48:17 X-Trace'],
      ],
    );
    assert.deepStrictEqual(
      get.bodies.map((body) => [body.direction, body.status, body.mediaType, where(reader, body.schema.location)]),
      [['response', '200', 'application/json', 'swagger-2.0.yaml:59:2-59:5 Pet']],
    );

    const put = operation(spec, 'put', '/pets/{petId}');
    assert.strictEqual(put.declaresSecurity, false, 'security: [] removes the root requirement');
    assert.deepStrictEqual(put.parameters.map((parameter) => `${parameter.in}:${parameter.name}`), ['path:petId', 'header:X-Trace', 'body:body', 'formData:photo']);
    assert.deepStrictEqual(
      put.bodies.map((body) => [body.direction, body.status, body.mediaType, where(reader, body.location)]),
      [
        ['request', undefined, 'application/json', 'swagger-2.0.yaml:36:16-36:20 body'],
        ['response', 'default', 'application/json', 'swagger-2.0.yaml:52:2-52:7 Error'],
      ],
    );
  });

  it('reads OpenAPI 3.0 JSON: $ref parameters, request bodies and responses, x- path keys skipped', () => {
    const { spec, problems, reader } = load('openapi-3.0.json');
    assert.deepStrictEqual(problems, []);
    assert.ok(spec);
    assert.strictEqual(spec.version, '3.0');
    assert.deepStrictEqual(spec.servers.map((server) => server.url), ['https://api.example.com/v1', 'http://legacy.example.com']);
    assert.strictEqual(where(reader, spec.servers[1].location), 'openapi-3.0.json:3:64-3:91 "http://legacy.example.com"');
    assert.deepStrictEqual(spec.operations.map((op) => `${op.method} ${op.path}`), ['get /pets', 'post /pets']);

    const post = operation(spec, 'post', '/pets');
    assert.strictEqual(where(reader, post.location), 'openapi-3.0.json:6:6-6:12 "post"');
    assert.deepStrictEqual(post.pointer, ['paths', '/pets', 'post']);
    assert.strictEqual(post.declaresSecurity, true);
    assert.strictEqual(post.parameters.length, 1);
    assert.strictEqual(where(reader, post.parameters[0].location), 'openapi-3.0.json:26:25-26:32 "limit"');
    assert.deepStrictEqual(post.parameters[0].schema?.value, { type: 'integer' });
    assert.deepStrictEqual(
      post.bodies.map((body) => [body.direction, body.status, body.mediaType, body.schema.pointer.join('/')]),
      [
        ['request', undefined, 'application/json', 'components/schemas/Pet'],
        ['response', '201', 'application/json', 'components/schemas/Pet'],
        ['response', '400', 'application/problem+json', 'components/responses/Problem/content/application/problem+json/schema'],
      ],
    );
    assert.strictEqual(where(reader, post.bodies[0].location), 'openapi-3.0.json:29:32-29:50 "application/json"');

    const get = operation(spec, 'get', '/pets');
    assert.strictEqual(get.declaresSecurity, false, '[{}] is the anonymous alternative');
    assert.deepStrictEqual(schemaFields(get.bodies[0].schema).map((field) => field.path), ['[].name', '[].tags', '[].tags[].label']);
  });

  it('reads OpenAPI 3.1 YAML: server variables, a $ref path item, root security', () => {
    const { spec, problems, reader } = load('openapi-3.1.yaml');
    assert.deepStrictEqual(problems, []);
    assert.ok(spec);
    assert.strictEqual(spec.version, '3.1');
    assert.deepStrictEqual(spec.servers.map((server) => server.url), ['https://eu.cards.example.com/v2']);
    const [remove] = spec.operations;
    assert.strictEqual(`${remove.method} ${remove.path} ${remove.operationId}`, 'delete /cards/{id} deleteCard');
    assert.strictEqual(where(reader, remove.location), 'openapi-3.1.yaml:25:6-25:12 delete');
    assert.deepStrictEqual(remove.pointer, ['components', 'pathItems', 'Card', 'delete']);
    assert.strictEqual(remove.declaresSecurity, true);
    assert.deepStrictEqual(remove.parameters.map((parameter) => [parameter.name, where(reader, parameter.location)]), [['id', 'openapi-3.1.yaml:20:16-20:18 id']]);
  });

  it('follows relative $refs across files, with locations in the file where each thing is written', () => {
    const { spec, problems, reader } = load('multi/openapi.yaml');
    assert.deepStrictEqual(problems, []);
    assert.ok(spec);
    assert.deepStrictEqual(
      spec.documents.map((document) => path.relative(FIXTURES, document.file)),
      ['multi/openapi.yaml', 'multi/paths/orders.yaml', 'multi/schemas/order.yaml'],
    );
    const [get] = spec.operations;
    assert.strictEqual(get.path, '/orders/{orderId}');
    assert.strictEqual(get.document.file, fixture('multi/paths/orders.yaml'));
    assert.deepStrictEqual(get.pointer, ['order', 'get']);
    assert.strictEqual(where(reader, get.location), 'multi/paths/orders.yaml:1:2-1:5 get');
    assert.strictEqual(where(reader, get.parameters[0].location), 'multi/schemas/order.yaml:3:12-3:19 orderId');
    const [body] = get.bodies;
    assert.strictEqual(where(reader, body.location), 'multi/paths/orders.yaml:9:10-9:26 application/json');
    assert.strictEqual(where(reader, body.schema.location), 'multi/schemas/order.yaml:9:4-9:9 Order');
    assert.deepStrictEqual(
      schemaFields(body.schema).map((field) => `${field.path} @ ${where(reader, field.location)}`),
      ['id @ multi/schemas/order.yaml:12:8-12:10 id', 'customer @ multi/schemas/order.yaml:14:8-14:16 customer', 'customer.email @ multi/schemas/order.yaml:19:8-19:13 email'],
    );
  });

  it('reports remote, missing and cyclic $refs where they are written, without fetching', () => {
    const started = performance.now();
    const { spec, problems, reader } = load('refs-broken.yaml');
    assert.ok(performance.now() - started < 1000);
    assert.ok(spec);
    assert.strictEqual(problems, spec.problems);
    assert.deepStrictEqual(
      problems.map((problem) => `${problem.kind} ${where(reader, problem)}`),
      [
        "remote-ref refs-broken.yaml:11:22-11:57 'https://127.0.0.1:1/x.yaml#/Thing'",
        "unresolved-ref refs-broken.yaml:15:16-15:46 '#/components/parameters/Nope'",
        "unresolved-ref refs-broken.yaml:16:16-16:38 'missing-file.yaml#/X'",
        "ref-cycle refs-broken.yaml:24:16-24:42 '#/components/responses/A'",
      ],
    );
    assert.match(problems[2].message, /missing-file\.yaml/);
    // What could not be resolved is left out; the operations are still there.
    assert.deepStrictEqual(spec.operations.map((op) => [op.path, op.parameters.length, op.bodies.length]), [['/remote', 0, 0], ['/missing', 0, 0], ['/cycle', 0, 0]]);
  });

  it('says a file that is not OpenAPI is not a spec', () => {
    const { spec, problems } = load('not-a-spec.yaml');
    assert.strictEqual(spec, undefined);
    assert.deepStrictEqual(problems.map((problem) => problem.kind), ['not-a-spec']);
  });

  it('passes parse problems on: malformed files and alias bombs give no spec', () => {
    for (const [name, kind] of [['malformed.json', 'malformed-json'], ['malformed.yaml', 'malformed-yaml'], ['alias-bomb.yaml', 'yaml-alias-limit']]) {
      const { spec, problems } = load(name);
      assert.strictEqual(spec, undefined, name);
      assert.deepStrictEqual(problems.map((problem) => problem.kind), [kind], name);
    }
  });

  it('refuses versions it does not know', () => {
    const reader: DocumentReader = createDocumentReader(new FileReader('/virtual', new Map([[path.resolve('/virtual/v4.yaml'), 'openapi: 4.0.0\npaths: {}']])));
    const { spec, problems } = loadOpenApi('/virtual/v4.yaml', reader);
    assert.strictEqual(spec, undefined);
    assert.match(problems[0].message, /4\.0\.0 is not supported/);
  });
});

describe('schemaFields', () => {
  it('walks properties, items, allOf and additionalProperties, following $refs and unescaping pointers', () => {
    const { spec, reader } = load('openapi-3.1.yaml');
    assert.ok(spec);
    const customer = spec.document.value as { components: { schemas: Record<string, Record<string, unknown>> } };
    const fields = schemaFields({
      value: customer.components.schemas.Customer,
      document: spec.document,
      pointer: ['components', 'schemas', 'Customer'],
      location: { file: spec.file, span: { start: 0, end: 0 } },
    });
    assert.deepStrictEqual(
      fields.map((field) => `${field.path} (${field.name}) @ ${where(reader, field.location)}`),
      [
        'name (name) @ openapi-3.1.yaml:34:8-34:12 name',
        'cards (cards) @ openapi-3.1.yaml:36:8-36:13 cards',
        'cards[].number (number) @ openapi-3.1.yaml:56:8-56:14 number',
        'cards[].cvv~code/x (cvv~code/x) @ openapi-3.1.yaml:58:8-58:20 "cvv~code/x"',
        'metadata (metadata) @ openapi-3.1.yaml:40:8-40:16 metadata',
        'metadata.*.note (note) @ openapi-3.1.yaml:45:14-45:18 note',
        'billing (billing) @ openapi-3.1.yaml:47:8-47:15 billing',
        'billing.street (street) @ openapi-3.1.yaml:66:8-66:14 street',
        'shipping (shipping) @ openapi-3.1.yaml:49:8-49:16 shipping',
        'shipping.zip (zip) @ openapi-3.1.yaml:70:8-70:11 zip',
        'createdBy (createdBy) @ openapi-3.1.yaml:62:8-62:17 createdBy',
      ],
    );
    assert.deepStrictEqual(fields[2].schema, { type: 'string' });
  });

  it('stops at recursion and shares the result per schema object', () => {
    const { spec } = load('recursive.yaml');
    assert.ok(spec);
    const [body] = spec.operations[0].bodies;
    const fields = schemaFields(body.schema);
    assert.deepStrictEqual(fields.map((field) => field.path), ['name', 'parent', 'children']);
    assert.strictEqual(schemaFields(body.schema), fields);
  });

  it('limits depth', () => {
    // Eleven nested objects, each with one property: only eight levels are followed.
    let schema: Record<string, unknown> = { type: 'string' };
    for (let level = 11; level >= 1; level--) schema = { type: 'object', properties: { [`p${level}`]: schema } };
    const text = JSON.stringify({ openapi: '3.0.0', paths: { '/deep': { post: { requestBody: { content: { 'application/json': { schema } } } } } } });
    const file = path.resolve('/virtual/deep.json');
    const { spec } = loadOpenApi(file, createDocumentReader(new FileReader(path.dirname(file), new Map([[file, text]]))));
    const fields = schemaFields(spec!.operations[0].bodies[0].schema);
    assert.strictEqual(fields.length, 8);
    assert.strictEqual(fields[7].path, 'p1.p2.p3.p4.p5.p6.p7.p8');
  });
});
