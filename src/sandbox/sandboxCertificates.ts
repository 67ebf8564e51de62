import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { writeLegacyPkcs12 } from './legacyPkcs12.js';

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

/** The client certificate's subject as node:crypto's X509Certificate prints it. */
const clientSubject = (mchId: string): string => `C=CN\nOU=sandbox merchant\nCN=${mchId}`;

type KeyPair = {
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
  pem: string;
};

// forge's pure-JS RSA key generation takes seconds; Node's native one is instant. forge only signs.
export const newKeyPair = (): KeyPair => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    publicKey: forge.pki.publicKeyFromPem(publicKey),
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    pem: privateKey,
  };
};

export type CertificateSpec = {
  subject: forge.pki.CertificateField[];
  issuer: { subject: forge.pki.CertificateField[]; key: forge.pki.rsa.PrivateKey };
  publicKey: forge.pki.PublicKey;
  extensions: object[];
};

export const issue = ({ subject, issuer, publicKey, extensions }: CertificateSpec): string => {
  const certificate = forge.pki.createCertificate();
  // A positive serial: the top bit of the first byte cleared.
  certificate.serialNumber = `0${randomBytes(15).toString('hex')}`;
  certificate.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  certificate.validity.notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  certificate.setSubject(subject);
  certificate.setIssuer(issuer.subject);
  certificate.publicKey = publicKey;
  certificate.setExtensions(extensions);
  certificate.sign(issuer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
};

type GeneratedCertificates = {
  caPem: string;
  serverCertPem: string;
  serverKeyPem: string;
  clientCertPem: string;
  clientKeyPem: string;
};

const generate = (mchId: string): GeneratedCertificates => {
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

/**
 * Reuses the certificates in certDir when they are all there, or generates a fresh set (test CA,
 * server certificate for 127.0.0.1/localhost, merchant client certificate with CN = mch_id) and
 * writes them, the client one also as a legacy .p12 with the mch_id as password, as WeChat does.
 * The CA's private key is not kept: a fresh set is made when anything is missing.
 */
export const ensureSandboxCertificates = (certDir: string, mchId: string): SandboxCertificates => {
  mkdirSync(certDir, { recursive: true });
  const file = (name: keyof typeof sandboxCertificateFiles): string =>
    path.join(certDir, sandboxCertificateFiles[name]);
  const names = Object.keys(sandboxCertificateFiles) as (keyof typeof sandboxCertificateFiles)[];
  const complete = names.every((name) => existsSync(file(name)));
  // A set made for another mch_id (sandbox.json was replaced) is made again.
  const forThisMerchant =
    complete &&
    new X509Certificate(readFileSync(file('clientCert'))).subject === clientSubject(mchId);
  if (!forThisMerchant) {
    const fresh = generate(mchId);
    const privateFile = { mode: 0o600 };
    writeFileSync(file('ca'), fresh.caPem);
    writeFileSync(file('serverCert'), fresh.serverCertPem);
    writeFileSync(file('serverKey'), fresh.serverKeyPem, privateFile);
    writeFileSync(file('clientCert'), fresh.clientCertPem);
    writeFileSync(file('clientKey'), fresh.clientKeyPem, privateFile);
    writeFileSync(
      file('p12'),
      writeLegacyPkcs12({
        certPem: fresh.clientCertPem,
        keyPem: fresh.clientKeyPem,
        password: mchId,
      }),
      privateFile,
    );
  }
  const read = (name: keyof typeof sandboxCertificateFiles): string =>
    readFileSync(file(name), 'utf8');
  return {
    caPath: file('ca'),
    caPem: read('ca'),
    serverCertPem: read('serverCert'),
    serverKeyPem: read('serverKey'),
    p12Path: file('p12'),
    clientCertPem: read('clientCert'),
    clientKeyPem: read('clientKey'),
  };
};
