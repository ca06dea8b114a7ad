// Which folder a file is in, as the editor and the language server decide it for a workspace folder:
// by the platform's path rules, so that Windows paths (drive letters, backslashes, case) work too.
import * as assert from 'assert';
import * as path from 'path';
import { isInside } from '../../../src/core/workspace/files';

describe('isInside', () => {
  it('takes a file below a Windows folder for inside it, whatever the case of its drive and folders', () => {
    assert.ok(isInside('C:\\repos\\api', 'C:\\repos\\api\\apis\\orders\\policy.xml', path.win32));
    assert.ok(isInside('c:\\Repos\\API', 'C:\\repos\\api\\policy.xml', path.win32));
    assert.ok(isInside('C:\\repos\\api', 'C:\\repos\\api', path.win32));
  });

  it('keeps a sibling with the same prefix, another drive and a parent outside', () => {
    assert.ok(!isInside('C:\\repos\\api', 'C:\\repos\\api-v2\\policy.xml', path.win32));
    assert.ok(!isInside('C:\\repos\\api', 'D:\\repos\\api\\policy.xml', path.win32));
    assert.ok(!isInside('C:\\repos\\api', 'C:\\repos', path.win32));
    assert.ok(!isInside('/repos/api', '/repos/api-v2/policy.xml', path.posix));
    assert.ok(isInside('/repos/api', '/repos/api/..foo/policy.xml', path.posix));
  });
});
