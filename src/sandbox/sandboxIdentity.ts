import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../infrastructure/files/writeFileAtomic.js';

/** The merchant the sandbox plays: distinctive per cert dir, so it is never mistaken for live. */
export type SandboxIdentity = {
  appid: string;
  mchId: string;
  apiKey: string;
  /** API v3: the merchant's APIv3 key (32 characters) and the id of WeChat Pay's public key. */
  apiV3Key: string;
  platformPublicKeyId: string;
};

const identitySchema = z.object({
  appid: z.string().regex(/^wxsandbox[0-9a-f]{9}$/),
  mchId: z.string().regex(/^9\d{9}$/),
  apiKey: z.string().regex(/^[0-9A-Za-z]{32}$/),
  // Added with API v3: a sandbox.json written before gets them and keeps its merchant.
  apiV3Key: z
    .string()
    .regex(/^[0-9A-Za-z]{32}$/)
    .optional(),
  platformPublicKeyId: z
    .string()
    .regex(/^PUB_KEY_ID_\d{20,40}$/)
    .optional(),
});

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const randomKey = (): string =>
  Array.from({ length: 32 }, () => alphabet[randomInt(alphabet.length)]).join('');

const v3Identity = (mchId: string) => ({
  apiV3Key: randomKey(),
  // WeChat's ids are PUB_KEY_ID_ + 01 + the mch_id + a sequence; this one names a sandbox mch_id.
  platformPublicKeyId: `PUB_KEY_ID_01${mchId}${String(randomInt(0, 1_000_000_000)).padStart(14, '0')}`,
});

const newIdentity = (): SandboxIdentity => {
  // Real appids are "wx" + 16 hex and real mch_ids start with 1; these cannot collide with one.
  const mchId = `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
  return {
    appid: `wxsandbox${randomBytes(5).toString('hex').slice(0, 9)}`,
    mchId,
    apiKey: randomKey(),
    ...v3Identity(mchId),
  };
};

export const sandboxIdentityFile = 'sandbox.json';

const storedIdentity = (file: string): z.infer<typeof identitySchema> | undefined => {
  try {
    return identitySchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return undefined; // Missing, cut short or edited out of shape: a new merchant.
  }
};

/** Reads sandbox.json from the cert dir, or creates it (mode 0600: it holds the API keys). */
export const ensureSandboxIdentity = (certDir: string): SandboxIdentity => {
  mkdirSync(certDir, { recursive: true });
  const file = path.join(certDir, sandboxIdentityFile);
  const stored = storedIdentity(file);
  if (stored?.apiV3Key !== undefined && stored.platformPublicKeyId !== undefined) {
    const { apiV3Key, platformPublicKeyId, ...v2 } = stored;
    return { ...v2, apiV3Key, platformPublicKeyId };
  }
  const identity: SandboxIdentity = stored
    ? {
        appid: stored.appid,
        mchId: stored.mchId,
        apiKey: stored.apiKey,
        ...v3Identity(stored.mchId),
      }
    : newIdentity();
  writeFileAtomic(file, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  return identity;
};
