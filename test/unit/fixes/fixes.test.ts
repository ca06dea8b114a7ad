// Quick fixes as before/after fixture pairs: test/fixtures/fixes/<case>/ holds before/ (a repository),
// after/ (the same repository as it must be once the fix is applied) and fix.json naming the fix.
// Applying must produce after/ byte for byte, leave files that read cleanly, and make the finding go away.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyTextEdits } from '../../../src/core/fixes/apply';
import { scan } from '../../../src/core/scan';

interface FixCase {
  rule: string;
  resource: string;
  fix: string;
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'fixes');

function filesBelow(root: string): string[] {
  return fs.readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('quick fixes (before → after)', () => {
  for (const caseName of fs.readdirSync(FIXTURES)) {
    it(caseName, () => {
      const folder = path.join(FIXTURES, caseName);
      const fixCase = JSON.parse(fs.readFileSync(path.join(folder, 'fix.json'), 'utf8')) as FixCase;
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-fix-'));
      try {
        fs.cpSync(path.join(folder, 'before'), work, { recursive: true });
        const finding = scan(work).findings.find((candidate) => candidate.ruleId === fixCase.rule && candidate.resource === fixCase.resource);
        assert.ok(finding, `no ${fixCase.rule} finding on ${fixCase.resource} before the fix`);
        const fix = finding.fixes.find((candidate) => candidate.id === fixCase.fix);
        assert.ok(fix, `fix ${fixCase.fix} not offered; offered: ${finding.fixes.map((candidate) => candidate.id).join(', ')}`);
        for (const fileEdit of fix.edits) {
          const before = fileEdit.create ? '' : fs.readFileSync(fileEdit.file, 'utf8');
          assert.ok(!fileEdit.create || !fs.existsSync(fileEdit.file), `${fileEdit.file} would be overwritten by a create`);
          fs.mkdirSync(path.dirname(fileEdit.file), { recursive: true });
          fs.writeFileSync(fileEdit.file, applyTextEdits(before, fileEdit.edits));
        }

        const expectedFolder = path.join(folder, 'after');
        assert.deepStrictEqual(filesBelow(work), filesBelow(expectedFolder));
        for (const file of filesBelow(expectedFolder)) {
          assert.strictEqual(fs.readFileSync(path.join(work, file), 'utf8'), fs.readFileSync(path.join(expectedFolder, file), 'utf8'), `${file} differs from after/`);
          // A policy inserted into a JSON string (an ARM template) must leave valid JSON.
          if (file.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(fs.readFileSync(path.join(work, file), 'utf8')), `${file} is no longer valid JSON`);
        }

        const rescan = scan(work);
        assert.deepStrictEqual(rescan.findings.filter((candidate) => candidate.ruleId === 'input-problem').map((candidate) => candidate.message), []);
        assert.ok(!rescan.findings.some((candidate) => candidate.id === finding.id), 'the finding is still reported after the fix');
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
    });
  }
});
