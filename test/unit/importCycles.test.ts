// No module under src/ takes part in an import cycle at run time: with one, a module can see another
// half loaded (an undefined export) depending on which is imported first. Type-only imports are erased
// by the compiler and do not count.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const SRC = path.join(__dirname, '..', '..', 'src');

function sourceFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Whether an import or export statement is erased from the JavaScript (`import type`, or only `type` names). */
function typeOnly(statement: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(statement)) {
    return statement.isTypeOnly || (statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause) && statement.exportClause.elements.every((element) => element.isTypeOnly));
  }
  const clause = statement.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/** The modules under src/ a file imports at run time. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const imported: string[] = [];
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || typeOnly(statement)) continue;
    const specifier = (statement.moduleSpecifier as ts.StringLiteral).text;
    if (!specifier.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), specifier);
    const resolved = [`${target}.ts`, path.join(target, 'index.ts')].find((candidate) => fs.existsSync(candidate));
    if (resolved?.startsWith(SRC + path.sep)) imported.push(resolved);
  }
  return imported;
}

/** Each cycle once, as the chain of files from its first module back to it. */
function cycles(graph: ReadonlyMap<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string) => {
    const at = onPath.indexOf(file);
    if (at >= 0) return void found.push([...onPath.slice(at), file]);
    if (done.has(file)) return;
    onPath.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    onPath.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('imports under src/', () => {
  it('form no cycle at run time', () => {
    const graph = new Map(sourceFiles(SRC).map((file) => [file, runtimeImports(file)]));
    assert.ok(graph.size > 100, 'the walk found the sources');
    const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');
    assert.deepStrictEqual(cycles(graph).map((cycle) => cycle.map(relative).join(' → ')), []);
  });

  it('would see the cycle load.ts ↔ policies.ts had', () => {
    const graph = new Map([
      ['load.ts', ['policies.ts']],
      ['policies.ts', ['load.ts']],
      ['arm.ts', []],
    ]);
    assert.deepStrictEqual(cycles(graph), [['load.ts', 'policies.ts', 'load.ts']]);
  });
});
