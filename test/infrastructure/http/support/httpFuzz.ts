import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { expect } from 'vitest';
import { refundCategory } from '../../../../src/application/refundEventCodec.js';
import { runAudit } from '../../../../src/audit/runAudit.js';
import { createTestApp, type TestApp } from '../../../support/fixtures.js';
import { readOnlyStoresOf } from '../../../support/testService.js';

/**
 * Each run draws a seed; fast-check prints it (and the path to the failing case) when a property
 * fails: `FUZZ_SEED=<seed> npx vitest run test/infrastructure/http/fuzz` replays that run.
 */
const fuzzSeed =
  process.env.FUZZ_SEED === undefined
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.FUZZ_SEED);

/** fast-check's parameters for one property of the fuzz suite. */
export const fuzzRuns = (numRuns: number): fc.Parameters<unknown> => ({ seed: fuzzSeed, numRuns });

/** Per-test timeout of a fuzz property: a few hundred requests each, on a busy machine. */
export const fuzzTimeoutMs = 120_000;

/** Text a careless or hostile client sends: controls, lone surrogates, markup, long runs. */
export const nastyText = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({
      unit: fc
        .oneof(
          fc.integer({ min: 0, max: 0x1f }),
          fc.integer({ min: 0x7f, max: 0x9f }),
          fc.integer({ min: 0xd800, max: 0xdfff }),
          fc.constantFrom(0xfffe, 0xffff, 0x20, 0x41, 0x4e2d),
        )
        .map((code) => String.fromCharCode(code)),
      maxLength: 12,
    }),
    fc.constantFrom(
      '',
      ' ',
      '\r\n',
      '../../x',
      '=HYPERLINK("http://x")',
      '__proto__',
      'constructor',
      'prototype',
      '<xml/>',
      ']]>',
      '&amp;',
      '%00',
      'R1/../R2',
      'a'.repeat(65),
      '9'.repeat(400),
    ),
  );

/** Text as a URL carries it; a lone surrogate (which encodeURIComponent refuses) as its UTF-8 bytes. */
export const percentEncoded = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16)}`).join('');
  }
};

/** A JSON value of any shape, with nasty strings in it. */
export const anyJson = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    nastyText(),
    fc.constantFrom(0, -0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, 2 ** 53, 1e21, true, null),
  );

/** One field of a body changed to a value of the fuzzer's, or dropped (no value). */
export type FieldChange = { path: readonly string[]; value?: unknown };

/** A field of `paths` changed to one of `values`, or (with `drop`) removed. */
export const fieldChange = (
  paths: readonly (readonly string[])[],
  values: fc.Arbitrary<unknown>,
): fc.Arbitrary<FieldChange> =>
  fc.record({ path: fc.constantFrom(...paths), value: values }, { requiredKeys: ['path'] });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The record with the changes made, on a copy: nested paths are created when missing. */
export const withChanges = <T extends object>(
  record: T,
  changes: readonly FieldChange[],
): Record<string, unknown> => {
  const copy: Record<string, unknown> = structuredClone(Object.fromEntries(Object.entries(record)));
  for (const { path, value } of changes) {
    let parent = copy;
    for (const name of path.slice(0, -1)) {
      const child = parent[name];
      const next = isRecord(child) ? child : {};
      parent[name] = next;
      parent = next;
    }
    const last = path.at(-1)!;
    // defineProperty: a `__proto__` field becomes a field, not the object's prototype.
    if (value === undefined) delete parent[last];
    else
      Object.defineProperty(parent, last, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return copy;
};

/** The service on SQLite in a temp dir, driven through app.inject, and what every answer must hold. */
export type FuzzedService = TestApp & {
  /**
   * Sends the request and checks the fuzz properties: never a 5xx, and nothing written for a
   * refused (4xx) request.
   */
  send(request: InjectOptions): Promise<LightMyRequestResponse>;
  /** Once the read models have caught up: `refunds audit` finds no anomaly. */
  expectAuditClean(): Promise<void>;
  /** A notification stored: the refund it names is one the API can fetch. */
  expectFetchable(outRefundNo: unknown): Promise<void>;
};

export const startFuzzedService = async (): Promise<FuzzedService> => {
  const t = await createTestApp();
  const send = async (request: InjectOptions): Promise<LightMyRequestResponse> => {
    const before = await t.events.headPosition(refundCategory);
    const response = await t.app.inject(request);
    const answer = `${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, answer).toBeLessThan(500);
    if (response.statusCode >= 400) {
      expect(await t.events.headPosition(refundCategory), `written although ${answer}`).toBe(
        before,
      );
    }
    return response;
  };
  const expectAuditClean = async (): Promise<void> => {
    await t.projected();
    const stores = readOnlyStoresOf(t);
    try {
      const report = await runAudit({ ...stores, now: new Date(), staleAfterSeconds: 3600 });
      expect(report.anomalies, JSON.stringify(report.anomalies)).toMatchObject({ total: 0 });
      expect(report.clean).toBe(true);
    } finally {
      await stores.close();
    }
  };
  const expectFetchable = async (outRefundNo: unknown): Promise<void> => {
    const response = await send({
      method: 'GET',
      url: `/v1/refunds/${encodeURIComponent(String(outRefundNo))}`,
    });
    expect(response.statusCode, `${String(outRefundNo)} was recorded`).toBe(200);
  };
  return { ...t, send, expectAuditClean, expectFetchable };
};
