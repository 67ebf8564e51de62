/**
 * Takes the cert dir's lock, says so on stdout and holds it until killed: a sandbox start killed
 * while it generates its certificates.
 */
import { withCertDirLock } from '../../../src/sandbox/certDirLock.js';

const certDir = process.argv[2];
if (certDir === undefined) throw new Error('usage: holdCertDirLock.ts CERT_DIR');
await withCertDirLock(certDir, async () => {
  process.stdout.write('locked\n');
  await new Promise(() => undefined);
});
