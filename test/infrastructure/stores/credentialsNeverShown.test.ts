import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/infrastructure/observability/logger.js';
import type { ListeningService } from '../../../src/service.js';
import { startService } from '../../../src/startService.js';
import { closedPort } from '../../support/closedPort.js';
import { eventually } from '../../support/eventually.js';
import { makeTempDir } from '../../support/tempDir.js';
import { testConfig } from '../../support/testApp.js';

// "/", "#" and "?" are where a connection string used to be cut wrongly around the credentials.
const password = 'pa/ss#wo?rd';
const shown = [password, encodeURIComponent(password), 'pa/ss', 'wo?rd', 'admin:', 'reader:'];

describe('credentials in connection strings', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let service: ListeningService | undefined;
  beforeEach(() => {
    temp = makeTempDir();
  });
  afterEach(async () => {
    await service?.close();
    temp.remove();
  });

  it('given passwords with "/", "#" and "?" for stores that do not answer, then no log line, /readyz or answer shows any of them', async () => {
    const lines: string[] = [];
    const config = testConfig({
      DATA_DIR: temp.dir,
      PORT: '0',
      EVENT_STORE: 'esdb',
      ESDB_CONNECTION_STRING: `esdb://admin:${password}@127.0.0.1:${await closedPort()}?tls=false`,
      READ_STORE: 'mongo',
      MONGO_URL: `mongodb://reader:${encodeURIComponent(password)}@127.0.0.1:${await closedPort()}/?serverSelectionTimeoutMS=200`,
    });
    service = await startService(config, {
      logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
      healthIntervalMs: 50,
    });

    const readyz = await eventually(async () => {
      const answer = await fetch(`${service!.url}/readyz`);
      const body = await answer.text();
      expect(answer.status).toBe(503);
      expect(body).toMatch(/EventStoreDB at esdb:\/\/127\.0\.0\.1:\d+ unreachable/);
      expect(body).toMatch(/MongoDB at mongodb:\/\/127\.0\.0\.1:\d+ unreachable/);
      return body;
    });
    const created = await fetch(`${service.url}/v1/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outTradeNo: 'T1', totalFee: 100 }),
    });
    const read = await fetch(`${service.url}/v1/refunds/T1`);
    const answers = [await created.text(), await read.text()];

    expect([created.status, read.status]).toEqual([503, 503]);
    expect(lines.join('\n')).toMatch(/unreachable/);
    for (const text of [readyz, ...answers, ...lines]) {
      for (const secret of shown) expect(text).not.toContain(secret);
    }
  });
});
