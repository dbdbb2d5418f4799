/**
 * Reads the text messages a WebSocket server sends (RFC 6455 §5.2), after the
 * HTTP upgrade response, from the raw bytes a proxy relays. Only listens: the
 * bytes themselves are forwarded untouched by the caller.
 */
const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;

export class WebSocketMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Still reading the HTTP response head that precedes the frames. */
  private inHead = true;
  private fragments: Buffer[] = [];
  private fragmentIsText = false;

  constructor(private readonly onText: (message: string) => void) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    if (this.inHead) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.buffer = this.buffer.subarray(end + 4);
      this.inHead = false;
    }
    for (;;) {
      const frame = readFrame(this.buffer);
      if (!frame) return;
      this.buffer = this.buffer.subarray(frame.length);
      this.frame(frame.fin, frame.opcode, frame.payload);
    }
  }

  private frame(fin: boolean, opcode: number, payload: Buffer): void {
    if (opcode === OPCODE_TEXT || (opcode === OPCODE_CONTINUATION && this.fragments.length > 0)) {
      if (opcode === OPCODE_TEXT) this.fragmentIsText = true;
      this.fragments.push(payload);
      if (!fin) return;
      const message = Buffer.concat(this.fragments).toString('utf8');
      this.fragments = [];
      if (this.fragmentIsText) this.onText(message);
      return;
    }
    if (opcode === 0x2) {
      // Binary: not used by the DevTools protocol; skipped with its continuations.
      this.fragmentIsText = false;
      if (!fin) this.fragments.push(payload);
    }
    // Control frames (close, ping, pong) carry no messages.
  }
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /** Bytes the frame takes, header included. */
  length: number;
}

function readFrame(buffer: Buffer): Frame | undefined {
  if (buffer.length < 2) return undefined;
  const fin = (buffer[0]! & 0x80) !== 0;
  const opcode = buffer[0]! & 0x0f;
  const masked = (buffer[1]! & 0x80) !== 0;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskOffset = offset;
  if (masked) offset += 4;
  if (buffer.length < offset + length) return undefined;
  let payload = buffer.subarray(offset, offset + length);
  if (masked) {
    payload = Buffer.from(payload);
    for (let i = 0; i < payload.length; i++) payload[i]! ^= buffer[maskOffset + (i % 4)]!;
  }
  return { fin, opcode, payload, length: offset + length };
}
