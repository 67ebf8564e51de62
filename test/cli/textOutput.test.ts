import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../src/cli/csv.js';
import { formatYuan } from '../../src/cli/formatMoney.js';
import { createProgressBar } from '../../src/cli/progressBar.js';
import { textTable } from '../../src/cli/textTable.js';
import { projectedLog } from '../support/projectedLog.js';
import { makeTempDir } from '../support/fixtures.js';
import { captureIo, runCommand } from './captureIo.js';

describe('text output of the audit commands', () => {
  it('given CSV fields, then only those with a comma, quote, CR or LF are quoted, quotes doubled', () => {
    expect(csvField('plain text 商品')).toBe('plain text 商品');
    expect(csvField(' spaced ')).toBe(' spaced ');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\ronly')).toBe('"cr\ronly"');
    expect(csvField(3960)).toBe('3960');
    expect(csvField(null)).toBe('');
    expect(csvRecord(['a', null, 1])).toBe('a,,1\r\n');
  });

  it('given amounts in fen, then CNY with two decimals by integer arithmetic', () => {
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(110)).toBe('1.10');
    expect(formatYuan(3960)).toBe('39.60');
    expect(formatYuan(123_456_789_01)).toBe('123,456,789.01');
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe('90,071,992,547,409.91');
  });

  it('given Chinese text, then table columns line up by terminal cells', () => {
    expect(
      textTable([
        ['支付', 'x'],
        ['abcd', 'y'],
      ]),
    ).toBe('  支付  x\n  abcd  y\n');
    // Full-width punctuation and emoji take two cells; a combining accent takes none.
    expect(
      textTable([
        ['支付用户零钱', 'x'],
        ['退款，✅', 'y'],
        ['cafe\u0301', 'z'],
      ]),
    ).toBe('  支付用户零钱  x\n  退款，✅      y\n  cafe\u0301          z\n');
  });

  it('given progress, then one line redrawn in place with percent, rate and ETA, at most ten times a second', () => {
    let now = 0;
    const written: string[] = [];
    const bar = createProgressBar(
      { write: (text: string) => written.push(text) },
      { clock: () => now },
    );

    bar.update('replaying', 0, 0, 'events');
    now = 50;
    bar.update('replaying', 0.1, 100, 'events');
    now = 2000;
    bar.update('replaying', 0.5, 1000, 'events');
    bar.clear();

    expect(written).toHaveLength(3);
    expect(written[1]).toBe(
      '\rreplaying [############............] 50% 1,000 events · 500 events/s · ETA 2s\x1b[K',
    );
    expect(written[2]).toBe('\r\x1b[K');
  });

  it('given stderr is a terminal, then the audit draws its progress there and stdout has the report alone', async () => {
    const temp = makeTempDir();
    const log = await projectedLog(temp.dir, 50);
    await log.close();
    const run = captureIo();
    Object.assign(run.io.stderr, { isTTY: true });

    const { code } = await runCommand(temp.dir, ['audit', '--json'], run);

    expect(code).toBe(0);
    expect(JSON.parse(run.stdout())).toMatchObject({ clean: true });
    expect(run.stderr()).toContain('\rreplaying the log [');
    expect(run.stderr()).toMatch(/events\/s · ETA/);
    expect(run.stderr().endsWith('\r\x1b[K')).toBe(true);
    temp.remove();
  });
});
