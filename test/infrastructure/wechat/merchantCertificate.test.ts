import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMerchantCertificate } from '../../../src/infrastructure/wechat/merchantCertificate.js';
import { MerchantCertificateError } from '../../../src/infrastructure/wechat/merchantCertificateError.js';
import { ensureSandboxCertificates } from '../../../src/sandbox/sandboxCertificates.js';
import { ensureSandboxIdentity } from '../../../src/sandbox/sandboxIdentity.js';
import { makeTempDir } from '../../support/fixtures.js';

const temp = makeTempDir('wechat-cert-');
const certDir = path.join(temp.dir, 'certs');
const otherDir = path.join(temp.dir, 'other');
let mchId: string;
let p12Path: string;
let certPemPath: string;
let keyPemPath: string;

beforeAll(() => {
  mchId = ensureSandboxIdentity(certDir).mchId;
  p12Path = ensureSandboxCertificates(certDir, mchId).p12Path;
  certPemPath = path.join(certDir, 'apiclient_cert.pem');
  keyPemPath = path.join(certDir, 'apiclient_key.pem');
});
afterAll(() => temp.remove());

const failure = (run: () => unknown): MerchantCertificateError => {
  try {
    run();
  } catch (error) {
    if (error instanceof MerchantCertificateError) return error;
    throw error;
  }
  throw new Error('expected a MerchantCertificateError');
};

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('merchant certificate', () => {
  it("given WeChat's legacy .p12, when Node's own TLS loads it, then OpenSSL 3 refuses it", () => {
    expect(() =>
      tls.createSecureContext({ pfx: readFileSync(p12Path), passphrase: mchId }),
    ).toThrow(/Unsupported PKCS12 PFX data/);
  });

  it.skipIf(!hasOpenssl)(
    'given the generated .p12, when openssl inspects it, then it is RC2-40 / 3DES like WeChat’s',
    () => {
      const info = spawnSync(
        'openssl',
        ['pkcs12', '-info', '-legacy', '-noout', '-in', p12Path, '-passin', `pass:${mchId}`],
        { encoding: 'utf8' },
      );
      const report = `${info.stdout}${info.stderr}`;
      expect(report).toContain('pbeWithSHA1And40BitRC2-CBC');
      expect(report).toContain('pbeWithSHA1And3-KeyTripleDES-CBC');
      expect(report).toMatch(/MAC: sha1/);
    },
  );

  it('given the legacy .p12 and no password, when loaded, then the mch_id opens it and TLS accepts the pair', () => {
    const certificate = loadMerchantCertificate({ p12Path }, mchId);
    expect(certificate.certPem).toBe(readFileSync(certPemPath, 'utf8'));
    expect(() =>
      tls.createSecureContext({ cert: certificate.certPem, key: certificate.keyPem }),
    ).not.toThrow();
  });

  it('given the PEM pair, when loaded, then it gives the same certificate', () => {
    const certificate = loadMerchantCertificate({ certPemPath, keyPemPath }, mchId);
    expect(certificate.certPem).toBe(readFileSync(certPemPath, 'utf8'));
  });

  it('given a wrong password, when loaded, then CERT_BAD_PASSWORD without the password', () => {
    const error = failure(() =>
      loadMerchantCertificate({ p12Path, password: 'not-the-secret-3141' }, mchId),
    );
    expect(error.code).toBe('CERT_BAD_PASSWORD');
    expect(error.message).not.toContain('not-the-secret-3141');
  });

  it('given a missing file, when loaded, then CERT_FILE_UNREADABLE', () => {
    const missing = path.join(temp.dir, 'nope.p12');
    expect(failure(() => loadMerchantCertificate({ p12Path: missing }, mchId)).code).toBe(
      'CERT_FILE_UNREADABLE',
    );
    expect(
      failure(() => loadMerchantCertificate({ certPemPath: missing, keyPemPath }, mchId)).code,
    ).toBe('CERT_FILE_UNREADABLE');
  });

  it('given a file that is not PKCS#12, when loaded, then CERT_INVALID', () => {
    const junk = path.join(temp.dir, 'junk.p12');
    writeFileSync(junk, 'not a certificate');
    expect(failure(() => loadMerchantCertificate({ p12Path: junk }, mchId)).code).toBe(
      'CERT_INVALID',
    );
  });

  it("given another merchant's certificate, when loaded, then CERT_MCH_ID_MISMATCH", () => {
    const other = ensureSandboxIdentity(otherDir);
    const otherP12 = ensureSandboxCertificates(otherDir, other.mchId).p12Path;
    const error = failure(() =>
      loadMerchantCertificate({ p12Path: otherP12, password: other.mchId }, mchId),
    );
    expect(error.code).toBe('CERT_MCH_ID_MISMATCH');
    expect(error.message).toContain(other.mchId);
  });

  it('given a key that does not match the certificate, when loaded, then CERT_INVALID', () => {
    const otherKey = path.join(otherDir, 'apiclient_key.pem');
    expect(
      failure(() => loadMerchantCertificate({ certPemPath, keyPemPath: otherKey }, mchId)).code,
    ).toBe('CERT_INVALID');
  });
});
