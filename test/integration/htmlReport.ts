// The HTML report (`scan --format html`) of the sample, with the goals of the README, opened from disk in
// headless Chromium with JavaScript off: it must fetch nothing, break no rule of its own
// Content-Security-Policy, show every section, and keep its details reachable by keyboard. Saves the
// top of the page as test-results/html-report.png (light) and html-report-dark.png. A static page: no code-server.
//
//   npx tsx test/integration/htmlReport.ts
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Writable } from 'stream';
import { chromium, type Browser } from 'playwright-core';
import { run } from '../../src/cli/main';
import { printSummary, ROOT, runAsMain, type Check } from './build';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RESULTS_DIR = path.join(ROOT, 'test-results');

/** The goals of the README's "Posture goals" section. */
const README_GOALS = {
  goals: [
    { id: 'all-authenticated', title: 'Every operation requires authentication', metric: 'authenticated-operations', target: { min: 1.0 }, blocking: true },
    { id: 'sensitive-needs-tokens', title: 'APIs with high-sensitivity data use token auth and https only', select: { sensitivity: 'high' }, require: ['token-authentication', 'https-only', 'no-sensitive-data-in-url'] },
    { id: 'max-risk', metric: 'api-risk', target: { max: 70 } },
    { id: 'no-all-apis-keys', metric: 'findings', rule: 'subscription-all-apis', target: { max: 0 } },
    { id: 'high-within-30-days', metric: 'finding-age-days', severity: 'high', target: { max: 30 } },
  ],
};

/** Writes the sample's HTML report with the README's goals into `folder`; returns its path. */
function writeSampleReport(folder: string): string {
  const sample = path.join(folder, 'samples');
  fs.cpSync(path.join(ROOT, 'samples'), sample, { recursive: true });
  fs.writeFileSync(path.join(sample, '.apim-posture.json'), JSON.stringify(README_GOALS, null, 2));
  const file = path.join(folder, 'report.html');
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  run(['scan', sample, '--format', 'html', '--output', file, '--fail-on', 'none'], { out: quiet, err: quiet });
  return file;
}

export async function checkHtmlReport(browser: Browser): Promise<Check[]> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-html-'));
  const checks: Check[] = [];
  const check = async (title: string, body: () => Promise<void>) => {
    const started = Date.now();
    try {
      await body();
      checks.push({ title, state: 'passed', durationMs: Date.now() - started });
    } catch (error) {
      checks.push({ title, state: 'failed', durationMs: Date.now() - started, error: (error as Error).stack ?? String(error) });
    }
  };
  try {
    const file = writeSampleReport(folder);
    const url = `file://${file}`;
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      await check(`html report (${colorScheme}): fetches nothing, breaks no CSP rule, shows every section, details open by keyboard`, async () => {
        const context = await browser.newContext({ javaScriptEnabled: false, colorScheme, viewport: { width: 1200, height: 2150 } });
        try {
          const page = await context.newPage();
          const requests: string[] = [];
          const violations: string[] = [];
          page.on('request', (request) => requests.push(request.url()));
          page.on('console', (message) => {
            if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
          });
          await page.goto(url);
          assert.deepStrictEqual(requests, [url], 'the page requested something besides itself');
          const titles = await page.locator('h2').allTextContents();
          for (const section of ['Goals', 'Coverage', 'Exposure', 'Trend', 'Fix first', 'Findings', 'Drift']) assert.ok(titles.some((title) => title.startsWith(section)), `no "${section}" section in ${titles.join(', ')}`);
          // The stylesheet applied: its hash is in the policy (the page's background is the theme's, not the default).
          const background = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
          assert.strictEqual(background, colorScheme === 'dark' ? 'rgb(13, 17, 23)' : 'rgb(255, 255, 255)');
          // The top of the page (summary, goals, coverage, the heat map): the README shows it.
          await page.screenshot({ path: path.join(RESULTS_DIR, colorScheme === 'light' ? 'html-report.png' : 'html-report-dark.png') });
          // Keyboard: the first rule group of the findings opens with Enter.
          const group = page.locator('#findings details').first();
          await group.locator('summary').focus();
          await page.keyboard.press('Enter');
          assert.strictEqual(await group.getAttribute('open'), '');
          assert.deepStrictEqual(violations, [], 'CSP violations');
        } finally {
          await context.close();
        }
      });
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
  return checks;
}

if (require.main === module) {
  runAsMain(async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-dev-shm-usage'], headless: true });
    try {
      return printSummary(await checkHtmlReport(browser)) > 0 ? 1 : 0;
    } finally {
      await browser.close();
    }
  });
}
