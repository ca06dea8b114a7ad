import * as assert from 'assert';
import { SensitiveDataClassifier } from '../../../src/core/analysis/sensitiveData';

const STRING = { type: 'string' };

/** The information types a name is classified as, by name alone. */
function typesOf(classifier: SensitiveDataClassifier, name: string): string[] {
  return classifier.classify(name, STRING).map((classification) => `${classification.type.id} ${classification.evidence}`);
}

describe('SensitiveDataClassifier: names', () => {
  const classifier = new SensitiveDataClassifier();

  it('classifies the values themselves', () => {
    assert.deepStrictEqual(typesOf(classifier, 'email'), ['email name']);
    assert.deepStrictEqual(typesOf(classifier, 'created_by_user_email'), ['email name']);
    assert.deepStrictEqual(typesOf(classifier, 'api_key'), ['credentials name']);
    assert.deepStrictEqual(typesOf(classifier, 'apiKey'), ['credentials name']);
    assert.deepStrictEqual(typesOf(classifier, 'phoneNumber'), ['phone name']);
    assert.deepStrictEqual(typesOf(classifier, 'card_number'), ['payment-card name']);
  });

  it('does not take identifiers and metadata of a value for the value', () => {
    // From real specs: DigitalOcean's `api_key_uuid`, Twilio's `phone_number_sid` and `PhoneNumberType`.
    for (const name of ['api_key_id', 'apiKeyId', 'APIKeyID', 'api_key_uuid', 'api_key_name', 'email_alias_id', 'emailAddressIds', 'email_count', 'email_type', 'phoneNumberType', 'phone_number_sid', 'PhoneNumberSid', 'card_number_type', 'bank_account_id', 'access_token_type']) {
      assert.deepStrictEqual(typesOf(classifier, name), [], name);
    }
  });

  it('does not take counts, limits, match results and other metadata of a value for the value', () => {
    // From twilio/twilio-oai (numbers_v1, iam_v1, lookups_v2, pricing_v1, insights_v2, api_v2010) and
    // digitalocean/openapi (clusterlint_results.yml), each with its schema's type there.
    const INTEGER = { type: 'integer' };
    const fields: [string, Record<string, unknown>][] = [
      ['MinPostalCodeLength', INTEGER],
      ['access_token_ttl', INTEGER],
      ['email_subject', STRING],
      ['email_message', STRING],
      ['phone_numbers_requested', INTEGER],
      ['phone_numbers_ported', INTEGER],
      ['port_in_phone_number_status', STRING],
      ['phone_number_quality_score', { nullable: true }],
      ['postal_code_match', STRING],
      ['national_id_match', STRING],
      ['date_of_birth_match', STRING],
      ['phone_number_prices', { type: 'array', items: { type: 'object' } }],
      ['enabled_phonenumbers', INTEGER],
      ['diagnostics', { type: 'array', items: { type: 'object' } }],
    ];
    for (const [name, schema] of fields) assert.deepStrictEqual(classifier.classify(name, schema), [], name);
  });

  it('keeps numeric values where a number is the value', () => {
    const INTEGER = { type: 'integer' };
    const ids = (name: string) => classifier.classify(name, INTEGER).map((classification) => classification.type.id);
    assert.deepStrictEqual(ids('postal_code'), ['address']);
    assert.deepStrictEqual(ids('account_number'), ['bank-account']);
    assert.deepStrictEqual(ids('card_number'), ['payment-card']);
    assert.deepStrictEqual(ids('ssn'), ['national-id']);
    assert.deepStrictEqual(typesOf(classifier, 'diagnosis'), ['health name']);
    assert.deepStrictEqual(typesOf(classifier, 'diagnoses'), ['health name']);
  });

  it('keeps values whose own name ends in a metadata word', () => {
    assert.deepStrictEqual(typesOf(classifier, 'passport_id'), ['national-id name']);
    assert.deepStrictEqual(typesOf(classifier, 'nationalId'), ['national-id name']);
    assert.deepStrictEqual(typesOf(classifier, 'tax_id'), ['national-id name']);
    assert.deepStrictEqual(typesOf(classifier, 'street_name'), ['address name']);
    assert.deepStrictEqual(typesOf(classifier, 'blood_type'), ['health name']);
  });

  it('keeps health metadata: the kind of a diagnosis is health information', () => {
    assert.deepStrictEqual(typesOf(classifier, 'allergy_type'), ['health name']);
    assert.deepStrictEqual(typesOf(classifier, 'diagnosisId'), ['health name']);
  });

  it('still classifies metadata names by their format or example', () => {
    assert.deepStrictEqual(
      classifier.classify('email_alias_id', { type: 'string', format: 'email' }).map((classification) => `${classification.type.id} ${classification.evidence}`),
      ['email format'],
    );
  });

  it("leaves a team's own patterns as they are written", () => {
    const custom = new SensitiveDataClassifier([{ id: 'loyalty-id', displayName: 'Loyalty member id', sensitivity: 'high', namePatterns: ['^loyaltyMember'], valuePatterns: [] }]);
    assert.deepStrictEqual(typesOf(custom, 'loyaltyMemberId'), ['loyalty-id name']);
  });
});

describe('SensitiveDataClassifier: context of a name', () => {
  const classifier = new SensitiveDataClassifier();
  const ids = (name: string, schema: Record<string, unknown>, path?: string) => classifier.classify(name, schema, path).map((classification) => classification.type.id);

  it('does not take an object named after a key for the key: its own fields are classified', () => {
    // digitalocean/openapi gen-ai/definitions.yml: `api_key_info` is apiAgentAPIKeyInfo (name, created_at, created_by).
    const keyInfo = { type: 'object', properties: { name: { type: 'string' }, created_at: { type: 'string', format: 'date-time' } } };
    assert.deepStrictEqual(ids('api_key_info', keyInfo), []);
    assert.deepStrictEqual(ids('api_keys', { type: 'array', items: keyInfo }), []);
    assert.deepStrictEqual(ids('api_key', { type: 'string' }), ['credentials']);
    assert.deepStrictEqual(ids('api_keys', { type: 'array', items: { type: 'string' } }), ['credentials']);
    // An object that holds the secret is still one: DigitalOcean's dedicated-inference `token` (id, name, value)
    // and `access_tokens` (a map of provider tokens).
    assert.deepStrictEqual(ids('token', { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, value: { type: 'string' } } }), ['credentials']);
    assert.deepStrictEqual(ids('access_tokens', { type: 'object', additionalProperties: { type: 'string' } }), ['credentials']);
    assert.deepStrictEqual(ids('access_tokens', { type: 'object', properties: { hugging_face_token: { type: 'string' } } }), ['credentials']);
    assert.deepStrictEqual(ids('api_key', { type: 'object', properties: { name: { type: 'string' }, api_key: { type: 'string' } } }), ['credentials']);
    // Other types are still named by their container: a `creditCard` object is card data.
    assert.deepStrictEqual(ids('creditCard', { type: 'object', properties: { number: { type: 'string' } } }), ['payment-card']);
  });

  it('does not take an LLM text token for a credential', () => {
    // Azure-Samples/AI-Gateway modules/apim/v1/specs/AIFoundryOpenAI.json: chatCompletionTokenLogprob.token.
    const token = { description: 'The token.', type: 'string' };
    assert.deepStrictEqual(ids('token', token, 'choices[].logprobs.content[].token'), []);
    assert.deepStrictEqual(ids('token', token, 'choices[].logprobs.content[].top_logprobs[].token'), []);
    assert.deepStrictEqual(ids('token', token, 'session.token'), ['credentials']);
    assert.deepStrictEqual(ids('token', token), ['credentials']);
  });

  it("does not take a text analyzer's token, beside its offsets and position, for a credential", () => {
    // Azure AI Search's AnalyzedTokenInfo (anotherRedbeard/apimdemo-environment searchserviceclient, AI-Gateway searchservice.json).
    const token = { type: 'string', description: 'The token returned by the analyzer.' };
    assert.deepStrictEqual(classifier.classify('token', token, 'tokens[].token', () => ['token', 'startOffset', 'endOffset', 'position']), []);
    assert.deepStrictEqual(ids('token', token, 'session.token'), ['credentials']);
    assert.deepStrictEqual(classifier.classify('token', token, 'session.token', () => ['token', 'expires_at']).map((classification) => classification.type.id), ['credentials']);
  });
});
