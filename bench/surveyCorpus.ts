// The corpus survey of docs/corpus.md: scans each folder given (a checked-out public repository) and
// prints what was read, what was found, and which APIM-looking files were not read and why, as JSON.
// Run with `npx tsx bench/surveyCorpus.ts <folder>...`; the repositories themselves are not committed.
import * as fs from 'fs';
import * as path from 'path';
import { apimFileKind } from '../src/core/coverage';
import { createDocumentReader, type DocumentReader } from '../src/core/parse/index';
import { scan } from '../src/core/scan';
import { FileReader } from '../src/core/workspace/files';

/**
 * What makes a file look APIM-relevant: coverage's own check (src/core/coverage.ts), and on top of it
 * a deliberately wider net judged by name and text, so that the survey also sees what coverage would
 * not count: parameter files, templates without an ARM header, specs coverage's parse rejects.
 */
function looksApimRelevant(file: string, text: string, documents: DocumentReader): string | undefined {
  const kind = apimFileKind(file, text, documents);
  if (kind) return kind;
  const name = path.basename(file).toLowerCase();
  if (name.endsWith('.tfvars') && /api_?management|apim/i.test(text)) return 'terraform values';
  if (name.endsWith('.bicepparam')) return 'bicep parameters';
  if (name.endsWith('.bicep') && text.includes('Microsoft.ApiManagement/')) return 'bicep';
  if (name.endsWith('.xml') && /<policies[\s>]|<fragment[\s>]/.test(text)) return 'policy';
  if (name.endsWith('.json') && text.includes('"Microsoft.ApiManagement/service')) return 'apim json';
  if (/\.(ya?ml|json)$/.test(name) && /^\s*["']?(openapi|swagger)["']?\s*:/m.test(text.slice(0, 4096))) return 'spec';
  return undefined;
}

const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);

function listFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) walk(full);
      else if (entry.isFile()) found.push(full);
    }
  };
  walk(root);
  return found;
}

function count<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function survey(root: string): unknown {
  const absoluteRoot = path.resolve(root);
  const files = new FileReader(absoluteRoot);
  const documents = createDocumentReader(files);
  const started = performance.now();
  const result = scan(absoluteRoot);
  const wallMs = performance.now() - started;
  // Every service of the repository (several APIOps roots are several services) as one for the survey.
  const service = {
    layout: [...new Set(result.services.map((each) => each.layout))].join('+'),
    policy: result.services.find((each) => each.policy)?.policy,
    filesRead: result.services.flatMap((each) => each.filesRead),
    problems: result.services.flatMap((each) => each.problems),
    apis: result.services.flatMap((each) => each.apis),
    products: result.services.flatMap((each) => each.products),
    subscriptions: result.services.flatMap((each) => each.subscriptions),
    backends: result.services.flatMap((each) => each.backends),
    namedValues: result.services.flatMap((each) => each.namedValues),
  };
  const read = new Set(service.filesRead.map((file) => path.resolve(absoluteRoot, file)));
  // Coverage's reason first: it is what the user sees; else a problem on the file or a skipped folder above it.
  const listedNotRead = new Map(result.coverage.notRead.map((entry) => [path.resolve(absoluteRoot, entry.file), entry.kind]));
  const problemsByFile = new Map<string, string>();
  for (const problem of service.problems) problemsByFile.set(path.resolve(absoluteRoot, problem.file), problem.kind);
  const skippedFolders = service.problems.filter((problem) => problem.kind === 'skipped').map((problem) => path.resolve(absoluteRoot, problem.file));

  const notRead: { file: string; looksLike: string; reason: string }[] = [];
  let relevant = 0;
  for (const file of listFiles(absoluteRoot)) {
    const text = files.read(file).text;
    const looksLike = text === undefined ? (listedNotRead.has(file) ? 'unreadable' : undefined) : looksApimRelevant(file, text, documents);
    if (!looksLike) continue;
    relevant++;
    if (read.has(file)) continue;
    const skippedBy = skippedFolders.find((folder) => file.startsWith(folder + path.sep));
    const reason = listedNotRead.get(file) ?? problemsByFile.get(file) ?? (skippedBy ? `skipped folder ${path.relative(absoluteRoot, skippedBy)}` : 'none given');
    notRead.push({ file: path.relative(absoluteRoot, file), looksLike, reason });
  }

  const policies =
    (service.policy ? 1 : 0) +
    service.apis.reduce((sum, api) => sum + (api.policy ? 1 : 0) + api.operations.filter((operation) => operation.policy).length, 0) +
    service.products.filter((product) => product.policy).length;
  const findings = result.findings.filter((finding) => finding.ruleId !== 'input-problem');
  return {
    repository: path.basename(absoluteRoot),
    layout: service.layout,
    wallMs: Math.round(wallMs),
    filesRead: service.filesRead.length,
    apis: service.apis.length,
    apisWithSpec: service.apis.filter((api) => api.spec).length,
    operations: service.apis.reduce((sum, api) => sum + api.operations.length, 0),
    policies,
    products: service.products.length,
    subscriptions: service.subscriptions.length,
    backends: service.backends.length,
    namedValues: service.namedValues.length,
    findings: findings.length,
    findingsByRule: count(findings, (finding) => finding.ruleId),
    problemsByKind: count(service.problems, (problem) => problem.kind),
    relevantFiles: relevant,
    notReadByReason: count(notRead, (entry) => `${entry.looksLike}: ${entry.reason}`),
    notRead: notRead.slice(0, 40),
  };
}

for (const folder of process.argv.slice(2)) console.log(JSON.stringify(survey(folder)));
