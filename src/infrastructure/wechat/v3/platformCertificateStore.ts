import { X509Certificate, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Clock } from '../../../application/ports/clock.js';
import type { Log } from '../../../application/ports/log.js';
import { writeFileAtomic } from '../../files/writeFileAtomic.js';
import type { CertificateDownload, PlatformCertificate } from './platformCertificateDownload.js';
import type { PlatformKeys } from './platformKeys.js';

export type PlatformCertificateStore = PlatformKeys & {
  /** Downloads the certificates now; false when that failed (the known ones are kept). */
  refresh(): Promise<boolean>;
  /** Serial numbers of the certificates held, for logs and tests. */
  serials(): string[];
};

export type PlatformCertificateStoreOptions = {
  download: () => Promise<CertificateDownload>;
  /** Where the downloaded certificates are kept across restarts (under DATA_DIR). */
  cacheFile: string;
  clock: Clock;
  log: Log;
  /** WeChat rotates platform certificates ahead of expiry; 12 h keeps us current. */
  refreshIntervalMs?: number;
  /**
   * Least time between two downloads that a failure or an unknown serial asks for: a flood of
   * forged notifications naming made-up serials must not become a flood of downloads.
   */
  minRetryMs?: number;
};

const cacheSchema = z.object({
  fetchedAt: z.iso.datetime({ offset: true }),
  certificates: z.array(
    z.object({
      serialNo: z.string(),
      effectiveTime: z.string(),
      expireTime: z.string(),
      certificatePem: z.string(),
    }),
  ),
});

type Held = { certificate: PlatformCertificate; key: KeyObject; expiresAt: number };

const held = (certificate: PlatformCertificate): Held | undefined => {
  try {
    const x509 = new X509Certificate(certificate.certificatePem);
    const expiresAt = Date.parse(certificate.expireTime);
    return {
      certificate,
      key: x509.publicKey,
      expiresAt: Number.isNaN(expiresAt) ? Date.parse(x509.validTo) : expiresAt,
    };
  } catch {
    return undefined;
  }
};

/**
 * WeChat Pay's platform certificates (WECHAT-V3.md §5): downloaded from /v3/certificates on first
 * need, kept in a file so a restart verifies at once, downloaded again when older than 12 hours
 * and when a serial is unknown (a new certificate WeChat started to use). Expired ones are never
 * used. A failed download keeps the certificates held.
 */
export const createPlatformCertificateStore = ({
  download,
  cacheFile,
  clock,
  log,
  refreshIntervalMs = 12 * 3600_000,
  minRetryMs = 60_000,
}: PlatformCertificateStoreOptions): PlatformCertificateStore => {
  let certificates = new Map<string, Held>();
  let fetchedAt: number | undefined;
  let lastAttemptAt: number | undefined;
  let loaded = false;
  let inFlight: Promise<boolean> | undefined;

  const keep = (list: readonly PlatformCertificate[], at: number): void => {
    certificates = new Map(
      list.flatMap((certificate) => {
        const entry = held(certificate);
        return entry ? [[certificate.serialNo.toUpperCase(), entry] as const] : [];
      }),
    );
    fetchedAt = at;
  };

  const loadCache = (): void => {
    loaded = true;
    let text: string;
    try {
      text = readFileSync(cacheFile, 'utf8');
    } catch {
      return; // Not downloaded yet.
    }
    try {
      const cache = cacheSchema.parse(JSON.parse(text));
      keep(cache.certificates, Date.parse(cache.fetchedAt));
    } catch {
      log.warn({ cacheFile }, 'ignoring an unreadable platform certificate cache');
    }
  };

  const writeCache = (list: readonly PlatformCertificate[], at: number): void => {
    try {
      mkdirSync(path.dirname(cacheFile), { recursive: true });
      const cache = { fetchedAt: new Date(at).toISOString(), certificates: list };
      writeFileAtomic(cacheFile, `${JSON.stringify(cache, null, 2)}\n`);
    } catch (error) {
      log.warn({ cacheFile, err: error }, 'could not keep the platform certificates on disk');
    }
  };

  const downloadNow = async (): Promise<boolean> => {
    lastAttemptAt = clock.now().getTime();
    const result = await download();
    if (!result.ok) {
      log.warn(
        { code: result.code, reason: result.message },
        'platform certificate download failed',
      );
      return false;
    }
    const at = clock.now().getTime();
    keep(result.certificates, at);
    writeCache(result.certificates, at);
    log.info({ serials: [...certificates.keys()] }, 'WeChat Pay platform certificates downloaded');
    return true;
  };

  const refresh = (): Promise<boolean> => {
    inFlight ??= downloadNow().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const mayTry = (now: number): boolean =>
    lastAttemptAt === undefined || now - lastAttemptAt >= minRetryMs;

  const usable = (serial: string, now: number): KeyObject | undefined => {
    const entry = certificates.get(serial.toUpperCase());
    return entry && entry.expiresAt > now ? entry.key : undefined;
  };

  const keyFor = async (serial: string): Promise<KeyObject | undefined> => {
    if (!loaded) loadCache();
    // A download under way (asked for by another caller) may bring this serial: wait for it.
    if (inFlight !== undefined) await inFlight;
    const now = clock.now().getTime();
    if ((fetchedAt === undefined || now - fetchedAt >= refreshIntervalMs) && mayTry(now)) {
      await refresh();
    }
    const known = usable(serial, now);
    if (known !== undefined || !mayTry(now)) return known;
    await refresh();
    return usable(serial, clock.now().getTime());
  };

  return {
    keyFor,
    refresh,
    serials: () => {
      if (!loaded) loadCache();
      return [...certificates.values()].map((entry) => entry.certificate.serialNo);
    },
  };
};
