// One measurement in a fresh process, so that its memory is its own:
//   node --import tsx bench/support/measureBills.ts <parse|reconcile> <dataDir> <date> <billFile>
// parse: the bill read alone (readBill over the file); reconcile: `refunds bills reconcile --date
// <date> --file <billFile> --json` as the command runs it, in this process. Prints one JSON line:
// rows, seconds, the peak resident memory (VmHWM) and the reconciliation's counts.
import { createReadStream, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { runCommandLine } from '../../src/cli/commandTable.js';
import { readBill } from '../../src/infrastructure/wechat/bills/readBill.js';

const [mode, dataDir, date, billFile] = process.argv.slice(2);
if ((mode !== 'parse' && mode !== 'reconcile') || !dataDir || !date || !billFile) {
  throw new Error('usage: measureBills.ts parse|reconcile <dataDir> <date> <billFile>');
}

const peakRssBytes = (): number => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
};

const started = performance.now();
let rows = 0;
let counts: unknown;
if (mode === 'parse') {
  for await (const item of readBill(createReadStream(billFile))) if (item.kind === 'row') rows += 1;
} else {
  let output = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const code = await runCommandLine(
    ['bills', 'reconcile', '--date', date, '--file', billFile, '--json'],
    {
      env: { LOG_LEVEL: 'warn', DATA_DIR: dataDir },
      io: { stdout: sink, stderr: process.stderr, untilStopped: async () => 0 },
    },
  );
  if (code > 1) throw new Error(`bills reconcile exited with ${code}`);
  const result = JSON.parse(output) as { billRows: number; counts: unknown };
  rows = result.billRows;
  counts = result.counts;
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, rows, seconds, peakRss: peakRssBytes(), counts })}\n`,
);
process.exit(0);
