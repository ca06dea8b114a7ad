// Sensitive data classification of parameters and schema properties, from what a spec says about
// them: names, formats, patterns, examples. Built-in information types follow the usual PII/PCI/PHI
// families; teams add their own in `.apim-posture.json`.
import type { CustomInformationType } from '../config';
import { linearPattern, type TextPattern } from '../linearPattern';

export interface InformationType {
  id: string;
  displayName: string;
  /** `high`: must never travel in a URL (logged by every proxy); `medium`: personal data. */
  sensitivity: 'high' | 'medium';
  /** Tested against the name with separators removed and lower-cased (`card_number` → `cardnumber`). */
  names: TextPattern[];
  formats?: string[];
  /** Tested against examples, defaults and enum values. */
  values?: TextPattern[];
  /**
   * Whether a name about such a value (`allergy_type`, `diagnosis_id`) is of this type too: what kind
   * of diagnosis a patient has is health information, whereas `api_key_id` or `phoneNumberType` is not
   * a key or a phone number, so for other types such names are not classified by name.
   */
  includesMetadata?: boolean;
  /**
   * A value of this type is one string: a field named so whose schema is an object of metadata
   * (`api_key_info`: name, created_at; no `value` and no field of this type) is not classified by its name.
   */
  scalarOnly?: boolean;
  /** Paths under which a field of such a name is something else: an LLM's `logprobs.content[].token` is a text token. */
  excludedPaths?: RegExp[];
  /**
   * Fields beside which a field of such a name is something else (names as normalized): a `token`
   * beside `startOffset` and `position` is a text analyzer's token.
   */
  excludedBeside?: RegExp;
  /**
   * A value of this type is text: a field named so whose schema is an integer or a number is a
   * count, a limit or a duration (`access_token_ttl`, `phone_numbers_requested`).
   */
  textOnly?: boolean;
}

const BUILT_IN: InformationType[] = [
  {
    id: 'national-id',
    displayName: 'National identification number',
    sensitivity: 'high',
    names: [/^(ssn|sin|nino|nin)$/, /socialsecurity/, /nationalid/, /passport(no|number|id)?$/, /taxid|taxpayerid|taxnumber/, /driverslicen[cs]e|driverlicen[cs]e/],
    values: [/^\d{3}-\d{2}-\d{4}$/],
  },
  {
    id: 'payment-card',
    displayName: 'Payment card number',
    sensitivity: 'high',
    names: [/cardnumber|creditcard|debitcard|^pan$|primaryaccountnumber/, /^(cvv|cvc|cvv2|cvc2|cardverification)/, /cardsecuritycode/],
    formats: ['credit-card', 'card-number'],
    values: [/^(?:\d[ -]?){12,18}\d$/],
  },
  {
    id: 'bank-account',
    displayName: 'Bank account number',
    sensitivity: 'high',
    names: [/^iban$|iban(number|code)?$/, /bankaccount|accountnumber$|routingnumber|sortcode|^bic$|swiftcode/],
    formats: ['iban'],
    values: [/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/],
  },
  {
    id: 'credentials',
    displayName: 'Credentials and secrets',
    sensitivity: 'high',
    names: [/password|passwd|passphrase|^pwd$/, /secret$|clientsecret|apikey$|^apikey|accesstoken|refreshtoken|idtoken|bearertoken|^token$|privatekey|connectionstring/],
    formats: ['password'],
    scalarOnly: true,
    textOnly: true,
    excludedPaths: [/logprob/i],
    excludedBeside: /^(startoffset|endoffset|offset|position)$/,
  },
  {
    id: 'health',
    displayName: 'Health information',
    sensitivity: 'high',
    // `diagnos(is|es|e|ed)`, not `diagnostics`: a system's diagnostics are no one's health.
    names: [/diagnos(is|es|e|ed)|medical|patient|prescription|allerg|bloodtype|medication|icd10|healthrecord|healthcondition|healthinsurance/],
    includesMetadata: true,
    textOnly: true,
  },
  {
    id: 'date-of-birth',
    displayName: 'Date of birth',
    sensitivity: 'medium',
    names: [/dateofbirth|birthdate|birthday|^dob$/],
  },
  {
    id: 'email',
    displayName: 'Email address',
    sensitivity: 'medium',
    names: [/^e?mail$|emailaddress|^email|email$/],
    textOnly: true,
    formats: ['email', 'idn-email'],
    values: [/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i],
  },
  {
    id: 'phone',
    displayName: 'Phone number',
    sensitivity: 'medium',
    names: [/phone|mobilenumber|^mobile$|msisdn|faxnumber/],
    textOnly: true,
  },
  {
    id: 'address',
    displayName: 'Postal address',
    sensitivity: 'medium',
    names: [/^(home|postal|street|mailing|billing|shipping|residential)?address(line\d?)?$/, /^street(name)?$|postalcode|postcode|zipcode|^zip$/],
  },
];

export interface Classification {
  type: InformationType;
  /** What matched: `name`, `format`, `pattern`, `example`. */
  evidence: 'name' | 'format' | 'pattern' | 'example';
}

export class SensitiveDataClassifier {
  private readonly types: InformationType[];
  private readonly byName = new Map<string, InformationType[]>();
  /** Specs share schema objects across operations: classify each (schema, name) pair once. */
  private readonly bySchema = new WeakMap<object, Map<string, Classification[]>>();

  constructor(custom: CustomInformationType[] = []) {
    this.types = [
      ...BUILT_IN,
      ...custom.map((type) => ({
        id: type.id,
        displayName: type.displayName,
        sensitivity: type.sensitivity,
        // Custom patterns are the team's own regular expressions: test them against the name as written, too.
        names: type.namePatterns.map(linearPattern),
        values: type.valuePatterns.map(linearPattern),
        includesMetadata: true,
      })),
    ];
  }

  /**
   * Information types a parameter or property (at `path` in its body, when in one, beside the fields
   * named `siblings`) belongs to, strongest evidence first. The siblings are asked for only when a
   * classification depends on them: few do, and every field of an object has them all.
   */
  classify(name: string, schema: Record<string, unknown> | undefined, path?: string, siblings: () => readonly string[] = () => []): Classification[] {
    if (!schema) return this.classifyUncached(name, schema);
    // Most fields have a name of no type and say nothing of their values: of no type, with nothing worth remembering.
    if (this.typesForName(name).length === 0 && !describesValues(schema)) return NO_CLASSIFICATIONS;
    let byName = this.bySchema.get(schema);
    if (!byName) this.bySchema.set(schema, (byName = new Map()));
    let classifications = byName.get(name);
    if (!classifications) byName.set(name, (classifications = this.classifyUncached(name, schema)));
    if (classifications.length === 0) return classifications;
    // The path is not part of the cache key: one schema is shared by fields at many paths.
    let beside: string[] | undefined;
    const excluded = ({ type }: Classification) =>
      (path !== undefined && (type.excludedPaths?.some((pattern) => pattern.test(path)) ?? false)) ||
      (type.excludedBeside !== undefined && (beside ??= siblings().map(normalize)).some((sibling) => type.excludedBeside!.test(sibling)));
    return classifications.some(excluded) ? classifications.filter((classification) => !excluded(classification)) : classifications;
  }

  private classifyUncached(name: string, schema: Record<string, unknown> | undefined): Classification[] {
    // A flag such as `emailVerified: boolean` names sensitive data but carries none.
    if (schema?.type === 'boolean') return [];
    const found = new Map<string, Classification>();
    const numeric = schema?.type === 'integer' || schema?.type === 'number';
    for (const type of this.typesForName(name)) {
      if (type.scalarOnly && schema && this.isMetadataObject(schema, type)) continue;
      if (type.textOnly && numeric) continue;
      found.set(type.id, { type, evidence: 'name' });
    }
    if (schema) {
      const format = typeof schema.format === 'string' ? schema.format.toLowerCase() : undefined;
      const samples = sampleValues(schema);
      const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
      for (const type of this.types) {
        if (found.has(type.id)) continue;
        if (format && type.formats?.includes(format)) found.set(type.id, { type, evidence: 'format' });
        else if (pattern && type.id === 'payment-card' && /\\d\{1[3-6],1[69]\}|\[0-9\]\{1[3-6],1[69]\}/.test(pattern)) found.set(type.id, { type, evidence: 'pattern' });
        else if (type.values && samples.some((sample) => type.values!.some((expression) => expression.test(sample) && validSample(type.id, sample)))) {
          found.set(type.id, { type, evidence: 'example' });
        }
      }
    }
    return [...found.values()];
  }

  /**
   * An object (or an array of such objects, written inline) with declared properties, none of which
   * is of `type` by its name or looks like the value (VALUE_HOLDER): it describes such a value rather than holding it. A map
   * (`additionalProperties: { type: string }`) holds values; a `$ref` not followed here is not judged.
   */
  private isMetadataObject(schema: Record<string, unknown>, type: InformationType): boolean {
    const object = schema.type === 'array' && isRecord(schema.items) ? schema.items : schema;
    if (!isRecord(object.properties) || (isRecord(object.additionalProperties) && object.additionalProperties.type !== 'object')) return false;
    return Object.keys(object.properties).every((property) => !VALUE_HOLDER.test(normalize(property)) && !this.typesForName(property).includes(type));
  }

  private typesForName(name: string): InformationType[] {
    let types = this.byName.get(name);
    if (!types) {
      const normalized = normalize(name);
      const valueLength = valueNameLength(name, normalized);
      types = this.types.filter((type) =>
        type.names.some((expression) => (type.includesMetadata ? expression.test(normalized) || expression.test(name) : namesValue(expression, normalized, valueLength))),
      );
      this.byName.set(name, types);
    }
    return types;
  }
}

/** Shared by every field of no type: callers only read classifications. */
const NO_CLASSIFICATIONS: Classification[] = [];

/** Whether a schema says anything of its values that could make it of a type whatever its name: a format, a pattern or sample values. */
function describesValues(schema: Record<string, unknown>): boolean {
  return schema.format !== undefined || schema.pattern !== undefined || schema.example !== undefined || schema.default !== undefined || schema.examples !== undefined || schema.enum !== undefined;
}

/** Names of a field that holds the value of its object: `value`, `hugging_face_token`, `key`. */
const VALUE_HOLDER = /^value$|(token|key|secret|password)$/;

/**
 * Last words that make a name about a value rather than the value: `email_alias_id`,
 * `phoneNumberType`, `email_count`, `access_token_ttl`, `postal_code_match`, `email_subject`.
 */
const METADATA_WORDS: ReadonlySet<string> = new Set(['id', 'ids', 'uuid', 'sid', 'name', 'type', 'count', 'length', 'ttl', 'match', 'status', 'score', 'price', 'prices', 'subject', 'message']);

/** A name lower-cased without separators: `card_number` -> `cardnumber`. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * How much of the normalized name is left without its last word when that word is a metadata word
 * (`api_key_id` -> 6, for `apikey`); undefined when the name does not end in one.
 */
function valueNameLength(name: string, normalized: string): number | undefined {
  const words = name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/).filter(Boolean);
  const last = words[words.length - 1]?.toLowerCase();
  return words.length > 1 && METADATA_WORDS.has(last) ? normalized.length - last.length : undefined;
}

/**
 * Whether `expression` names the value: it matches, and when the name ends in a metadata word, the
 * match takes that word in (`passport_id`, `street_name` are values; `api_key_id` is not).
 */
function namesValue(expression: TextPattern, normalized: string, valueLength: number | undefined): boolean {
  // Only built-in patterns are asked (custom ones include metadata), and they are RegExps, with match positions.
  if (!(expression instanceof RegExp)) return expression.test(normalized);
  const match = expression.exec(normalized);
  return match !== null && (valueLength === undefined || match.index + match[0].length > valueLength);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sampleValues(schema: Record<string, unknown>): string[] {
  const values: unknown[] = [schema.example, schema.default, ...(Array.isArray(schema.examples) ? schema.examples : []), ...(Array.isArray(schema.enum) ? schema.enum.slice(0, 20) : [])];
  return values.filter((value): value is string | number => typeof value === 'string' || typeof value === 'number').map(String);
}

/** Card numbers pass the Luhn check; other types need no second look. */
function validSample(typeId: string, sample: string): boolean {
  if (typeId !== 'payment-card') return true;
  const digits = sample.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The strongest sensitivity among classifications: `high` beats `medium`. */
export function highestSensitivity(classifications: Classification[]): 'high' | 'medium' | undefined {
  if (classifications.some((classification) => classification.type.sensitivity === 'high')) return 'high';
  return classifications.length > 0 ? 'medium' : undefined;
}
