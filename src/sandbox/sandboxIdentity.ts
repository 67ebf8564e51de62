import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The merchant the sandbox plays: distinctive per cert dir, so it is never mistaken for live. */
export type SandboxIdentity = { appid: string; mchId: string; apiKey: string };

const identitySchema = z.object({
  appid: z.string().regex(/^wxsandbox[0-9a-f]{9}$/),
  mchId: z.string().regex(/^9\d{9}$/),
  apiKey: z.string().regex(/^[0-9A-Za-z]{32}$/),
});

const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const newIdentity = (): SandboxIdentity => ({
  // Real appids are "wx" + 16 hex and real mch_ids start with 1; these cannot collide with one.
  appid: `wxsandbox${randomBytes(5).toString('hex').slice(0, 9)}`,
  mchId: `9${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`,
  apiKey: Array.from({ length: 32 }, () => alphabet[randomInt(alphabet.length)]).join(''),
});

export const sandboxIdentityFile = 'sandbox.json';

/** Reads sandbox.json from the cert dir, or creates it (mode 0600: it holds the API key). */
export const ensureSandboxIdentity = (certDir: string): SandboxIdentity => {
  mkdirSync(certDir, { recursive: true });
  const file = path.join(certDir, sandboxIdentityFile);
  if (existsSync(file)) {
    const parsed = identitySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
  }
  const identity = newIdentity();
  writeFileSync(file, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
  return identity;
};
