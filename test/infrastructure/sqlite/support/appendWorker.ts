// Appends from a separate process: `appendWorker <file> <worker> <count> [ack]`.
// Without `ack`: races optimistic appends to one shared stream and writes to streams of its own.
// With `ack`: appends streams one by one and prints each name only after its append resolved.
import { randomUUID } from 'node:crypto';
import { createSqliteEventStore } from '../../../../src/infrastructure/sqlite/sqliteEventStore.js';

const [file, worker, countText, mode] = process.argv.slice(2);
const count = Number(countText);
const store = createSqliteEventStore({ file: file! });
const metadata = { correlationId: 'w', causationId: 'w', source: 'cli', schemaVersion: 1 };
const event = (type: string, n: number) => ({
  id: randomUUID(),
  type,
  data: { worker: worker!, n },
  metadata,
});

if (mode === 'ack') {
  for (let n = 0; ; n++) {
    const name = `acked-${worker}-${n}`;
    const result = await store.append(name, [event('Acked', n)], 'no_stream');
    if (result.ok) process.stdout.write(`${name}\n`);
  }
}

for (let n = 0; n < count; n++) {
  for (;;) {
    const read = await store.readStream('shared-counter');
    const result = await store.append(
      'shared-counter',
      [event('Counted', n)],
      read.at(-1)?.revision ?? 'no_stream',
    );
    if (result.ok) break;
  }
  await store.append(`own-${worker}-${n}`, [event('Own', n)], 'no_stream');
}
await store.close();
