import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { MerchantCertificateError } from './merchantCertificateError.js';

/** The merchant client certificate (WeChat's apiclient_cert) as PEM, ready for Node's TLS. */
export type MerchantCertificate = { certPem: string; keyPem: string };

export type MerchantCertificateSource =
  /** apiclient_cert.p12 as WeChat's tool makes it; the password defaults to the mch_id. */
  { p12Path: string; password?: string } | { certPemPath: string; keyPemPath: string };

const readFile = (file: string, what: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new MerchantCertificateError(
      'CERT_FILE_UNREADABLE',
      `cannot read the merchant ${what} ${file} (${reason})`,
    );
  }
};

const commonName = (certificate: X509Certificate): string | undefined =>
  certificate.subject
    .split('\n')
    .find((part) => part.startsWith('CN='))
    ?.slice('CN='.length);

/**
 * Checks that the key belongs to the certificate and that the certificate is this merchant's:
 * WeChat issues apiclient_cert with CN = mch_id, and using another merchant's (e.g. a service
 * provider's) certificate is a classic misconfiguration (WECHAT.md "Problems").
 */
export const merchantCertificateFromPem = (
  certPem: string,
  keyPem: string,
  mchId: string,
): MerchantCertificate => {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
    if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) {
      throw new MerchantCertificateError(
        'CERT_INVALID',
        'the private key does not match the merchant certificate',
      );
    }
  } catch (error) {
    if (error instanceof MerchantCertificateError) throw error;
    throw new MerchantCertificateError(
      'CERT_INVALID',
      'the merchant certificate or private key is not valid PEM',
    );
  }
  const cn = commonName(certificate);
  if (cn !== mchId) {
    throw new MerchantCertificateError(
      'CERT_MCH_ID_MISMATCH',
      `the merchant certificate is issued to CN=${cn ?? '(none)'}, not to mch_id ${mchId}`,
    );
  }
  return { certPem, keyPem };
};

// PKCS#12 bag types (RFC 7292 §4.2).
const keyBag = '1.2.840.113549.1.12.10.1.1';
const pkcs8ShroudedKeyBag = '1.2.840.113549.1.12.10.1.2';
const certBag = '1.2.840.113549.1.12.10.1.3';

const bagsOf = (p12: forge.pkcs12.Pkcs12Pfx, bagType: string): forge.pkcs12.Bag[] =>
  p12.getBags({ bagType })[bagType] ?? [];

/**
 * Reads a PKCS#12 with node-forge. WeChat's .p12 is legacy (pbeWithSHA1And40BitRC2-CBC cert bag),
 * which OpenSSL 3 in Node 17+ refuses ("Unsupported PKCS12 PFX data"); forge reads it, and Node's
 * TLS gets plain PEM, so the file works as downloaded, with no conversion and no Node flag.
 */
const pemPairFromP12 = (der: Buffer, password: string): { certPem: string; keyPem: string } => {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), true, password);
  } catch (error) {
    // forge reports a MAC mismatch (the usual sign of a wrong password) in its message.
    const badPassword = error instanceof Error && /MAC could not be verified/i.test(error.message);
    throw badPassword
      ? new MerchantCertificateError(
          'CERT_BAD_PASSWORD',
          'the merchant .p12 does not open with the given password (by default the mch_id)',
        )
      : new MerchantCertificateError('CERT_INVALID', 'the merchant .p12 cannot be read');
  }
  const keys = [...bagsOf(p12, pkcs8ShroudedKeyBag), ...bagsOf(p12, keyBag)].flatMap((bag) =>
    bag.key ? [forge.pki.privateKeyToPem(bag.key)] : [],
  );
  const certs = bagsOf(p12, certBag).flatMap((bag) =>
    bag.cert ? [forge.pki.certificateToPem(bag.cert)] : [],
  );
  const keyPem = keys[0];
  if (keyPem === undefined || keys.length > 1) {
    throw new MerchantCertificateError(
      'CERT_INVALID',
      'the merchant .p12 must hold exactly one RSA private key',
    );
  }
  // A .p12 may carry CA certificates too: the client certificate is the one matching the key.
  const key = createPrivateKey(keyPem);
  const certPem = certs.find((pem) => new X509Certificate(pem).checkPrivateKey(key));
  if (certPem === undefined) {
    throw new MerchantCertificateError(
      'CERT_INVALID',
      'the merchant .p12 holds no certificate for its private key',
    );
  }
  return { certPem, keyPem };
};

/** Loads the merchant client certificate from a .p12 or a PEM pair; throws MerchantCertificateError. */
export const loadMerchantCertificate = (
  source: MerchantCertificateSource,
  mchId: string,
): MerchantCertificate => {
  if ('p12Path' in source) {
    const der = readFile(source.p12Path, 'certificate (.p12)');
    const { certPem, keyPem } = pemPairFromP12(der, source.password ?? mchId);
    return merchantCertificateFromPem(certPem, keyPem, mchId);
  }
  const certPem = readFile(source.certPemPath, 'certificate').toString('utf8');
  const keyPem = readFile(source.keyPemPath, 'private key').toString('utf8');
  return merchantCertificateFromPem(certPem, keyPem, mchId);
};
