import type { DocumentCollection } from '../application/ports/documentStore.js';
import type { EventStore } from '../application/ports/eventStore.js';
import { queryPages } from '../application/queryPages.js';
import type { OrderSend } from '../application/orderPacing.js';
import type { IdempotencyGuard } from '../application/ports/idempotencyGuard.js';
import type { StaleRefund } from '../application/reconciler.js';
import type { RequestedRefund } from '../application/sendBacklog.js';
import { assertOrderAllows, type RefundTerms } from '../domain/index.js';
import { notificationKey, requestKey, type GuardEntry } from './idempotencyGuard.js';
import type { OrderLedger } from './orderLedger.js';
import type { RecentWrites } from './recentWrites.js';
import { loadRefundView } from './refundQueries.js';
import type { RefundView } from './refundView.js';
import type { RefundStatus } from '../domain/index.js';

/** GET /v1/refunds's filters; from and to bound requestedAt (inclusive, ISO 8601 in UTC). */
export type RefundListQuery = {
  status?: RefundStatus;
  failureCode?: string;
  outTradeNo?: string;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
};

export type RefundList = { data: RefundView[]; nextCursor: string | null };

export type OrderRefunds = {
  outTradeNo: string;
  totalFee: number;
  refundedFee: number;
  pendingFee: number;
  refunds: RefundView[];
};

/** The queries of the read side, over the current generation of each read model. */
export const createRefundReadModel = ({
  events,
  projections: {
    refundView: { collection: views },
    orderLedger: { collection: ledgers },
    idempotencyGuard: { collection: guardEntries },
  },
  recentWrites,
}: {
  events: EventStore;
  projections: {
    refundView: { collection: () => DocumentCollection<RefundView> };
    orderLedger: { collection: () => DocumentCollection<OrderLedger> };
    idempotencyGuard: { collection: () => DocumentCollection<GuardEntry> };
  };
  recentWrites: RecentWrites;
}) => {
  const fromStream = loadRefundView(events);

  /** The view, or the stream folded when the view has not caught up with this process's writes. */
  const getRefund = async (outRefundNo: string): Promise<RefundView | undefined> => {
    const view = await views().get(outRefundNo);
    if (recentWrites.isFresh(outRefundNo, view?.version)) return view;
    return fromStream(outRefundNo);
  };

  const getOrder = async (outTradeNo: string): Promise<OrderRefunds | undefined> => {
    const ledger = await ledgers().get(outTradeNo);
    if (!ledger) return undefined;
    const found = await views().findBy('outTradeNo', outTradeNo);
    const byNo = new Map(found.map((view) => [view.outRefundNo, view]));
    return {
      outTradeNo,
      totalFee: ledger.totalFee,
      refundedFee: ledger.refundedFee,
      pendingFee: ledger.pendingFee,
      // In the order the refunds were first requested.
      refunds: ledger.refunds.flatMap((entry) => byNo.get(entry.outRefundNo) ?? []),
    };
  };

  /** The order rule (DESIGN §5) over the ledger: as fresh as it, WeChat being the final authority. */
  const checkOrder = async (terms: RefundTerms): Promise<void> =>
    assertOrderAllows(await ledgers().get(terms.outTradeNo), terms);

  const guard: IdempotencyGuard = {
    requestFingerprint: async (outRefundNo) => {
      const entry = await guardEntries().get(requestKey(outRefundNo));
      return entry?.kind === 'request' ? entry.fingerprint : undefined;
    },
    notificationSeen: async (refundId, refundStatus) =>
      (await guardEntries().get(notificationKey(refundId, refundStatus))) !== undefined,
  };

  /**
   * ACCEPTED refunds accepted before the instant (their last change is the acceptance): the
   * reconciler's, once their notification is overdue.
   */
  const findAcceptedBefore = async (instant: string): Promise<StaleRefund[]> =>
    (await views().findBy('status', 'ACCEPTED')).flatMap((view) =>
      view.updatedAt < instant
        ? [{ outRefundNo: view.outRefundNo, status: 'ACCEPTED' as const, attempt: view.attempt }]
        : [],
    );

  /**
   * Every REQUESTED refund (the gateway's backlog, and the sends waiting for an answer), a page
   * at a time: a mass refund makes tens of thousands, too many to read and decode in one go.
   */
  const findRequested = async function* (pageSize = 500): AsyncIterable<RequestedRefund[]> {
    const pages = queryPages(views, {
      where: { status: 'REQUESTED' },
      orderBy: 'requestedAt',
      direction: 'desc',
      limit: pageSize,
    });
    for await (const page of pages) {
      yield page.map((view) => ({
        outRefundNo: view.outRefundNo,
        attempt: view.attempt,
        since: view.updatedAt,
      }));
    }
  };

  /**
   * When WeChat last heard of one of the order's refunds other than the one given, as the views
   * tell it (the gateway's spacing after a restart): the time of a refund's last change once
   * WeChat answered it, at or after the call; a first request not answered yet tells nothing.
   */
  const lastSend = async (
    outTradeNo: string,
    exceptOutRefundNo: string,
  ): Promise<OrderSend | undefined> => {
    let last: OrderSend | undefined;
    for (const view of await views().findBy('outTradeNo', outTradeNo)) {
      if (view.outRefundNo === exceptOutRefundNo) continue;
      if (view.status === 'REQUESTED' && view.attempt === 1) continue;
      const at = Date.parse(view.updatedAt);
      if (!last || at > last.at) last = { at, outRefundNo: view.outRefundNo };
    }
    return last;
  };

  /** A page of refunds from the view, as fresh as its projection. */
  const listRefunds = async (query: RefundListQuery): Promise<RefundList> => {
    const page = await views().query({
      where: {
        ...(query.status !== undefined && { status: query.status }),
        ...(query.failureCode !== undefined && { 'failure.code': query.failureCode }),
        ...(query.outTradeNo !== undefined && { outTradeNo: query.outTradeNo }),
      },
      orderBy: 'requestedAt',
      direction: 'desc',
      range: {
        ...(query.from !== undefined && { min: query.from }),
        ...(query.to !== undefined && { max: query.to }),
      },
      limit: query.limit,
      ...(query.cursor !== undefined && { after: query.cursor }),
    });
    return { data: page.documents, nextCursor: page.next ?? null };
  };

  return {
    getRefund,
    getOrder,
    checkOrder,
    guard,
    findAcceptedBefore,
    findRequested,
    listRefunds,
    lastSend,
  };
};

export type RefundReadModel = ReturnType<typeof createRefundReadModel>;
