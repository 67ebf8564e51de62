import { describe, expect, it } from 'vitest';
import {
  chinaTimeToIso,
  fenField,
  settlementFenField,
} from '../../../src/infrastructure/wechat/wechatFieldSchemas.js';

describe('WeChat field schemas', () => {
  it('given WeChat China time, when converted, then it is ISO 8601 with +08:00', () => {
    expect(chinaTimeToIso('2018-11-19 16:24:13')).toBe('2018-11-19T16:24:13+08:00');
    expect(new Date(chinaTimeToIso('2018-11-19 16:24:13')!).toISOString()).toBe(
      '2018-11-19T08:24:13.000Z',
    );
  });

  it.each([
    '2018-11-19T16:24:13',
    '2018-02-30 10:00:00',
    '2018-11-19 24:00:00',
    '',
    '20181119162413',
  ])('given %j, when converted, then it is refused', (text) => {
    expect(chinaTimeToIso(text)).toBeUndefined();
  });

  it('given amounts as decimal strings, when parsed, then they are integers in fen', () => {
    expect(fenField.parse('3960')).toBe(3960);
    expect(fenField.parse('2147483647')).toBe(2_147_483_647);
    expect(settlementFenField.parse('0')).toBe(0);
  });

  it.each(['2147483648', '9007199254740991'])(
    'given the amount %j, past WeChat’s 32-bit fee fields, when parsed, then it is refused',
    (text) => {
      expect(fenField.safeParse(text).success).toBe(false);
      expect(settlementFenField.safeParse(text).success).toBe(false);
    },
  );

  it.each(['0', '-1', '1.5', '01', '1e3', ' 1', '99999999999999999'])(
    'given the amount %j, when parsed as a positive fen amount, then it is refused',
    (text) => {
      expect(fenField.safeParse(text).success).toBe(false);
    },
  );
});
