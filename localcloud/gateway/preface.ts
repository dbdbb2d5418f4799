/**
 * Telling HTTP/1.1 from cleartext HTTP/2 by a connection's first bytes.
 *
 * An HTTP/2 client with prior knowledge opens with a fixed 24-byte magic and
 * then a SETTINGS frame (RFC 9113 §3.4). No HTTP/1.1 request line can start
 * like the magic's first line, so those 16 bytes decide the protocol; the
 * rest of the preface is checked here too, because nghttp2 answers a broken
 * one with INTERNAL_ERROR where the RFC asks for PROTOCOL_ERROR.
 */

const H2_MAGIC = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
/** The magic's first line: enough to know the client means HTTP/2. */
const H2_FIRST_LINE = 16;
const FRAME_HEADER = 9;
const SETTINGS = 0x4;
const GOAWAY = 0x7;
const PROTOCOL_ERROR = 0x1;

export type Sniffed = 'need-more' | 'http/1.1' | 'h2' | 'broken-h2';

export function sniffProtocol(head: Buffer): Sniffed {
  const compared = Math.min(head.length, H2_FIRST_LINE);
  if (!head.subarray(0, compared).equals(H2_MAGIC.subarray(0, compared))) return 'http/1.1';
  const magicSeen = Math.min(head.length, H2_MAGIC.length);
  if (!head.subarray(0, magicSeen).equals(H2_MAGIC.subarray(0, magicSeen))) return 'broken-h2';
  if (head.length < H2_MAGIC.length + FRAME_HEADER) return 'need-more';
  const firstFrameType = head[H2_MAGIC.length + 3];
  const firstFrameStream = head.readUInt32BE(H2_MAGIC.length + 5) & 0x7fffffff;
  return firstFrameType === SETTINGS && firstFrameStream === 0 ? 'h2' : 'broken-h2';
}

/**
 * What the server sends a client whose preface is broken: its own (empty)
 * SETTINGS, as every server connection starts, then GOAWAY with
 * PROTOCOL_ERROR and no stream processed.
 */
export function protocolErrorGoaway(): Buffer {
  const settings = frameHeader(0, SETTINGS);
  const goaway = Buffer.concat([frameHeader(8, GOAWAY), Buffer.alloc(8)]);
  goaway.writeUInt32BE(PROTOCOL_ERROR, FRAME_HEADER + 4);
  return Buffer.concat([settings, goaway]);
}

function frameHeader(length: number, type: number): Buffer {
  const header = Buffer.alloc(FRAME_HEADER);
  header.writeUIntBE(length, 0, 3);
  header[3] = type;
  return header;
}
