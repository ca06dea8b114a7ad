import type { Declaration, Declared } from '../model';
import type { JsonPath, ParsedDocument } from '../parse/document';
import type { Span } from '../text';

/**
 * A property whose value the files do not determine (an unresolved parameter, a spread that is not
 * known): present, so that it is not taken for absent, and of no type, so that it is never read as a value.
 */
export const NOT_KNOWN = Symbol('not known from the files');

/** A resource's `properties`, as plain values (JSON, or Bicep literals). */
export type Properties = Record<string, unknown>;

/**
 * A declaration whose properties are found by `findProperty`; a property that is not written
 * locates to `fallback` (where a fix would add it), else to the whole declaration.
 */
export function declarationOf(
  file: string,
  span: Span,
  findProperty: (property: JsonPath) => Span | undefined,
  fallback: Span = span,
  document?: { document: ParsedDocument; propertiesPath: JsonPath },
): Declaration {
  return {
    file,
    span,
    ...document,
    locate: (property) => ({ file, span: findProperty(property) ?? fallback }),
  };
}

/** The declaration of a JSON/YAML resource file (APIOps `*Information.json`), properties under `propertiesPath`. */
export function documentDeclaration(document: ParsedDocument, propertiesPath: JsonPath = ['properties']): Declaration {
  const rootSpan = document.valueSpan([]) ?? { start: 0, end: document.text.length };
  return declarationOf(
    document.file,
    rootSpan,
    (property) => document.valueSpan([...propertiesPath, ...property]),
    document.keySpan(propertiesPath) ?? rootSpan,
    { document, propertiesPath },
  );
}

/** A declaration with no properties of its own (a bare spec, a fragment's policy file): everything locates to `span`. */
export function fileDeclaration(file: string, span: Span): Declaration {
  return declarationOf(file, span, () => undefined);
}

export function isObject(value: unknown): value is Properties {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const isString = (value: unknown): value is string => typeof value === 'string';
export const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
export const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

export function valueAt(properties: Properties, property: JsonPath): unknown {
  let value: unknown = properties;
  for (const key of property) {
    if (typeof key === 'number' ? !Array.isArray(value) : !isObject(value)) return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export function stringAt(properties: Properties, property: JsonPath): string | undefined {
  const value = valueAt(properties, property);
  return isString(value) ? value : undefined;
}

/** The property with where it is written, when it is written with the expected type. */
export function declaredAt<T>(
  properties: Properties,
  declaration: Declaration,
  property: JsonPath,
  is: (value: unknown) => value is T,
): Declared<T> | undefined {
  const value = valueAt(properties, property);
  return is(value) ? { value, location: declaration.locate(property) } : undefined;
}
