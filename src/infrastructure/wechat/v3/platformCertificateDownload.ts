import { X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decryptAeadWithAny } from './aeadCipher.js';
import type { WechatpayPublicKey } from './platformKeys.js';
import type { V3Call } from './signedJsonCall.js';
import { checkWechatpaySignature } from './wechatpaySignature.js';

/** One platform certificate, decrypted: what the store keeps and caches. */
export type PlatformCertificate = {
  serialNo: string;
  effectiveTime: string;
  expireTime: string;
  certificatePem: string;
};

export type CertificateDownload =
  { ok: true; certificates: PlatformCertificate[] } | { ok: false; code: string; message: string };

const answerSchema = z.object({
  data: z.array(
    z.object({
      serial_no: z.string().min(1),
      effective_time: z.string(),
      expire_time: z.string(),
      encrypt_certificate: z.object({
        algorithm: z.literal('AEAD_AES_256_GCM'),
        nonce: z.string(),
        associated_data: z.string().default(''),
        ciphertext: z.string(),
      }),
    }),
  ),
});

/** X509Certificate.serialNumber is upper-case hex; WeChat's serial_no too, but compare safely. */
export const sameSerial = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase();

/**
 * GET /v3/certificates (WECHAT-V3.md §5): every certificate is decrypted with the APIv3 key (or
 * the former one during a rotation) and must carry the serial it is listed under. The answer is
 * signed by one of the certificates it brings, or by WeChat Pay's public key when the request
 * named it: it is verified with those before anything is believed.
 */
export const downloadPlatformCertificates = async ({
  call,
  apiV3Keys,
  publicKey,
  now,
}: {
  call: V3Call;
  apiV3Keys: readonly string[];
  publicKey?: WechatpayPublicKey;
  now: () => Date;
}): Promise<CertificateDownload> => {
  const result = await call({ method: 'GET', path: '/v3/certificates' }, { verify: false });
  if (result.kind !== 'answer') return { ok: false, code: result.code, message: result.message };
  const answer = answerSchema.safeParse(result.body);
  if (!answer.success) {
    return { ok: false, code: 'INVALID_RESPONSE', message: 'not a /v3/certificates answer' };
  }
  const certificates: PlatformCertificate[] = [];
  const keys = new Map<string, KeyObject>();
  for (const entry of answer.data.data) {
    const { nonce, associated_data, ciphertext } = entry.encrypt_certificate;
    const pem = decryptAeadWithAny(apiV3Keys, {
      nonce,
      associatedData: associated_data,
      ciphertext,
    })?.toString('utf8');
    if (pem === undefined) {
      return {
        ok: false,
        code: 'CERTIFICATE_DECRYPT_FAILED',
        message: 'a platform certificate does not decrypt with the APIv3 key',
      };
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(pem);
    } catch {
      return {
        ok: false,
        code: 'INVALID_RESPONSE',
        message: 'a platform certificate is not X.509',
      };
    }
    if (!sameSerial(certificate.serialNumber, entry.serial_no)) {
      return {
        ok: false,
        code: 'INVALID_RESPONSE',
        message: `certificate ${entry.serial_no} carries another serial number`,
      };
    }
    keys.set(entry.serial_no.toUpperCase(), certificate.publicKey);
    certificates.push({
      serialNo: entry.serial_no,
      effectiveTime: entry.effective_time,
      expireTime: entry.expire_time,
      certificatePem: pem,
    });
  }
  const check = await checkWechatpaySignature({
    headers: result.headers,
    body: result.raw,
    keys: {
      keyFor: async (serial) =>
        serial === publicKey?.id ? publicKey.key : keys.get(serial.toUpperCase()),
    },
    now: now(),
  });
  if (!check.ok) return { ok: false, code: 'BAD_SIGNATURE', message: check.message };
  return { ok: true, certificates };
};
