// A self-signed certificate for 127.0.0.1, made at test time with the openssl CLI: the SDK's bearer
// policy refuses plain http, so the ARM emulator must speak HTTPS, and nothing secret is checked in.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export interface TestCertificate {
  key: string;
  cert: string;
}

let cached: TestCertificate | undefined;

export function testCertificate(): TestCertificate {
  if (cached) return cached;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'apim-posture-cert-'));
  try {
    const keyFile = path.join(folder, 'key.pem');
    const certFile = path.join(folder, 'cert.pem');
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
        { stdio: 'pipe' },
      );
    } catch (error) {
      throw new Error(`The ARM emulator needs the openssl CLI to make its test certificate (Debian: apt-get install openssl): ${(error as Error).message}`);
    }
    cached = { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8') };
    return cached;
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
