export type MerchantCertificateErrorCode =
  /** The file is missing or cannot be read. */
  | 'CERT_FILE_UNREADABLE'
  /** The .p12 does not open with the password (by default the mch_id). */
  | 'CERT_BAD_PASSWORD'
  /** Not a certificate and private key we can use (damaged file, no key, key not matching). */
  | 'CERT_INVALID'
  /** The certificate's subject CN is not our mch_id: another merchant's (or a provider's) file. */
  | 'CERT_MCH_ID_MISMATCH';

/** The merchant client certificate cannot be used. Never carries the password or the key. */
export class MerchantCertificateError extends Error {
  override readonly name = 'MerchantCertificateError';

  constructor(
    readonly code: MerchantCertificateErrorCode,
    message: string,
  ) {
    super(message);
  }
}
