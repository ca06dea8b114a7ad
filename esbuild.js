// Bundles the extension, its language server and the server's engine worker, the CLI and the benchmark;
// each entry is self-contained (no node_modules at run time), but for what the CLI loads only on demand,
// bundled beside it (dist/azureModules.js, dist/re2js.js, dist/ajv.js).
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // jsonc-parser's UMD entry hides its requires from the bundler; its ES module entry does not.
  mainFields: ['module', 'main'],
};

/**
 * What the CLI requires only on demand stays a require of a file beside it, bundled on its own: a scan
 * then neither reads nor compiles it. `./azureModules` is the Azure SDK (most of the CLI's code, for
 * `snapshot export`), re2js runs a team's own patterns, ajv checks a snapshot's schema.
 */
const CLI_MODULES_APART = { './azureModules': 'src/cli/azureModules.ts', re2js: 're2js', ajv: 'ajv' };
const cliModulesApart = {
  name: 'cli-modules-apart',
  setup(build) {
    build.onResolve({ filter: /^(\.\/azureModules|re2js|ajv)$/ }, (args) => ({ path: `./${path.basename(args.path)}.js`, external: true }));
  },
};

async function main() {
  await Promise.all([
    esbuild.build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
    esbuild.build({ ...common, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' }),
    esbuild.build({ ...common, entryPoints: ['src/server/engine.ts'], outfile: 'dist/engine.js' }),
    esbuild.build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [cliModulesApart] }),
    ...Object.entries(CLI_MODULES_APART).map(([name, entry]) => esbuild.build({ ...common, entryPoints: [entry], outfile: `dist/${path.basename(name)}.js` })),
    esbuild.build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }),
  ]);
  // The Posture dashboard's icons: VS Code's codicon font, shipped in the .vsix and loaded by the webview from it.
  const codicons = path.join(path.dirname(require.resolve('@vscode/codicons/package.json')), 'dist');
  fs.mkdirSync('dist/codicons', { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(codicons, file), path.join('dist/codicons', file));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
