import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

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

/**
 * A random 16-byte certificate serial as forge takes it (hex), positive and minimally encoded:
 * the first byte is 0x01–0x7f. A leading 0x00 before a byte under 0x80 is a padded DER INTEGER,
 * which OpenSSL refuses ("asn1 encoding routines::illegal padding"): with a plain random first
 * byte, one certificate in 256 could not be read.
 */
export const certificateSerial = (random: Uint8Array = randomBytes(16)): string => {
  const bytes = Buffer.from(random);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
};

export type CertificateSpec = {
  subject: forge.pki.CertificateField[];
  issuer: { subject: forge.pki.CertificateField[]; key: forge.pki.rsa.PrivateKey };
  publicKey: forge.pki.PublicKey;
  extensions: object[];
  /** Default: a random one. */
  serial?: string;
};

export const issue = ({
  subject,
  issuer,
  publicKey,
  extensions,
  serial = certificateSerial(),
}: CertificateSpec): string => {
  const certificate = forge.pki.createCertificate();
  certificate.serialNumber = serial;
  certificate.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  certificate.validity.notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  certificate.setSubject(subject);
  certificate.setIssuer(issuer.subject);
  certificate.publicKey = publicKey;
  certificate.setExtensions(extensions);
  certificate.sign(issuer.key, forge.md.sha256.create());
  return forge.pki.certificateToPem(certificate);
};
