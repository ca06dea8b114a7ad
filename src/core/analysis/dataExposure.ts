// Which sensitive data an operation carries, and where: in the URL (path and query parameters) or in
// request and response bodies. Shared by the sensitive-data rules and the risk ranking.
import type { OperationResource } from '../model';
import { schemaFields, type SchemaField, type SpecBody, type SpecParameter } from '../spec/openapi';
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

export function operationExposure(operation: OperationResource, classifier: SensitiveDataClassifier): OperationExposure {
  const spec = operation.specOperation;
  if (!spec) return { inUrl: [], inBodies: [] };
  const inUrl: SensitiveParameter[] = [];
  for (const parameter of spec.parameters) {
    if (!URL_LOCATIONS.has(parameter.in)) continue;
    // Swagger 2.0 writes type/format on the parameter itself; OpenAPI 3 in its schema.
    const classifications = classifier.classify(parameter.name, parameter.schema?.value ?? parameter.value);
    if (classifications.length > 0) inUrl.push({ parameter, classifications });
  }
  const inBodies: SensitiveField[] = [];
  for (const body of spec.bodies) {
    for (const field of schemaFields(body.schema)) {
      const classifications = classifier.classify(field.name, field.schema);
      if (classifications.length > 0) inBodies.push({ body, field, classifications });
    }
  }
  return { inUrl, inBodies };
}

/** Distinct information type names, in first-seen order. */
export function typeNames(classifications: Iterable<Classification>): string[] {
  return [...new Set([...classifications].map((classification) => classification.type.displayName))];
}
