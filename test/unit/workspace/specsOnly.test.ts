import * as assert from 'assert';
import * as path from 'path';
import type { ApimService } from '../../../src/core/model';
import { readService } from '../../../src/core/workspace/readService';
import { FIXTURES, api, operationSummary } from './helpers';

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

  it('does not parse YAML and JSON that do not look like specs', () => {
    assert.ok(!service.filesRead.includes(path.join(root, 'config/settings.yaml')));
  });
});
