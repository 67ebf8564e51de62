import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic } from '../infrastructure/files/writeFileAtomic.js';
import { createRsaSigner, type RsaSigner } from '../infrastructure/wechat/v3/rsaSigner.js';
import { issue, newKeyPair } from './sandboxCertificateIssuer.js';

/** The keys WeChat Pay v3 signs with, as the sandbox plays them, and the merchant's to check. */
export type SandboxV3Keys = {
  /** The serial of the merchant API certificate (apiclient_cert.pem): WECHAT_MERCHANT_SERIAL_NO. */
  merchantSerialNo: string;
  merchantPublicKey: KeyObject;
  /** A platform certificate, served encrypted by /v3/certificates. */
  platformCertificate: { serial: string; pem: string; sign: RsaSigner };
  /** WeChat Pay's public key (`PUB_KEY_ID_…`), as the merchant platform lets one download it. */
  publicKey: { id: string; pem: string; sign: RsaSigner };
  publicKeyPath: string;
};

export const sandboxV3Files = {
  publicKey: 'wechatpay_public_key.pem',
  publicKeySigningKey: 'sandbox_wechatpay_public_key_private.pem',
  platformCertificate: 'sandbox_platform_cert.pem',
  platformSigningKey: 'sandbox_platform_cert_private.pem',
} as const;

const privateFile = { mode: 0o600 };

const samePublicKey = (privatePem: string, publicKey: KeyObject): boolean =>
  createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }) ===
  publicKey.export({ type: 'spki', format: 'pem' });

/** False for anything unreadable as well: a file cut short or missing is made again. */
const holds = (check: () => boolean): boolean => {
  try {
    return check();
  } catch {
    return false;
  }
};

/**
 * Reuses the sandbox's v3 keys in certDir when they parse and belong together, or makes new
 * ones. They are two different key pairs, as at WeChat: a platform certificate's key and the
 * public key's, so that a client verifying with the wrong one for a serial is caught.
 */
export const ensureSandboxV3Keys = (
  certDir: string,
  { clientCertPem, publicKeyId }: { clientCertPem: string; publicKeyId: string },
): SandboxV3Keys => {
  const file = (name: keyof typeof sandboxV3Files): string =>
    path.join(certDir, sandboxV3Files[name]);
  const read = (name: keyof typeof sandboxV3Files): string => readFileSync(file(name), 'utf8');

  if (
    !holds(() => samePublicKey(read('publicKeySigningKey'), createPublicKey(read('publicKey'))))
  ) {
    const keys = newKeyPair();
    writeFileAtomic(file('publicKeySigningKey'), keys.pem, privateFile);
    writeFileAtomic(file('publicKey'), forge.pki.publicKeyToPem(keys.publicKey));
  }
  if (
    !holds(() => {
      const certificate = new X509Certificate(read('platformCertificate'));
      return (
        certificate.verify(certificate.publicKey) &&
        samePublicKey(read('platformSigningKey'), certificate.publicKey)
      );
    })
  ) {
    const keys = newKeyPair();
    const subject = [
      { name: 'commonName', value: 'Tenpay.com SANDBOX platform certificate (not for production)' },
      { name: 'organizationName', value: 'refund-service sandbox' },
    ];
    writeFileAtomic(file('platformSigningKey'), keys.pem, privateFile);
    writeFileAtomic(
      file('platformCertificate'),
      issue({
        subject,
        issuer: { subject, key: keys.privateKey },
        publicKey: keys.publicKey,
        extensions: [{ name: 'keyUsage', digitalSignature: true, critical: true }],
      }),
    );
  }
  const platformPem = read('platformCertificate');
  const merchantCertificate = new X509Certificate(clientCertPem);
  return {
    merchantSerialNo: merchantCertificate.serialNumber,
    merchantPublicKey: merchantCertificate.publicKey,
    platformCertificate: {
      serial: new X509Certificate(platformPem).serialNumber,
      pem: platformPem,
      sign: createRsaSigner(createPrivateKey(read('platformSigningKey'))),
    },
    publicKey: {
      id: publicKeyId,
      pem: read('publicKey'),
      sign: createRsaSigner(createPrivateKey(read('publicKeySigningKey'))),
    },
    publicKeyPath: file('publicKey'),
  };
};
