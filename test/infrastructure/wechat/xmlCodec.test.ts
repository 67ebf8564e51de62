import { describe, expect, it } from 'vitest';
import {
  WechatXmlError,
  buildWechatXml,
  parseWechatXml,
} from '../../../src/infrastructure/wechat/xmlCodec.js';

const errorCodeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof WechatXmlError ? error.code : `unexpected ${String(error)}`;
  }
};

describe('WeChat XML codec', () => {
  it('given a 29-digit refund_id, when parsed, then it stays the exact string', () => {
    const fields = parseWechatXml(
      '<xml><refund_id>50000408942018111907145868882</refund_id><total_fee>0100</total_fee></xml>',
    );
    expect(fields).toEqual({ refund_id: '50000408942018111907145868882', total_fee: '0100' });
  });

  it('given fields, when written and parsed again, then every value round-trips exactly', () => {
    const fields = {
      refund_id: '50000408942018111907145868882',
      refund_desc: '退款 <b>&amp; "quoted" ]]> end',
      spaces: '  padded  ',
      empty: '',
      flag: 'true',
    };
    expect(parseWechatXml(buildWechatXml(fields))).toEqual(fields);
    expect(parseWechatXml(buildWechatXml(fields, 'root'), { root: 'root' })).toEqual(fields);
  });

  it('given text values, when written, then they are CDATA and digits are bare', () => {
    expect(buildWechatXml({ return_code: 'SUCCESS', total_fee: '100' })).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><total_fee>100</total_fee></xml>',
    );
  });

  it('given whitespace between fields and an XML declaration, when parsed, then they are ignored', () => {
    expect(
      parseWechatXml('<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <a>1</a>\n</xml>\n'),
    ).toEqual({ a: '1' });
  });

  it('given an entity reference, when parsed, then it is not expanded', () => {
    expect(parseWechatXml('<xml><a>x&amp;y</a></xml>')).toEqual({ a: 'x&amp;y' });
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE xml [<!ENTITY x "boom">]><xml><a>&x;</a></xml>'],
    ['an external entity', '<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><xml/>'],
    ['an ENTITY alone', '<xml><!ENTITY x "y"><a>1</a></xml>'],
    ['a lowercase doctype', '<!doctype xml><xml><a>1</a></xml>'],
  ])('given %s, when parsed, then it is refused before parsing', (_, text) => {
    expect(errorCodeOf(() => parseWechatXml(text))).toBe('XML_FORBIDDEN_DTD');
  });

  it('given a body above the cap, when parsed, then it is refused as too large', () => {
    const text = `<xml><a>${'x'.repeat(70 * 1024)}</a></xml>`;
    expect(errorCodeOf(() => parseWechatXml(text))).toBe('XML_TOO_LARGE');
    expect(errorCodeOf(() => parseWechatXml(Buffer.from(text)))).toBe('XML_TOO_LARGE');
    expect(errorCodeOf(() => parseWechatXml('<xml><a>1</a></xml>', { maxBytes: 5 }))).toBe(
      'XML_TOO_LARGE',
    );
  });

  it.each([
    ['not XML', 'hello'],
    ['unbalanced tags', '<xml><a>1</b></xml>'],
    ['another root', '<root><a>1</a></root>'],
    ['two roots', '<xml><a>1</a></xml><xml/>'],
    ['a repeated field', '<xml><a>1</a><a>2</a></xml>'],
    ['a nested field', '<xml><a><b>1</b></a></xml>'],
    ['text beside fields', '<xml>text<a>1</a></xml>'],
  ])('given %s, when parsed, then it is malformed', (_, text) => {
    expect(errorCodeOf(() => parseWechatXml(text))).toBe('XML_MALFORMED');
  });

  // Well-formed, but fast-xml-parser throws a plain Error for these names and this depth.
  it.each([
    ['a field named constructor', '<xml><constructor>x</constructor></xml>'],
    ['an empty field named prototype', '<xml><prototype/></xml>'],
    ['a root named prototype', '<prototype/>'],
    ['a field named __proto__', '<xml><__proto__>x</__proto__></xml>'],
    ['nesting deeper than 100', `<xml>${'<a>'.repeat(101)}x${'</a>'.repeat(101)}</xml>`],
  ])('given %s, when parsed, then it is refused as unsupported', (_, text) => {
    expect(errorCodeOf(() => parseWechatXml(text))).toBe('XML_UNSUPPORTED');
  });

  it('given bytes that are not UTF-8, when parsed, then it is malformed', () => {
    expect(errorCodeOf(() => parseWechatXml(Buffer.from([0x3c, 0xff, 0xfe, 0x3e])))).toBe(
      'XML_MALFORMED',
    );
  });

  it('given an empty root, when parsed, then there are no fields', () => {
    expect(parseWechatXml('<xml></xml>')).toEqual({});
  });
});
