import { strict as assert } from 'assert';
import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { FileEdit } from '../../../src/core/text';
import { applyTextEdits } from '../../../src/core/fixes/apply';
import { AUTH_POLICY_SNIPPETS, insertIntoSection, namedValueReferences, type AuthPolicyName } from '../../../src/core/policy/edit';
import { attribute, childElements, parsePolicyXml, POLICY_SECTIONS, policySection } from '../../../src/core/policy/xml';

const EDIT_FIXTURES = join(__dirname, '../../fixtures/policy/edits');
const VALIDATE_JWT = AUTH_POLICY_SNIPPETS['validate-jwt'].xml;

function applyEdit(text: string, edit: FileEdit): string {
  return applyTextEdits(text, edit.edits);
}

/** Inserts `snippet` into inbound and checks the result reads cleanly; undefined when there was nothing to do. */
function insertAndReparse(file: string, text: string, snippet = VALIDATE_JWT): string | undefined {
  const edit = insertIntoSection(file, parsePolicyXml(file, text), 'inbound', snippet);
  if (!edit) return undefined;
  assert.equal(edit.file, file);
  assert.equal(edit.create, undefined);
  const after = applyEdit(text, edit);
  assert.deepEqual(parsePolicyXml(file, after).problems, []);
  return after;
}

describe('insertIntoSection', () => {
  for (const name of readdirSync(EDIT_FIXTURES)) {
    const before = readFileSync(join(EDIT_FIXTURES, name, 'before.xml'), 'utf8');
    const expected = readFileSync(join(EDIT_FIXTURES, name, 'after.xml'), 'utf8');
    it(`${name}: ${expected === before ? 'makes no edit' : 'inserts validate-jwt, once'}`, () => {
      const file = `/repo/${name}/policy.xml`;
      const after = insertAndReparse(file, before);
      if (expected === before) {
        assert.equal(after, undefined);
        return;
      }
      assert.equal(after, expected);
      const inbound = policySection(parsePolicyXml(file, after).root, 'inbound')!;
      assert.equal(childElements(inbound, 'validate-jwt').length, 1);
      assert.equal(insertAndReparse(file, after!), undefined, 'a second insertion must be a no-op');
    });
  }

  it('creates a whole policy document when the scope has none', () => {
    const edit = insertIntoSection('/repo/apis/a/policy.xml', undefined, 'inbound', AUTH_POLICY_SNIPPETS['validate-azure-ad-token'].xml);
    const expected = [
      '<policies>',
      '\t<inbound>',
      '\t\t<base />',
      '\t\t<validate-azure-ad-token tenant-id="{{tenant-id}}">',
      '\t\t\t<client-application-ids><application-id>{{client-application-id}}</application-id></client-application-ids>',
      '\t\t</validate-azure-ad-token>',
      '\t</inbound>',
      '\t<backend>',
      '\t\t<base />',
      '\t</backend>',
      '\t<outbound>',
      '\t\t<base />',
      '\t</outbound>',
      '\t<on-error>',
      '\t\t<base />',
      '\t</on-error>',
      '</policies>',
      '',
    ].join('\n');
    assert.deepEqual(edit, { file: '/repo/apis/a/policy.xml', create: true, edits: [{ span: { start: 0, end: 0 }, newText: expected }] });
    const created = parsePolicyXml('/repo/apis/a/policy.xml', expected);
    assert.deepEqual(created.problems, []);
    for (const section of POLICY_SECTIONS) assert.equal(childElements(policySection(created.root, section)!, 'base').length, 1);
    assert.equal(insertAndReparse('/repo/apis/a/policy.xml', expected, AUTH_POLICY_SNIPPETS['validate-azure-ad-token'].xml), undefined);
  });

  it('refuses malformed and hostile documents, and fragments', () => {
    const refused = [
      '<policies>\n\t<inbound>\n\t\t<base />\n</policies>',
      '<!DOCTYPE policies [<!ENTITY e "x">]>\n<policies>\n\t<inbound />\n</policies>',
      '<fragment>\n\t<base />\n</fragment>',
      '',
    ];
    for (const text of refused) assert.equal(insertIntoSection('/p.xml', parsePolicyXml('/p.xml', text), 'inbound', VALIDATE_JWT), undefined, text);
  });

  it('checks for the element named by options.elementName', () => {
    const text = readFileSync(join(EDIT_FIXTURES, 'base-tabs', 'before.xml'), 'utf8');
    const xml = parsePolicyXml('/p.xml', text);
    assert.equal(insertIntoSection('/p.xml', xml, 'inbound', '<set-header name="Y" />', { elementName: 'set-header' }), undefined);
    assert.ok(insertIntoSection('/p.xml', xml, 'inbound', '<set-header name="Y" />', { elementName: 'other' }));
  });

  it('indents after a <base /> that shares its line with the section tag', () => {
    assert.equal(
      insertAndReparse('/p.xml', '<policies><inbound><base /></inbound></policies>', '<check-header name="X" />'),
      '<policies><inbound><base />\n\t<check-header name="X" /></inbound></policies>',
    );
  });
});

describe('AUTH_POLICY_SNIPPETS', () => {
  const expectedNamedValues: Record<AuthPolicyName, string[]> = {
    'validate-jwt': ['tenant-id', 'api-audience'],
    'validate-azure-ad-token': ['tenant-id', 'client-application-id'],
    'validate-client-certificate': ['client-cert-thumbprint'],
  };
  for (const [name, snippet] of Object.entries(AUTH_POLICY_SNIPPETS) as [AuthPolicyName, (typeof AUTH_POLICY_SNIPPETS)[AuthPolicyName]][]) {
    it(`${name} is one clean element naming the named values it uses`, () => {
      const xml = parsePolicyXml('/snippet.xml', snippet.xml);
      assert.deepEqual(xml.problems, []);
      assert.equal(xml.root!.name, name);
      assert.equal(xml.root!.span.end, snippet.xml.length);
      assert.deepEqual(snippet.namedValues, expectedNamedValues[name]);
    });
  }

  it('validate-jwt reads the tenant OpenID configuration', () => {
    const root = parsePolicyXml('/snippet.xml', VALIDATE_JWT).root!;
    assert.equal(attribute(root, 'header-name')?.value, 'Authorization');
    assert.equal(
      attribute(childElements(root, 'openid-config')[0], 'url')?.value,
      'https://login.microsoftonline.com/{{tenant-id}}/v2.0/.well-known/openid-configuration',
    );
  });

  it('namedValueReferences lists distinct names in order of first use', () => {
    assert.deepEqual(namedValueReferences('{{b}} {{a}} {{ b }} {x}'), ['b', 'a']);
  });
});
