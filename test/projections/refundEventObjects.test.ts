import { describe, expect, it, vi } from 'vitest';
import { createRefundCommandHandler } from '../../src/application/handleRefundCommand.js';
import { refundCategory } from '../../src/application/refundEventCodec.js';
import { refundEventObjects } from '../../src/projections/refundEventObjects.js';
import { acceptRefund, requestRefund } from '../domain/refund/refundFixtures.js';
import { sqliteStoresPerTest } from '../support/fixtures.js';

const context = { correlationId: 'objects', causationId: 'objects', source: 'api' as const };

describe('refund event objects', () => {
  const stores = sqliteStoresPerTest();
  const handle = () => createRefundCommandHandler({ events: stores.events });
  const logged = () => stores.events.readCategory(refundCategory, { limit: 100 });

  it('given the views of recent streams kept, when the next events of those refunds come, then they are folded onto the kept views, no stream is read, and the objects are those of a full fold', async () => {
    await handle()(requestRefund({ outRefundNo: 'K1', outTradeNo: 'K1' }), context);
    await handle()(requestRefund({ outRefundNo: 'K2', outTradeNo: 'K2' }), context);
    const cached = refundEventObjects(stores.events, { cachedStreams: 10 });
    await cached(await logged());
    await handle()(acceptRefund({ outRefundNo: 'K1' }), context);
    await handle()(acceptRefund({ outRefundNo: 'K2' }), context);
    const accepted = (await logged()).slice(2);
    const reads = vi.spyOn(stores.events, 'readStream');

    const objects = await cached(accepted);

    expect(reads).not.toHaveBeenCalled();
    expect(objects).toEqual(await refundEventObjects(stores.events)(accepted));
    expect(objects.map((o) => [o.type, o.data.object.status, o.data.object.version])).toEqual([
      ['refund.accepted', 'ACCEPTED', 2],
      ['refund.accepted', 'ACCEPTED', 2],
    ]);
  });

  it('given more streams than are kept, then the one kept longest is dropped first and read again when needed', async () => {
    for (const n of [1, 2, 3]) {
      await handle()(requestRefund({ outRefundNo: `L${n}`, outTradeNo: `L${n}` }), context);
    }
    const cached = refundEventObjects(stores.events, { cachedStreams: 2 });
    await cached(await logged());
    // L1 was the first kept and is gone; reading it again drops L2, and L3 is still kept.
    for (const n of [1, 3]) await handle()(acceptRefund({ outRefundNo: `L${n}` }), context);
    const reads = vi.spyOn(stores.events, 'readStream');

    const objects = await cached((await logged()).slice(3));

    expect(reads.mock.calls.map(([stream]) => stream)).toEqual(['refund-L1']);
    expect(objects.map((o) => [o.data.object.outRefundNo, o.data.object.status])).toEqual([
      ['L1', 'ACCEPTED'],
      ['L3', 'ACCEPTED'],
    ]);
  });

  it('given an event whose earlier view is not kept, then its stream is read and folded up to its revision', async () => {
    await handle()(requestRefund({ outRefundNo: 'M1', outTradeNo: 'M1' }), context);
    await handle()(acceptRefund({ outRefundNo: 'M1' }), context);
    const reads = vi.spyOn(stores.events, 'readStream');

    const [accepted] = await refundEventObjects(stores.events, { cachedStreams: 5 })(
      (await logged()).slice(1),
    );

    expect(reads).toHaveBeenCalledTimes(1);
    expect(accepted?.data.object).toMatchObject({ status: 'ACCEPTED', version: 2 });
  });
});
