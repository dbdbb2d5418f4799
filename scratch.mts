import http2 from 'node:http2'; import net from 'node:net';
const h2 = http2.createServer({}, (q, r) => r.end('ok'));
h2.on('session', (s) => { console.log(' session'); for (const e of ['error','frameError','goaway','close','remoteSettings','timeout']) s.on(e, (...a: any[]) => console.log('  ev', e, a.map(x => x?.code ?? x?.message ?? x).join(' '))); s.on('error', () => s.destroy()); });
await new Promise<void>(r => h2.listen(0, '127.0.0.1', r));
const port = (h2.address() as net.AddressInfo).port;
const frame = (type: number, flags: number, stream: number, payload = Buffer.alloc(0)) => { const h = Buffer.alloc(9); h.writeUIntBE(payload.length, 0, 3); h[3] = type; h[4] = flags; h.writeUInt32BE(stream, 5); return Buffer.concat([h, payload]); };
const s = net.connect(port, '127.0.0.1'); s.on('data', d => console.log(' data', d.length)); s.on('close', () => { console.log(' closed'); process.exit(0); });
s.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(4,0,0), frame(0, 0, 0, Buffer.from('x'))])); setTimeout(() => { console.log(' still open'); process.exit(0); }, 1500);
