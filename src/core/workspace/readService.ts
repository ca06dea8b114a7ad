import * as path from 'path';
import type { ApimService, RepositoryLayout } from '../model';
import { createDocumentReader, type DocumentReader } from '../parse/index';
import { filesInRoot, findApiopsRoots, readApiops } from './apiops';
import { readArmTemplates } from './armTemplate';
import { readBicep } from './bicep';
import { ReadContext, type KeptApis } from './context';
import type { TimeBudget } from '../limits';
import type { ParseCache } from '../parse/cache';
import { FileReader, listFiles, relativeOrSelf, type FileListing } from './files';
import type { InputProblem } from '../problems';
import { LineIndex } from '../text';
import { emptyContent, linkProducts, mergeContent, type Collision, type Place, type ServiceContent } from './resources';
import { readNamedSpec, readSpecsOnly } from './specsOnly';
import { readTerraform } from './terraform';
import { readDeclaredApps } from './declaredApps';
import { readHostedCode } from './hosted/readHosted';

export interface ReadServiceOptions {
  /** Reads files (with the editor's unsaved buffers); a fresh disk reader by default. */
  files?: FileReader;
  /** Parses JSON/YAML; share one with spec loading elsewhere to parse each file once. */
  documents?: DocumentReader;
  /** Paths relative to the root, `/`-separated; folders end with `/`. */
  isExcluded?: (relativePath: string) => boolean;
  /** Parses kept from an earlier scan (the editor's): policies whose text did not change are not parsed again. */
  parseCache?: ParseCache;
  /** When reading must stop (the editor's budget per analysis); the rest is reported as not read. */
  budget?: TimeBudget;
  /** Read only this OpenAPI file below the root, and what it `$ref`s, as the one API (`apim-posture scan openapi.yaml`). */
  spec?: string;
  /** The files below the root, when the caller listed them already (the scan keeps the listing for coverage). */
  listing?: FileListing;
  /** APIs of APIOps roots that an earlier scan read, taken as they were when their files read the same (the editor's re-analysis). */
  keptApis?: KeptApis;
}

/**
 * The API Management service the repository at `root` declares: the outermost APIOps root
 * (extractor or apiops-cli layout, anywhere below `root`), plus the APIs of `.bicep` files that it
 * does not have; else the Bicep resources; else one API per OpenAPI file. Never throws: what could
 * not be read is in `problems`.
 */
export function readService(root: string, options: ReadServiceOptions = {}): ApimService {
  return readServicesFrom(root, options, true)[0];
}

/** Like `readService`, with one service per APIOps root (a repository may keep several instances). */
export function readServices(root: string, options: ReadServiceOptions = {}): ApimService[] {
  return readServicesFrom(root, options, false);
}

function readServicesFrom(root: string, options: ReadServiceOptions, firstOnly: boolean): ApimService[] {
  const absoluteRoot = path.resolve(root);
  const files = options.files ?? new FileReader(absoluteRoot);
  const documents = options.documents ?? createDocumentReader(files);
  if (options.spec !== undefined) {
    const ctx = new ReadContext(files, documents, options.parseCache, options.budget);
    return [toService(absoluteRoot, 'specs-only', readNamedSpec(path.resolve(options.spec), ctx), ctx)];
  }
  const listing = options.listing ?? listFiles(files, options.isExcluded);
  const allFiles = listing.files;
  const apiopsRoots = findApiopsRoots(absoluteRoot, allFiles);
  const services: ApimService[] = [];

  for (const apiopsRoot of firstOnly ? apiopsRoots.slice(0, 1) : apiopsRoots) {
    const ctx = new ReadContext(files, documents, options.parseCache, options.budget, options.keptApis);
    if (services.length === 0) ctx.report(listing.problems);
    const inRoot = filesInRoot(apiopsRoot, allFiles);
    const { layout, content } = readApiops(apiopsRoot, inRoot, ctx);
    // Infrastructure code next to an APIOps export adds what the export lacks; read it once, into the first service.
    if (services.length === 0) {
      mergeContent(content, readInfrastructure(allFiles, ctx).content);
      Object.assign(content, readHosted(allFiles, ctx));
    }
    services.push(toService(apiopsRoot, layout, { declaredApps: services[0]?.declaredApps, ...content }, ctx));
  }
  if (services.length > 0) return services;

  const ctx = new ReadContext(files, documents, options.parseCache, options.budget);
  ctx.report(listing.problems);
  const infrastructure = readInfrastructure(allFiles, ctx);
  const hosted = readHosted(allFiles, ctx);
  if (infrastructure.content.apis.length > 0) return [toService(absoluteRoot, infrastructure.layout, { ...infrastructure.content, ...hosted }, ctx)];
  const specs = readSpecsOnly(allFiles, ctx);
  return [toService(absoluteRoot, 'specs-only', { ...specs, ...hosted, assumptions: [...specs.assumptions, ...(hosted.assumptions ?? [])] }, ctx)];
}

/**
 * What the infrastructure code declares that a backend may be (read once, shared by every service), and
 * the Function Apps and Logic Apps whose code the repository holds, for the one service that carries them.
 */
function readHosted(files: readonly string[], ctx: ReadContext): Partial<Pick<ApimService, 'hosted' | 'assumptions' | 'declaredApps'>> {
  const declaredApps = readDeclaredApps(files, ctx);
  const read = readHostedCode(files, declaredApps, ctx);
  return { declaredApps, ...(read && { hosted: read.hosted, ...(read.assumptions.length > 0 && { assumptions: read.assumptions }) }) };
}

/**
 * The readers of infrastructure code, each turning its format into the same declared resources.
 * What they declare together is one service; the layout is the first format that declares an API.
 */
const INFRASTRUCTURE_READERS: readonly { layout: RepositoryLayout; read: (files: readonly string[], ctx: ReadContext) => ServiceContent }[] = [
  { layout: 'bicep', read: readBicep },
  { layout: 'terraform', read: readTerraform },
  { layout: 'arm', read: readArmTemplates },
];

function readInfrastructure(files: readonly string[], ctx: ReadContext): { layout: RepositoryLayout; content: ServiceContent } {
  const content = emptyContent();
  let layout: RepositoryLayout | undefined;
  for (const reader of INFRASTRUCTURE_READERS) {
    const read = reader.read(files, ctx);
    if (read.apis.length > 0) layout ??= reader.layout;
    reportCollisions(mergeContent(content, read), ctx);
  }
  return { layout: layout ?? 'bicep', content };
}

/**
 * Two kinds of infrastructure code that declare the same resource (a repository keeping one scenario
 * in Bicep and in Terraform) describe two deployments the model cannot tell apart: the first is
 * analysed, and both places say so.
 */
function reportCollisions(collisions: readonly Collision[], ctx: ReadContext): void {
  const where = (place: Place) => {
    const text = place.span && ctx.files.read(place.file).text;
    const line = text ? `:${new LineIndex(text).positionAt(place.span!.start).line + 1}` : '';
    return `${relativeOrSelf(ctx.files.rootFolder, place.file)}${line}`;
  };
  for (const { id, kept, dropped } of collisions) {
    if (!kept || !dropped) continue;
    const problems: InputProblem[] = [
      { file: kept.file, span: kept.span, kind: 'duplicate-declaration', message: `${id} is declared here and in ${where(dropped)}, by another kind of infrastructure code: this declaration is analysed, that one is not.` },
      { file: dropped.file, span: dropped.span, kind: 'duplicate-declaration', message: `${id} is declared here and in ${where(kept)}, by another kind of infrastructure code: that declaration is analysed, this one is not.` },
    ];
    ctx.report(problems);
  }
}

function toService(root: string, layout: RepositoryLayout, content: ServiceContent & Partial<Pick<ApimService, 'assumptions' | 'hosted' | 'declaredApps'>>, ctx: ReadContext): ApimService {
  linkProducts(content);
  return { root, layout, assumptions: [], ...content, problems: ctx.problems, filesRead: ctx.filesRead };
}
