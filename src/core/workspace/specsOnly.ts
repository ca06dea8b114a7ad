// A repository with OpenAPI files and nothing that says how APIM serves them: each spec is one API.
import * as path from 'path';
import type { ApiResource } from '../model';
import type { OpenApiSpec } from '../spec/openapi';
import type { ReadContext } from './context';
import { fileDeclaration } from './declaration';
import { mergeOperations } from './operations';
import { emptyContent, type ServiceContent } from './resources';

/** How far into a file to look for a top-level `openapi`/`swagger` key before parsing it. */
const SNIFF_CHARS = 8192;
const YAML_SPEC_KEY = /^["']?(openapi|swagger)["']?\s*:/m;
const JSON_SPEC_KEY = /"(openapi|swagger)"\s*:/;
/** File names that say nothing about the API: the folder names it instead. */
const GENERIC_NAMES = new Set(['openapi', 'swagger', 'spec', 'specification', 'api', 'index', 'main', 'definition']);

/**
 * One API per OpenAPI file below the root, named after the file (or its folder, for generic file
 * names). A spec that another spec `$ref`s is part of that spec, not an API of its own.
 */
export function readSpecsOnly(files: readonly string[], ctx: ReadContext): ServiceContent {
  const specs: OpenApiSpec[] = [];
  for (const file of files) {
    if (!/\.(ya?ml|json)$/i.test(file) || !looksLikeSpec(ctx, file)) continue;
    const spec = ctx.isolate(file, path.basename(file), () => ctx.readSpec(file, true));
    if (spec) specs.push(spec);
  }
  const referenced = new Set(specs.flatMap((spec) => spec.documents.filter((document) => document.file !== spec.file).map((document) => document.file)));
  const content = emptyContent();
  const names = new Set<string>();
  for (const spec of specs) {
    if (referenced.has(spec.file)) continue;
    const name = uniqueName(apiNameOf(spec.file), names);
    const rootSpan = spec.document.valueSpan([]) ?? { start: 0, end: spec.document.text.length };
    const api: ApiResource = {
      id: `apis/${name}`,
      name,
      displayName: spec.title,
      type: 'http',
      declaration: fileDeclaration(spec.file, rootSpan),
      spec,
      definitionFile: spec.file,
      operations: [],
      productNames: [],
    };
    api.operations = mergeOperations(api, []);
    content.apis.push(api);
  }
  return content;
}

/** A cheap look at the start of the file, so that a repository's other YAML and JSON is not parsed. */
function looksLikeSpec(ctx: ReadContext, file: string): boolean {
  const text = ctx.files.read(file).text;
  if (text === undefined) return false;
  const head = text.slice(0, SNIFF_CHARS);
  return file.toLowerCase().endsWith('.json') ? JSON_SPEC_KEY.test(head) : YAML_SPEC_KEY.test(head);
}

function apiNameOf(file: string): string {
  const base = path.basename(file).replace(/\.(ya?ml|json)$/i, '');
  const generic = GENERIC_NAMES.has(base.toLowerCase());
  const name = slugify(generic ? path.basename(path.dirname(file)) : base);
  return name || 'api';
}

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function uniqueName(name: string, taken: Set<string>): string {
  let unique = name;
  for (let suffix = 2; taken.has(unique); suffix++) unique = `${name}-${suffix}`;
  taken.add(unique);
  return unique;
}
