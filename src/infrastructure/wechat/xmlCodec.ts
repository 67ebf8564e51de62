import { XMLParser, XMLValidator } from 'fast-xml-parser';

export type WechatXmlErrorCode =
  | 'XML_TOO_LARGE'
  | 'XML_FORBIDDEN_DTD'
  | 'XML_MALFORMED'
  /** Well-formed, but not what the parser accepts: a reserved name, nesting too deep. */
  | 'XML_UNSUPPORTED';

/** Input that is not the flat WeChat XML we accept. The message never quotes the input. */
export class WechatXmlError extends Error {
  override readonly name = 'WechatXmlError';

  constructor(
    readonly code: WechatXmlErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type XmlRoot = 'xml' | 'root';

export type ParseWechatXmlOptions = {
  /** `xml` for API bodies and notifications, `root` for a decrypted req_info. */
  root?: XmlRoot;
  maxBytes?: number;
};

export const defaultMaxXmlBytes = 64 * 1024;

// Every value stays a string: ids such as refund_id 50000408942018111907145868882 have 29 digits
// and must not become numbers (DESIGN §3). Entities are not processed at all, and a DTD is refused
// before the parser sees the text, so no entity expansion (XXE, "billion laughs") can happen.
// One parser for every message: it holds only its options (each parse has a state of its own),
// which were built again for every message before (~5% of a validate-and-parse, measured).
const parser = new XMLParser({
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: false,
});

const dtd = /<!\s*(DOCTYPE|ENTITY)/i;

const decodeUtf8 = (input: Buffer): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new WechatXmlError('XML_MALFORMED', 'the body is not valid UTF-8');
  }
};

/**
 * fast-xml-parser refuses some well-formed XML by throwing a plain Error: names such as
 * `constructor`, `prototype` or `__proto__` (it guards against prototype pollution) and nesting
 * deeper than it allows. That is input we do not accept, not a fault of ours; its message is not
 * repeated because it quotes the input.
 */
const parseWellFormed = (text: string): unknown => {
  try {
    return parser.parse(text);
  } catch {
    throw new WechatXmlError(
      'XML_UNSUPPORTED',
      'a reserved element name (such as __proto__) or nesting too deep',
    );
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses WeChat's flat XML (`<xml><name>value</name>…</xml>`) into a map of strings. Callers
 * validate the map with zod. Throws WechatXmlError for anything else: too large, a DTD, not
 * well-formed, another root, nested or repeated fields.
 */
export const parseWechatXml = (
  input: string | Buffer,
  { root = 'xml', maxBytes = defaultMaxXmlBytes }: ParseWechatXmlOptions = {},
): Record<string, string> => {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size > maxBytes) {
    throw new WechatXmlError('XML_TOO_LARGE', `the body has ${size} bytes, above ${maxBytes}`);
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  if (dtd.test(text)) {
    throw new WechatXmlError('XML_FORBIDDEN_DTD', 'DOCTYPE and ENTITY declarations are refused');
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new WechatXmlError(
      'XML_MALFORMED',
      `not well-formed XML (${valid.err.code} at line ${valid.err.line})`,
    );
  }
  const document = parseWellFormed(text);
  if (!isRecord(document) || Object.keys(document).length !== 1 || !(root in document)) {
    throw new WechatXmlError('XML_MALFORMED', `expected a single <${root}> element`);
  }
  const body = document[root];
  if (body === '') return {};
  if (!isRecord(body)) {
    throw new WechatXmlError('XML_MALFORMED', `<${root}> must contain fields`);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name === '#text') {
      // Whitespace between fields is fine; text mixed with fields is not WeChat's format.
      if (typeof value === 'string' && value.trim() === '') continue;
      throw new WechatXmlError('XML_MALFORMED', `<${root}> mixes text with fields`);
    }
    if (typeof value !== 'string') {
      throw new WechatXmlError('XML_MALFORMED', `field ${name} is repeated or nested`);
    }
    fields[name] = value;
  }
  return fields;
};

const fieldName = /^[A-Za-z_][A-Za-z0-9_]*$/;

// A CDATA section cannot contain "]]>", so such a value is split over two sections.
const cdata = (value: string): string =>
  `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/**
 * Writes a flat map as WeChat XML. Digit-only values are written bare, as WeChat does for fees;
 * everything else goes in CDATA, so no value is ever entity-escaped and every value round-trips.
 */
export const buildWechatXml = (
  fields: Readonly<Record<string, string>>,
  root: XmlRoot = 'xml',
): string => {
  const parts = Object.entries(fields).map(([name, value]) => {
    if (!fieldName.test(name)) throw new TypeError(`invalid XML field name: ${name}`);
    return `<${name}>${/^\d+$/.test(value) ? value : cdata(value)}</${name}>`;
  });
  return `<${root}>${parts.join('')}</${root}>`;
};
