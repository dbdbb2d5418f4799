/** The debug proxy's WebSocket reader: it must see every DevTools message, however TCP splits the bytes. */
import { expect } from 'chai';
import { WebSocketMessageReader } from '../../../localcloud/services/lambda/runtime/debug/websocket-frames.js';
import { parseDebugFunctions } from '../../../localcloud/services/lambda/runtime/debug/debug-functions.js';

function frame(opcode: number, payload: Buffer, fin = true, mask?: Buffer): Buffer {
  const head = [(fin ? 0x80 : 0) | opcode];
  const maskBit = mask ? 0x80 : 0;
  let length: Buffer;
  if (payload.length < 126) length = Buffer.from([maskBit | payload.length]);
  else if (payload.length < 65536) {
    length = Buffer.alloc(3);
    length[0] = maskBit | 126;
    length.writeUInt16BE(payload.length, 1);
  } else {
    length = Buffer.alloc(9);
    length[0] = maskBit | 127;
    length.writeBigUInt64BE(BigInt(payload.length), 1);
  }
  const body = mask ? Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!)) : payload;
  return Buffer.concat([Buffer.from(head), length, mask ?? Buffer.alloc(0), body]);
}

const UPGRADE = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');

describe('Lambda debug mode: WebSocket message reader', function () {
  it('reads text messages after the upgrade response, byte by byte', function () {
    const seen: string[] = [];
    const reader = new WebSocketMessageReader((m) => seen.push(m));
    const paused = JSON.stringify({ method: 'Debugger.paused', params: { reason: 'other', data: 'x'.repeat(300) } });
    const bytes = Buffer.concat([UPGRADE, frame(1, Buffer.from('{"id":1,"result":{}}')), frame(1, Buffer.from(paused))]);
    for (const byte of bytes) reader.push(Buffer.from([byte]));
    expect(seen).to.deep.equal(['{"id":1,"result":{}}', paused]);
  });

  it('joins fragments, skips control and binary frames, unmasks, and reads 64-bit lengths', function () {
    const seen: string[] = [];
    const reader = new WebSocketMessageReader((m) => seen.push(m));
    const big = 'y'.repeat(70_000);
    reader.push(
      Buffer.concat([
        UPGRADE,
        frame(1, Buffer.from('{"method":"Debugger.'), false),
        frame(9, Buffer.from('ping')),
        frame(0, Buffer.from('resumed"}')),
        frame(2, Buffer.from([1, 2, 3])),
        frame(1, Buffer.from('masked'), true, Buffer.from([1, 2, 3, 4])),
        frame(1, Buffer.from(big)),
      ]),
    );
    expect(seen).to.deep.equal(['{"method":"Debugger.resumed"}', 'masked', big]);
  });
});

describe('Lambda debug mode: --debug-function / LOCALCLOUD_DEBUG_FUNCTIONS', function () {
  it('reads name=port pairs, repeated or comma-separated', function () {
    expect(parseDebugFunctions(['a=9229', 'b=9230,c-d=9231'], 'x')).to.deep.equal({ a: 9229, b: 9230, 'c-d': 9231 });
    expect(parseDebugFunctions([], 'x')).to.deep.equal({});
  });
  it('refuses anything else with the expected form, and one port for two functions', function () {
    expect(() => parseDebugFunctions(['a'], '--debug-function')).to.throw(/--debug-function: 'a' is not <function name>=<port>/);
    expect(() => parseDebugFunctions(['a=70000'], 'x')).to.throw(/port 1-65535/);
    expect(() => parseDebugFunctions(['a=9229,b=9229'], 'x')).to.throw(/port 9229 is given to both a and b/);
  });
});
