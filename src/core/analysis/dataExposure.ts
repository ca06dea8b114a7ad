// Which sensitive data an operation carries, and where: in the URL (path and query parameters) or in
// request and response bodies. Shared by the sensitive-data rules and the risk ranking.
import type { OperationResource } from '../model';
import { schemaFields, type SchemaField, type SpecBody, type SpecOperation, type SpecParameter } from '../spec/openapi';
import type { Classification, SensitiveDataClassifier } from './sensitiveData';

export interface SensitiveParameter {
  parameter: SpecParameter;
  classifications: Classification[];
}

export interface SensitiveField {
  body: SpecBody;
  field: SchemaField;
  classifications: Classification[];
}

export interface OperationExposure {
  inUrl: SensitiveParameter[];
  inBodies: SensitiveField[];
}

const URL_LOCATIONS: ReadonlySet<string> = new Set(['path', 'query']);

/**
 * Per classifier and spec operation, the exposure found and the body fields it was found in: the
 * editor keeps its classifier, and the operations an edit left alone, across scans.
 */
const exposures = new WeakMap<SensitiveDataClassifier, WeakMap<SpecOperation, { exposure: OperationExposure; bodyFields: SchemaField[][] }>>();

export function operationExposure(operation: OperationResource, classifier: SensitiveDataClassifier): OperationExposure {
  const spec = operation.specOperation;
  if (!spec) return { inUrl: [], inBodies: [] };
  let known = exposures.get(classifier);
  if (!known) exposures.set(classifier, (known = new WeakMap()));
  const kept = known.get(spec);
  if (kept && spec.bodies.every((body, index) => schemaFields(body.schema) === kept.bodyFields[index])) return kept.exposure;
  const bodyFields = spec.bodies.map((body) => schemaFields(body.schema));
  const exposure = findExposure(spec, bodyFields, classifier);
  known.set(spec, { exposure, bodyFields });
  return exposure;
}

function findExposure(spec: SpecOperation, bodyFields: SchemaField[][], classifier: SensitiveDataClassifier): OperationExposure {
  const inUrl: SensitiveParameter[] = [];
  for (const parameter of spec.parameters) {
    if (!URL_LOCATIONS.has(parameter.in)) continue;
    // Swagger 2.0 writes type/format on the parameter itself; OpenAPI 3 in its schema.
    const classifications = classifier.classify(parameter.name, parameter.schema?.value ?? parameter.value);
    if (classifications.length > 0) inUrl.push({ parameter, classifications });
  }
  const inBodies: SensitiveField[] = [];
  for (const [index, body] of spec.bodies.entries()) {
    for (const { field, classifications } of sensitiveFields(bodyFields[index], classifier)) inBodies.push({ body, field, classifications });
  }
  return { inUrl, inBodies };
}

/**
 * Per classifier and field list, its sensitive fields: field lists are shared by schema, and GitHub's
 * 3,259 bodies have 1,011 distinct lists, so each is classified once rather than once per body.
 */
const sensitiveFieldLists = new WeakMap<SensitiveDataClassifier, WeakMap<readonly SchemaField[], Omit<SensitiveField, 'body'>[]>>();

function sensitiveFields(fields: readonly SchemaField[], classifier: SensitiveDataClassifier): Omit<SensitiveField, 'body'>[] {
  let known = sensitiveFieldLists.get(classifier);
  if (!known) sensitiveFieldLists.set(classifier, (known = new WeakMap()));
  let sensitive = known.get(fields);
  if (sensitive) return sensitive;
  sensitive = [];
  let byParent: Map<string, string[]> | undefined;
  for (const field of fields) {
    const siblings = () => (byParent ??= fieldsByParent(fields)).get(parentPath(field)) ?? [];
    const classifications = classifier.classify(field.name, field.schema, field.path, siblings);
    if (classifications.length > 0) sensitive.push({ field, classifications });
  }
  known.set(fields, sensitive);
  return sensitive;
}

/** The path of the object a field is in: `tokens[]` for `tokens[].token`. */
function parentPath(field: SchemaField): string {
  return field.path.slice(0, Math.max(0, field.path.length - field.name.length - 1));
}

/** The names of the fields of each object of a body, by its path. */
function fieldsByParent(fields: readonly SchemaField[]): Map<string, string[]> {
  const byParent = new Map<string, string[]>();
  for (const field of fields) {
    const parent = parentPath(field);
    const names = byParent.get(parent) ?? [];
    names.push(field.name);
    byParent.set(parent, names);
  }
  return byParent;
}

/** Distinct information type names, in first-seen order. */
export function typeNames(classifications: Iterable<Classification>): string[] {
  const names = new Set<string>();
  for (const classification of classifications) names.add(classification.type.displayName);
  return [...names];
}
