// A repository with OpenAPI files and nothing that says how APIM serves them: each spec is one API.
import { isDeepStrictEqual } from 'util';
import * as path from 'path';
import type { ApiResource, ApimService } from '../model';
import { declaresOpenApi, type OpenApiSpec } from '../spec/openapi';
import type { ReadContext } from './context';
import { fileDeclaration } from './declaration';
import { relativeOrSelf } from './files';
import { mergeOperations } from './operations';
import { emptyContent, type ServiceContent } from './resources';

/**
 * A key `openapi` or `swagger` at the start of a line or after `{` or `,`. Every OpenAPI document has
 * one at its top level, in YAML (block or flow) and in JSON, wherever it comes in the file (Twilio's
 * come after 8 KiB of components): files without one are not parsed, those with one are, and the
 * parse decides.
 */
const SPEC_KEY = /(?:^|[{,])[ \t]*["']?(?:openapi|swagger)["']?[ \t]*:/m;
const SPEC_EXTENSION = /\.(ya?ml|json)$/i;

/** A YAML or JSON file whose text may hold an OpenAPI document: the files worth parsing to find out. */
export function mayBeSpec(file: string, text: string): boolean {
  return SPEC_EXTENSION.test(file) && SPEC_KEY.test(text);
}

/** Path segments that say nothing about the API (slugified): names leave them out. */
const GENERIC_SEGMENTS: ReadonlySet<string> = new Set([
  'openapi', 'swagger', 'spec', 'specs', 'specification', 'specifications', 'api', 'apis',
  'definition', 'definitions', 'index', 'main', 'src', 'docs', 'yaml', 'json',
]);
/** Segments that tell a version of an API, not which API: `v1`, `v2beta1`, `2024-01-01-preview`, `stable`. */
const VERSION_SEGMENT = /^(?:v?\d+(?:-\d+)*(?:-?(?:alpha|beta|preview|rc)\d*)?|alpha|beta|preview|stable|latest|current)$/;

/** Nothing but specs says how APIM serves the APIs, so its defaults stand in for what no file says. */
const SPECS_ONLY_ASSUMPTIONS = [
  'No APIOps, Bicep or ARM file says how API Management serves these specs: each is taken for one API with APIM’s default, a subscription key required, so no operation is reported as unauthenticated, even where its spec declares no security.',
];

type SpecsOnlyContent = ServiceContent & Pick<ApimService, 'assumptions'>;

/**
 * One API per OpenAPI file below the root. A spec that another spec `$ref`s is part of that spec, not
 * an API of its own.
 */
export function readSpecsOnly(files: readonly string[], ctx: ReadContext): SpecsOnlyContent {
  const root = ctx.files.rootFolder;
  const specs: OpenApiSpec[] = [];
  /** Per spec's real path, the path it was read under: a symbolic link to a spec is not a second API. */
  const readAs = new Map<string, string>();
  for (const file of files) {
    if (!SPEC_EXTENSION.test(file) || !isSpec(ctx, file)) continue;
    const real = ctx.files.realPath(file);
    const first = 'real' in real ? readAs.get(real.real) : undefined;
    if (first !== undefined) {
      ctx.report([{ file, kind: 'skipped', message: `${relativeOrSelf(root, file)} is the same file as ${relativeOrSelf(root, first)} (through a symbolic link), already read as an API; it was not read twice.` }]);
      continue;
    }
    if ('real' in real) readAs.set(real.real, file);
    const spec = ctx.readSpec(file);
    if (spec) specs.push(spec);
  }
  const referenced = new Set(specs.flatMap((spec) => spec.documents.filter((document) => document.file !== spec.file).map((document) => document.file)));
  return specsContent(withoutCopies(specs.filter((spec) => !referenced.has(spec.file)), ctx), ctx);
}

/**
 * One spec kept as JSON and as YAML (Twilio's `json/x.json` and `yaml/x.yaml`) is one API: a spec with
 * the file name of one read before it in the other format, and the same title, version and paths, is
 * reported, not read again. Copies in one format may be deliberate (one per team or environment): kept.
 */
function withoutCopies(specs: readonly OpenApiSpec[], ctx: ReadContext): OpenApiSpec[] {
  const root = ctx.files.rootFolder;
  const kept: OpenApiSpec[] = [];
  const byIdentity = new Map<string, OpenApiSpec[]>();
  const isJson = (spec: OpenApiSpec) => /\.json$/i.test(spec.file);
  for (const spec of specs) {
    const value = spec.document.value as Record<string, unknown>;
    const info = value.info as Record<string, unknown> | undefined;
    const paths = typeof value.paths === 'object' && value.paths !== null ? Object.keys(value.paths).sort() : [];
    const identity = JSON.stringify([path.basename(spec.file).replace(SPEC_EXTENSION, '').toLowerCase(), spec.title, info?.version, paths]);
    const alike = byIdentity.get(identity) ?? [];
    const first = alike.find((candidate) => isJson(candidate) !== isJson(spec));
    if (!first) {
      byIdentity.set(identity, [...alike, spec]);
      kept.push(spec);
      continue;
    }
    const content = isDeepStrictEqual(first.document.value, spec.document.value) ? 'the same content' : 'the same title, version and paths (their content differs elsewhere)';
    ctx.report([{ file: spec.file, kind: 'skipped', message: `${relativeOrSelf(root, spec.file)} is a copy of ${relativeOrSelf(root, first.file)}, with ${content}: it is read once, as that API.` }]);
  }
  return kept;
}

/**
 * The one spec a user named (`apim-posture scan openapi.yaml`) as the one API, with what it `$ref`s:
 * read whatever it looks like, so that a file that is no spec says so.
 */
export function readNamedSpec(file: string, ctx: ReadContext): SpecsOnlyContent {
  const spec = ctx.readSpec(file);
  return specsContent(spec ? [spec] : [], ctx);
}

/** Whether `file` holds an OpenAPI document: one whose parsed top level has an `openapi` or `swagger` key. */
function isSpec(ctx: ReadContext, file: string): boolean {
  const read = ctx.files.read(file);
  if (read.problem) ctx.report([read.problem]);
  if (read.text === undefined || !SPEC_KEY.test(read.text)) return false;
  return declaresOpenApi(ctx.parseDocument(file)?.value);
}

function specsContent(specs: readonly OpenApiSpec[], ctx: ReadContext): SpecsOnlyContent {
  const content = emptyContent();
  const names = apiNames(ctx.files.rootFolder, specs.map((spec) => spec.file));
  specs.forEach((spec, index) => {
    const name = names[index];
    const rootSpan = spec.document.valueSpan([]) ?? { start: 0, end: spec.document.text.length };
    const api: ApiResource = {
      id: `apis/${name}`,
      name,
      displayName: spec.title,
      type: 'http',
      source: 'spec',
      declaration: fileDeclaration(spec.file, rootSpan),
      spec,
      definitionFile: spec.file,
      operations: [],
      productNames: [],
    };
    api.operations = mergeOperations(api, []);
    content.apis.push(api);
  });
  return { ...content, assumptions: specs.length > 0 ? SPECS_ONLY_ASSUMPTIONS : [] };
}

/**
 * API names from where the specs are, unique among them. A spec is named by its path below the root:
 * its folders and its file name (unless generic, like `openapi.yaml`), without generic segments
 * (`specs`, `api`). The name is the shortest end of that path that holds a segment other than a
 * version, so `team-a/payments/v1/openapi.yaml` is `payments-v1`, never `v1`. Specs whose names
 * collide take one more segment each until they differ (`team-a-payments-v1`, `team-b-payments-v1`);
 * those left alike when no segment is left are numbered (`payments-v1-2`). A path of versions only
 * starts with the root folder's name.
 */
export function apiNames(root: string, files: readonly string[]): string[] {
  const rootName = slugify(path.basename(root)) || 'api';
  const paths = files.map((file) => {
    const segments = path.relative(root, file).split(path.sep).map((segment) => slugify(segment.replace(SPEC_EXTENSION, '')));
    const telling = segments.filter((segment) => segment !== '' && !GENERIC_SEGMENTS.has(segment));
    return telling.some((segment) => !VERSION_SEGMENT.test(segment)) ? telling : [rootName, ...telling];
  });
  const lengths = paths.map(tellingLength);
  for (;;) {
    const names = paths.map((segments, index) => segments.slice(-lengths[index]).join('-'));
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    let extended = false;
    names.forEach((name, index) => {
      if (counts.get(name)! > 1 && lengths[index] < paths[index].length) {
        lengths[index]++;
        extended = true;
      }
    });
    if (!extended) {
      const taken = new Set<string>();
      return names.map((name) => uniqueName(name, taken));
    }
  }
}

/** How many segments at the end of a path it takes to hold one that is not a version. */
function tellingLength(segments: readonly string[]): number {
  let length = 1;
  while (length < segments.length && VERSION_SEGMENT.test(segments[segments.length - length])) length++;
  return length;
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
