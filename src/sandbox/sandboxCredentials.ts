import { withCertDirLock, type CertDirLockOptions } from './certDirLock.js';
import { ensureSandboxCertificates, type SandboxCertificates } from './sandboxCertificates.js';
import { ensureSandboxIdentity, type SandboxIdentity } from './sandboxIdentity.js';
import { ensureSandboxV3Keys, type SandboxV3Keys } from './sandboxV3Keys.js';

export type SandboxCredentials = {
  identity: SandboxIdentity;
  certificates: SandboxCertificates;
  v3Keys: SandboxV3Keys;
};

/**
 * Everything the sandbox keeps in its cert dir — the merchant (sandbox.json), the TLS and client
 * certificates, the v3 keys — reused when valid, made again otherwise, under the dir's lock.
 */
export const ensureSandboxCredentials = (
  certDir: string,
  lock: CertDirLockOptions = {},
): Promise<SandboxCredentials> =>
  withCertDirLock(
    certDir,
    () => {
      const identity = ensureSandboxIdentity(certDir);
      const certificates = ensureSandboxCertificates(certDir, identity.mchId);
      const v3Keys = ensureSandboxV3Keys(certDir, {
        clientCertPem: certificates.clientCertPem,
        publicKeyId: identity.platformPublicKeyId,
      });
      return { identity, certificates, v3Keys };
    },
    lock,
  );
