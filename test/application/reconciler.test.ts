import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '../../src/application/eventMetadata.js';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { loadRefund } from '../../src/application/loadRefund.js';
import type { RefundGateway } from '../../src/application/ports/refundGateway.js';
import { createReconciler } from '../../src/application/reconciler.js';
import { decodeRefundEvent, refundStreamName } from '../../src/application/refundEventCodec.js';
import { documentSendAttempts } from '../../src/application/sendAttempts.js';
import { sendNotes } from '../../src/application/sendNotes.js';
import { sendRefund } from '../../src/application/sendRefund.js';
import type { WechatSandbox } from '../../src/sandbox/wechatSandbox.js';
import { requestRefund } from '../domain/refund/refundFixtures.js';
import { startSandboxFixture, type SandboxFixture } from '../sandbox/support/sandboxFixture.js';
import { makeTempDir, sqliteStoresPerTest } from '../support/fixtures.js';

const temp = makeTempDir('reconciler-');
let fixture: SandboxFixture;
beforeAll(async () => {
  fixture = await startSandboxFixture(path.join(temp.dir, 'certs'));
});
afterAll(async () => {
  await fixture.close();
  temp.remove();
});

const afterMs = 600_000;
const start = Date.parse('2026-11-30T08:00:00.000Z');
const api: CommandContext = { correlationId: 'c', causationId: 'c', source: 'api' };
let run = 0;

/** WeChat's calls for the refunds of one test, by kind, as the sandbox answered them. */
const callsOf = (sandbox: WechatSandbox, prefix: string) => {
  // The sandbox lists calls without their out_refund_no: queries are counted over the file's run.
  const queries = sandbox.requests().filter((r) => r.path === '/pay/refundquery').length;
  const sends = sandbox
    .refunds()
    .filter((r) => r.outRefundNo.startsWith(prefix))
    .reduce((sum, r) => sum + r.calls, 0);
  return { sends, queries };
};

describe('the reconciler looks only for lost refunds (RECONCILE_AFTER_SECONDS=600)', () => {
  const stores = sqliteStoresPerTest();

  /** The gateway's send and the reconciler of one process, at an injected time. */
  const processAt = (clock: { now: () => Date }, gateway: RefundGateway) => {
    const log = pino({ level: 'silent' });
    const handle = createRefundCommandHandler({ events: stores.events });
    const load = loadRefund(stores.events);
    const attempts = documentSendAttempts(stores.documents, clock);
    const notes = sendNotes(attempts, log);
    const send = sendRefund({ gateway, handle, load, clock, log, notes });
    const reconciler = createReconciler({
      findAcceptedBefore: async (instant) => {
        const accepted = [];
        for (const no of requested) {
          const last = (await stores.events.readStream(refundStreamName(no))).at(-1)!;
          const { event } = decodeRefundEvent(last);
          if (event.type === 'RefundAccepted' && event.data.acceptedAt < instant) {
            accepted.push({ outRefundNo: no, status: 'ACCEPTED' as const, attempt: 1 });
          }
        }
        return accepted;
      },
      attempts,
      getRefund: async (no) => {
        const state = await load(no);
        return state.status === 'NONE' ? undefined : state;
      },
      gateway,
      handle,
      handOff: notes.handOff(send),
      clock,
      log,
      random: () => 0.5,
      afterMs,
      intervalMs: 60_000,
    });
    return { handle, send, reconciler };
  };

  let requested: string[] = [];
  const prefix = () => `RC${run}-`;
  const requestAll = async (handle: ReturnType<typeof processAt>['handle'], count: number) => {
    run += 1;
    requested = Array.from({ length: count }, (_, i) => `${prefix()}${i}`);
    for (const [i, no] of requested.entries()) {
      await handle(
        requestRefund({
          outRefundNo: no,
          outTradeNo: `T${no}`,
          // A payment of its own: the sandbox keeps the refunds of one payment together.
          transactionId: `42${String(start + run).padStart(16, '0')}${String(i).padStart(10, '0')}`,
          requestedAt: new Date(start).toISOString(),
        }),
        api,
      );
    }
  };
  const context = (source: 'gateway'): CommandContext => ({ ...api, source });
  const queriesSince = (before: number) => callsOf(fixture.sandbox, prefix()).queries - before;

  it('given refunds queued behind the gateway for hours, then none is queried', async () => {
    let now = start;
    const { handle, reconciler } = processAt({ now: () => new Date(now) }, fixture.client());
    await requestAll(handle, 20);
    const before = callsOf(fixture.sandbox, prefix()).queries;

    now = start + 5 * 3600_000;
    const pass = await reconciler.runOnce();

    expect(pass).toMatchObject({ stale: 0, checked: 0 });
    expect(queriesSince(before)).toBe(0);
  });

  it('given an accepted refund whose notification is lost, then it is queried only once the window after its acceptance has passed', async () => {
    let now = start;
    const clock = { now: () => new Date(now) };
    const { handle, send, reconciler } = processAt(clock, fixture.client());
    await requestAll(handle, 1);
    const [no] = requested as [string];
    fixture.sandbox.setScenario(no, 'LOST_NOTIFICATION');
    const before = callsOf(fixture.sandbox, prefix()).queries;
    now = start + 3600_000; // long queued: accepted an hour after the request
    expect(await send(no, 1, context('gateway'))).toEqual({ kind: 'recorded' });

    now += afterMs - 1000;
    expect(await reconciler.runOnce()).toMatchObject({ checked: 0 });
    expect(queriesSince(before)).toBe(0);

    now += 2000;
    expect(await reconciler.runOnce()).toMatchObject({ checked: 1 });
    expect(queriesSince(before)).toBe(1);
  });

  it('given a send that timed out and never reached WeChat, then it is queried after the window and goes back to the gateway once', async () => {
    let now = start;
    const clock = { now: () => new Date(now) };
    const client = fixture.client();
    let lose = true;
    // The network loses the first call before it reaches WeChat: the client sees a timeout.
    const lossy: RefundGateway = {
      queryRefund: (no) => client.queryRefund(no),
      refund: async (request) => {
        if (!lose) return client.refund(request);
        lose = false;
        return { kind: 'retryable', code: 'ETIMEDOUT', message: 'timed out' };
      },
    };
    const first = processAt(clock, lossy);
    await requestAll(first.handle, 1);
    const [no] = requested as [string];
    const before = callsOf(fixture.sandbox, prefix()).queries;
    expect(await first.send(no, 1, context('gateway'))).toMatchObject({ kind: 'retry' });

    now += afterMs - 1000;
    expect(await first.reconciler.runOnce()).toMatchObject({ checked: 0 });
    now += 2000;
    // WeChat never heard of it: this process's gateway is still trying it, so its retry sends it.
    expect(await first.reconciler.runOnce()).toMatchObject({ checked: 1, resent: 1 });
    expect(queriesSince(before)).toBe(1);
    expect(callsOf(fixture.sandbox, prefix()).sends).toBe(0);
    expect(await first.send(no, 1, context('gateway'))).toEqual({ kind: 'recorded' });
    expect(callsOf(fixture.sandbox, prefix()).sends).toBe(1);

    // Accepted now: its notification is not overdue yet, and no send is left unanswered.
    now += afterMs / 2;
    expect(await first.reconciler.runOnce()).toMatchObject({ stale: 0 });
    expect(queriesSince(before)).toBe(1);
  });

  it('given a send lost in a crash, when another process reconciles, then it is queried once and sent once, by the gateway path', async () => {
    let now = start;
    const clock = { now: () => new Date(now) };
    const client = fixture.client();
    let called: () => void = () => undefined;
    const calling = new Promise<void>((resolve) => (called = resolve));
    const crashed = processAt(clock, {
      queryRefund: (no) => client.queryRefund(no),
      refund: () => {
        called();
        return new Promise(() => undefined); // the process dies during the call
      },
    });
    await requestAll(crashed.handle, 3);
    const [lost, ...queued] = requested as [string, string, string];
    void crashed.send(lost, 1, context('gateway'));
    await calling;
    const before = callsOf(fixture.sandbox, prefix()).queries;

    // After the restart, the noted send is the reconciler's; the two never sent are not.
    now += afterMs + 1000;
    const restarted = processAt(clock, client);
    expect(await restarted.reconciler.runOnce()).toMatchObject({ checked: 1, resent: 1 });
    expect(queriesSince(before)).toBe(1);
    expect(fixture.sandbox.refunds().filter((r) => r.outRefundNo === lost)).toMatchObject([
      { calls: 1 },
    ]);
    expect((await loadRefund(stores.events)(lost)).status).toBe('ACCEPTED');
    for (const no of queued) expect((await loadRefund(stores.events)(no)).status).toBe('REQUESTED');

    now += afterMs - 1000;
    expect(await restarted.reconciler.runOnce()).toMatchObject({ checked: 0 });
    expect(queriesSince(before)).toBe(1);
  });

  it('given the budget is spent, when queries and sends wait for it, then every send goes before any query', async () => {
    const client = fixture.client({ maxRequestsPerSecond: 5 });
    run += 1;
    const no = (i: number) => `${prefix()}${i}`;
    const refund = (i: number) =>
      client.refund({ outRefundNo: no(i), outTradeNo: `T${no(i)}`, totalFee: 100, refundFee: 100 });
    const seen = fixture.sandbox.requests().length;
    // All in one turn: five take the bucket, the rest wait for a token each 200 ms, queries first.
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => refund(i)),
      ...Array.from({ length: 3 }, (_, i) => client.queryRefund(no(i))),
      ...Array.from({ length: 3 }, (_, i) => refund(5 + i)),
    ]);
    const kinds = fixture.sandbox
      .requests()
      .slice(seen)
      .map((r) => (r.path === '/pay/refundquery' ? 'query' : 'send'));
    expect(kinds).toHaveLength(11);
    expect(kinds.slice(-3)).toEqual(['query', 'query', 'query']);
  });
});
