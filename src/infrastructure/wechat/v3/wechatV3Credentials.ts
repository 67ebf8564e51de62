import { X509Certificate, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import type { WechatV3Config } from '../../config/wechatV3Variables.js';
import { StartupError } from '../../config/startupError.js';
import type { MerchantCertificate } from '../merchantCertificate.js';
import type { WechatpayPublicKey } from './platformKeys.js';
import { sameSerial } from './platformCertificateDownload.js';
import type { WechatV3Credentials } from './wechatV3Setup.js';

/** Where downloaded platform certificates are kept: public data, under DATA_DIR. */
export const platformCertificateCacheFile = (dataDir: string): string =>
  path.join(dataDir, 'wechatpay', 'platform_certificates.json');

const readPublicKey = (
  { path: file, id }: { path: string; id: string },
  problems: string[],
): WechatpayPublicKey | undefined => {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    problems.push(`WECHAT_PLATFORM_PUBLIC_KEY_PATH: cannot read ${file} (${code})`);
    return undefined;
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch {
    problems.push(`WECHAT_PLATFORM_PUBLIC_KEY_PATH: ${file} is not a PEM public key`);
    return undefined;
  }
  if (key.asymmetricKeyType !== 'rsa') {
    problems.push(`WECHAT_PLATFORM_PUBLIC_KEY_PATH: ${file} is not an RSA public key`);
    return undefined;
  }
  return { id, key };
};

/**
 * Checks the v3 settings against the files before the start (DESIGN §4): the merchant key must be
 * RSA and its certificate must carry WECHAT_MERCHANT_SERIAL_NO (a key that is not the serial's
 * gets every request refused with SIGN_ERROR), and WeChat Pay's public key must be an RSA public
 * key. Every problem is one line of the StartupError.
 */
export const wechatV3Credentials = ({
  config,
  v3,
  baseUrl,
  mchId,
  certificate,
  caPath,
}: {
  config: Config;
  v3: WechatV3Config;
  baseUrl: string;
  mchId: string;
  certificate: MerchantCertificate;
  caPath?: string;
}): WechatV3Credentials => {
  const problems: string[] = [];
  const privateKey = createPrivateKey(certificate.keyPem);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    problems.push(
      'WECHAT_KEY_PEM_PATH: the merchant private key is not an RSA key (API v3 signs with RSA)',
    );
  }
  const serial = new X509Certificate(certificate.certPem).serialNumber;
  if (!sameSerial(serial, v3.merchantSerialNo)) {
    problems.push(
      `WECHAT_MERCHANT_SERIAL_NO: ${v3.merchantSerialNo} is not the serial number of the merchant certificate and its key (${serial})`,
    );
  }
  const publicKey = v3.platformPublicKey && readPublicKey(v3.platformPublicKey, problems);
  if (problems.length > 0) throw new StartupError(problems.join('\n'));
  return {
    baseUrl,
    mchId,
    merchantSerialNo: v3.merchantSerialNo,
    privateKey,
    apiV3Keys: [v3.apiV3Key, ...(v3.apiV3KeyPrevious === undefined ? [] : [v3.apiV3KeyPrevious])],
    ...(publicKey !== undefined && { publicKey }),
    certificateCacheFile: platformCertificateCacheFile(config.dataDir),
    ...(caPath !== undefined && { caPath }),
    maxRequestsPerSecond: config.wechatMaxRps,
  };
};
