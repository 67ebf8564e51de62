import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../support/fixtures.js';
import {
  startSandboxV3Fixture,
  type SandboxV3Fixture,
} from '../../../sandbox/support/sandboxV3Fixture.js';

const temp = makeTempDir('wechat-v3-certificates-');
let fixture: SandboxV3Fixture;
beforeAll(async () => {
  fixture = await startSandboxV3Fixture(path.join(temp.dir, 'certs'));
});
afterAll(async () => {
  await fixture.close();
  temp.remove();
});

/** A clock the test moves forward. */
const movableClock = () => {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms: number) => void (offsetMs += ms),
  };
};
const downloads = () =>
  fixture.sandbox.requests().filter((call) => call.path === '/v3/certificates').length;

describe('platform certificate store', () => {
  it('given an unknown serial, then it downloads at most once a minute; a known one needs no download until 12 hours have passed', async () => {
    const clock = movableClock();
    const setup = fixture.setUp({ withoutPublicKey: true, clock });
    const serial = fixture.sandbox.platformCertificateSerial;
    const start = downloads();

    expect(await setup.platformKeys.keyFor(serial)).toBeDefined();
    expect(downloads()).toBe(start + 1);
    // Known: no download.
    expect(await setup.platformKeys.keyFor(serial)).toBeDefined();
    // Unknown right after a download: refused without another one (forged serials cost nothing).
    expect(await setup.platformKeys.keyFor('ABCDEF0123')).toBeUndefined();
    expect(downloads()).toBe(start + 1);
    // A minute later an unknown serial is worth a download: WeChat may have a new certificate.
    clock.advance(61_000);
    expect(await setup.platformKeys.keyFor('ABCDEF0123')).toBeUndefined();
    expect(downloads()).toBe(start + 2);
    clock.advance(30_000);
    expect(await setup.platformKeys.keyFor(serial)).toBeDefined();
    expect(downloads()).toBe(start + 2);
    // 12 hours on, a refresh is attempted at the next use (the sandbox, on the real clock, refuses
    // a request stamped 12 hours ahead), and the certificate held is still used meanwhile.
    clock.advance(12 * 3600_000);
    expect(await setup.platformKeys.keyFor(serial)).toBeDefined();
    expect(downloads()).toBe(start + 3);
  });

  it('given certificates kept on disk, when the service restarts, then it verifies without downloading', async () => {
    const { certificateCacheFile } = fixture.credentials();
    const serial = fixture.sandbox.platformCertificateSerial;
    const start = downloads();
    const first = fixture.setUp({ withoutPublicKey: true, certificateCacheFile });
    expect(await first.platformKeys.keyFor(serial)).toBeDefined();
    expect(downloads()).toBe(start + 1);

    const restarted = fixture.setUp({ withoutPublicKey: true, certificateCacheFile });
    expect(restarted.certificates.serials()).toEqual([serial]);
    expect(await restarted.platformKeys.keyFor(serial)).toBeDefined();
    expect(downloads()).toBe(start + 1);
  });

  it('given an APIv3 key rotation, then the certificates decrypt with the former key', async () => {
    const setup = fixture.setUp({
      withoutPublicKey: true,
      apiV3Keys: ['0123456789abcdef0123456789abcdef', fixture.sandbox.apiV3Key],
    });
    expect(
      await setup.platformKeys.keyFor(fixture.sandbox.platformCertificateSerial),
    ).toBeDefined();
  });

  it('given a wrong APIv3 key, then no certificate is believed', async () => {
    const setup = fixture.setUp({
      withoutPublicKey: true,
      apiV3Keys: ['0123456789abcdef0123456789abcdef'],
    });
    expect(
      await setup.platformKeys.keyFor(fixture.sandbox.platformCertificateSerial),
    ).toBeUndefined();
  });
});
