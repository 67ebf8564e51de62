import { X509Certificate, createVerify, type KeyObject } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMerchantCertificate } from '../../src/infrastructure/wechat/merchantCertificate.js';
import { sandboxCertificateFiles } from '../../src/sandbox/sandboxCertificates.js';
import {
  ensureSandboxCredentials,
  type SandboxCredentials,
} from '../../src/sandbox/sandboxCredentials.js';
import { sandboxIdentityFile } from '../../src/sandbox/sandboxIdentity.js';
import { sandboxV3Files } from '../../src/sandbox/sandboxV3Keys.js';
import { makeTempDir } from '../support/fixtures.js';

const temp = makeTempDir('sandbox-credentials-');
afterAll(() => temp.remove());
let dirs = 0;
const freshDir = (): string => path.join(temp.dir, `certs-${(dirs += 1)}`);

// Made once: each test starts from a copy of the pristine set; `other` is a second generation for
// the same merchant, as a second process would have written it.
const pristine = freshDir();
const other = freshDir();
let original: SandboxCredentials;
beforeAll(async () => {
  original = await ensureSandboxCredentials(pristine);
  mkdirSync(other);
  copyFileSync(path.join(pristine, sandboxIdentityFile), path.join(other, sandboxIdentityFile));
  await ensureSandboxCredentials(other);
});

/** A cert dir holding a copy of the pristine set. */
const copyOfSet = (): string => {
  const certDir = freshDir();
  cpSync(pristine, certDir, { recursive: true });
  return certDir;
};

/** Mutual TLS with the set, as the sandbox and a merchant client loading the .p12 do it. */
const handshake = async ({ identity, certificates }: SandboxCredentials): Promise<void> => {
  const merchant = loadMerchantCertificate({ p12Path: certificates.p12Path }, identity.mchId);
  const clientSeen = new Promise<string>((resolve, reject) => {
    const server = tls.createServer(
      {
        key: certificates.serverKeyPem,
        cert: certificates.serverCertPem,
        ca: certificates.caPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (socket) => {
        resolve(String(socket.getPeerCertificate().subject.CN));
        socket.end();
        server.close();
      },
    );
    server.on('tlsClientError', reject);
    server.listen(0, '127.0.0.1', () => {
      const client = tls.connect({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        servername: 'localhost',
        ca: readFileSync(certificates.caPath),
        cert: merchant.certPem,
        key: merchant.keyPem,
      });
      client.on('error', reject);
      client.on('data', () => undefined);
    });
  });
  expect(await clientSeen).toBe(identity.mchId);
};

const verifies = (signature: string, key: KeyObject | string): boolean =>
  createVerify('RSA-SHA256').update('message', 'utf8').verify(key, signature, 'base64');

/** The v3 keys sign what their public halves (the files a client is given) verify. */
const expectV3KeysPair = ({ v3Keys }: SandboxCredentials): void => {
  expect(
    verifies(v3Keys.publicKey.sign('message'), readFileSync(v3Keys.publicKeyPath, 'utf8')),
  ).toBe(true);
  expect(
    verifies(
      v3Keys.platformCertificate.sign('message'),
      new X509Certificate(v3Keys.platformCertificate.pem).publicKey,
    ),
  ).toBe(true);
};

/** The PEM pair in the dir is the .p12's, as a client configured with either loads it. */
const expectSameClientInPem = ({ identity, certificates }: SandboxCredentials): void => {
  const certDir = path.dirname(certificates.p12Path);
  const fromPem = loadMerchantCertificate(
    {
      certPemPath: path.join(certDir, sandboxCertificateFiles.clientCert),
      keyPemPath: path.join(certDir, sandboxCertificateFiles.clientKey),
    },
    identity.mchId,
  );
  const fromP12 = loadMerchantCertificate({ p12Path: certificates.p12Path }, identity.mchId);
  expect(new X509Certificate(fromPem.certPem).fingerprint256).toBe(
    new X509Certificate(fromP12.certPem).fingerprint256,
  );
};

const expectWorkingSet = async (credentials: SandboxCredentials): Promise<void> => {
  await handshake(credentials);
  expectSameClientInPem(credentials);
  expectV3KeysPair(credentials);
};

const setFiles = [
  sandboxIdentityFile,
  ...Object.values(sandboxCertificateFiles),
  ...Object.values(sandboxV3Files),
];

const contentsOf = (certDir: string): Record<string, string> =>
  Object.fromEntries(
    setFiles.map((name) => [name, readFileSync(path.join(certDir, name)).toString('base64')]),
  );

describe('the sandbox credentials in a cert dir', () => {
  it('given a whole set, when ensured again, then every file is reused as it is', async () => {
    const certDir = copyOfSet();
    const before = contentsOf(certDir);
    const again = await ensureSandboxCredentials(certDir);
    expect(contentsOf(certDir)).toEqual(before);
    expect(again.identity).toEqual(original.identity);
    await expectWorkingSet(again);
  });

  // A process killed in the middle of writing (the SIGKILL tests) left such files behind with the
  // former plain writes, and the set was reused as it was.
  it.each([
    sandboxIdentityFile,
    sandboxCertificateFiles.ca,
    sandboxCertificateFiles.clientKey,
    sandboxCertificateFiles.p12,
    sandboxV3Files.platformCertificate,
    sandboxV3Files.publicKeySigningKey,
  ])('given %s cut short, when ensured, then a new set is made and it works', async (name) => {
    const certDir = copyOfSet();
    const file = path.join(certDir, name);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const again = await ensureSandboxCredentials(certDir);
    expect(readFileSync(file).equals(whole)).toBe(false);
    await expectWorkingSet(again);
    if (name === sandboxIdentityFile)
      expect(again.identity.mchId).not.toBe(original.identity.mchId);
  });

  it('given an empty .p12 (a writer killed between creating and writing it), when ensured, then a new set is made', async () => {
    const certDir = copyOfSet();
    writeFileSync(path.join(certDir, sandboxCertificateFiles.p12), '');
    const again = await ensureSandboxCredentials(certDir);
    expect(again.certificates.caPem).not.toBe(original.certificates.caPem);
    await expectWorkingSet(again);
  });

  // Two processes generating into one dir at once interleave their files: each file is whole, the
  // set is not. Such a mix answered TLS with CERT_SIGNATURE_FAILURE until the dir was deleted.
  it.each([
    [
      'the server certificate and key',
      [sandboxCertificateFiles.serverCert, sandboxCertificateFiles.serverKey],
    ],
    [
      'the client certificate and key',
      [sandboxCertificateFiles.clientCert, sandboxCertificateFiles.clientKey],
    ],
    ['the .p12', [sandboxCertificateFiles.p12]],
    ['the platform certificate', [sandboxV3Files.platformCertificate]],
    ['the public key', [sandboxV3Files.publicKey]],
  ])(
    'given %s from another generation, when ensured, then a new set is made and it works',
    async (_what, names) => {
      const certDir = copyOfSet();
      for (const name of names) copyFileSync(path.join(other, name), path.join(certDir, name));
      const again = await ensureSandboxCredentials(certDir);
      expect(again.identity).toEqual(original.identity);
      for (const name of names) {
        expect(readFileSync(path.join(certDir, name))).not.toEqual(
          readFileSync(path.join(other, name)),
        );
      }
      await expectWorkingSet(again);
    },
  );

  it('given a set made for another mch_id, when sandbox.json names a new one, then the certificates are made for it', async () => {
    const certDir = copyOfSet();
    writeFileSync(path.join(certDir, sandboxIdentityFile), '{}');
    const again = await ensureSandboxCredentials(certDir);
    expect(again.identity.mchId).not.toBe(original.identity.mchId);
    await expectWorkingSet(again);
  });
});
