import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { completion, spawningTestMs, spawnTs } from '../support/spawnTs.js';
import { makeTempDir } from '../support/fixtures.js';

const temp = makeTempDir('wechat-sandbox-cmd-');
afterAll(() => temp.remove());

/** The line `refunds sandbox` prints, as a client reads it. */
const printedLine = z.strictObject({
  baseUrl: z.string().regex(/^https:\/\/127\.0\.0\.1:\d+$/),
  appid: z.string().regex(/^wxsandbox/),
  mchId: z.string().regex(/^\d{10}$/),
  apiKey: z.string().regex(/^[0-9A-Za-z]{32}$/),
  caPath: z.string(),
  certDir: z.string(),
  apiV3Key: z.string().regex(/^[0-9A-Za-z]{32}$/),
  merchantSerialNo: z.string().regex(/^[0-9A-F]+$/),
  platformPublicKeyId: z.string().regex(/^PUB_KEY_ID_\d+$/),
});

describe('refunds sandbox command', () => {
  it(
    'given a cert dir, when run then closed, then it prints one JSON line, writes the files and the process exits by itself',
    async () => {
      const certDir = path.join(temp.dir, 'certs');
      const result = await completion(
        spawnTs('test/sandbox/support/runSandboxThenClose.ts', [certDir]),
      );
      expect(result.stderr.trim()).toBe('accepted');
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const printed = printedLine.parse(JSON.parse(lines[0]!));
      expect(printed).toMatchObject({ caPath: path.join(certDir, 'ca.pem'), certDir });
      for (const file of [
        'ca.pem',
        'apiclient_cert.p12',
        'apiclient_cert.pem',
        'apiclient_key.pem',
        'wechatpay_public_key.pem',
      ]) {
        expect(existsSync(path.join(certDir, file))).toBe(true);
      }
    },
    spawningTestMs(1, 60_000),
  );

  // Two processes writing one set at once left a mix (TLS: CERT_SIGNATURE_FAILURE) before the
  // cert dir had a lock.
  it(
    'given two sandboxes started at once on one new cert dir, then both work with the one set made',
    async () => {
      const certDir = path.join(temp.dir, 'shared-certs');
      const results = await Promise.all(
        [1, 2].map(() =>
          completion(spawnTs('test/sandbox/support/runSandboxThenClose.ts', [certDir])),
        ),
      );
      for (const result of results) {
        expect(result.stderr.trim()).toBe('accepted');
        expect(result.code).toBe(0);
      }
      const [first, second] = results.map(({ stdout }) => printedLine.parse(JSON.parse(stdout)));
      expect(second).toMatchObject({
        mchId: first!.mchId,
        merchantSerialNo: first!.merchantSerialNo,
        platformPublicKeyId: first!.platformPublicKeyId,
      });
    },
    spawningTestMs(1, 60_000),
  );
});
