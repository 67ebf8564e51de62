import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../infrastructure/files/writeFileAtomic.js';
import { loadMerchantCertificate } from '../infrastructure/wechat/merchantCertificate.js';
import { writeLegacyPkcs12 } from './legacyPkcs12.js';
import { issue, newKeyPair } from './sandboxCertificateIssuer.js';

/** What the sandbox needs to serve TLS and what it hands a merchant client. */
export type SandboxCertificates = {
  caPath: string;
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  p12Path: string;
  clientCertPem: string;
  clientKeyPem: string;
};

export const sandboxCertificateFiles = {
  ca: 'ca.pem',
  serverCert: 'server_cert.pem',
  serverKey: 'server_key.pem',
  p12: 'apiclient_cert.p12',
  clientCert: 'apiclient_cert.pem',
  clientKey: 'apiclient_key.pem',
} as const;

type FileName = keyof typeof sandboxCertificateFiles;

/** The client certificate's subject as node:crypto's X509Certificate prints it. */
const clientSubject = (mchId: string): string => `C=CN\nOU=sandbox merchant\nCN=${mchId}`;

type PemSet = Omit<SandboxCertificates, 'caPath' | 'p12Path'>;

const generate = (mchId: string): PemSet => {
  const caKeys = newKeyPair();
  const caSubject = [
    { name: 'commonName', value: `WeChat Pay SANDBOX CA ${mchId} (not for production)` },
    { name: 'organizationName', value: 'refund-service sandbox' },
  ];
  const issuer = { subject: caSubject, key: caKeys.privateKey };
  const caPem = issue({
    subject: caSubject,
    issuer,
    publicKey: caKeys.publicKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const serverKeys = newKeyPair();
  const serverCertPem = issue({
    subject: [{ name: 'commonName', value: 'localhost' }],
    issuer,
    publicKey: serverKeys.publicKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const clientKeys = newKeyPair();
  // Like WeChat's apiclient_cert: the subject CN is the mch_id.
  const clientCertPem = issue({
    subject: [
      { name: 'countryName', value: 'CN' },
      { name: 'organizationalUnitName', value: 'sandbox merchant' },
      { name: 'commonName', value: mchId },
    ],
    issuer,
    publicKey: clientKeys.publicKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  return {
    caPem,
    serverCertPem,
    serverKeyPem: serverKeys.pem,
    clientCertPem,
    clientKeyPem: clientKeys.pem,
  };
};

const current = (certificate: X509Certificate): boolean =>
  Date.parse(certificate.validFrom) <= Date.now() && Date.now() <= Date.parse(certificate.validTo);

/** The certificate, when the CA issued it, it is current and it belongs to the key. */
const issuedBy = (ca: X509Certificate, pem: string, keyPem: string): X509Certificate => {
  const certificate = new X509Certificate(pem);
  if (
    !certificate.checkIssued(ca) ||
    !certificate.verify(ca.publicKey) ||
    !current(certificate) ||
    !certificate.checkPrivateKey(createPrivateKey(keyPem))
  ) {
    throw new Error('not a certificate of this set');
  }
  return certificate;
};

/**
 * The set in certDir when it is whole and belongs together: every file parses, each key matches
 * its certificate, both certificates chain to the CA, the client one (PEM and .p12 alike) is
 * this merchant's. Anything else — a file cut short by a killed writer, a set mixed from two
 * generations, another mch_id — is undefined, and a fresh set is made.
 */
const validSet = (file: (name: FileName) => string, mchId: string): PemSet | undefined => {
  try {
    const read = (name: FileName): string => readFileSync(file(name), 'utf8');
    const set = {
      caPem: read('ca'),
      serverCertPem: read('serverCert'),
      serverKeyPem: read('serverKey'),
      clientCertPem: read('clientCert'),
      clientKeyPem: read('clientKey'),
    };
    const ca = new X509Certificate(set.caPem);
    if (!ca.ca || !ca.verify(ca.publicKey) || !current(ca)) return undefined;
    issuedBy(ca, set.serverCertPem, set.serverKeyPem);
    const client = issuedBy(ca, set.clientCertPem, set.clientKeyPem);
    const p12 = loadMerchantCertificate({ p12Path: file('p12') }, mchId);
    const sameClient =
      client.subject === clientSubject(mchId) &&
      new X509Certificate(p12.certPem).fingerprint256 === client.fingerprint256;
    return sameClient ? set : undefined;
  } catch {
    return undefined;
  }
};

/**
 * Reuses the certificates in certDir when they form a valid set, or generates a fresh one (test
 * CA, server certificate for 127.0.0.1/localhost, merchant client certificate with CN = mch_id)
 * and writes it, the client one also as a legacy .p12 with the mch_id as password, as WeChat
 * does. The CA's private key is not kept: a fresh set is made whenever one is needed. Each file
 * is written whole or not at all; callers sharing certDir between processes hold its lock
 * (certDirLock.ts).
 */
export const ensureSandboxCertificates = (certDir: string, mchId: string): SandboxCertificates => {
  mkdirSync(certDir, { recursive: true });
  const file = (name: FileName): string => path.join(certDir, sandboxCertificateFiles[name]);
  let set = validSet(file, mchId);
  if (set === undefined) {
    set = generate(mchId);
    const privateFile = { mode: 0o600 };
    writeFileAtomic(file('ca'), set.caPem);
    writeFileAtomic(file('serverCert'), set.serverCertPem);
    writeFileAtomic(file('serverKey'), set.serverKeyPem, privateFile);
    writeFileAtomic(file('clientCert'), set.clientCertPem);
    writeFileAtomic(file('clientKey'), set.clientKeyPem, privateFile);
    writeFileAtomic(
      file('p12'),
      writeLegacyPkcs12({ certPem: set.clientCertPem, keyPem: set.clientKeyPem, password: mchId }),
      privateFile,
    );
  }
  return { ...set, caPath: file('ca'), p12Path: file('p12') };
};
