import http from 'node:http';
import { signedHeaders, type SigningOptions } from './sign.js';

export interface RawHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP/1.1 request with exactly the headers given — `Host` and `Origin`
 * included, which fetch() will not let a test choose — to a cloud on loopback.
 * With `sign`, the request is SigV4-signed first (the given Host included),
 * as every AWS request must be; without it, it goes unsigned.
 */
export async function rawHttp(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer; sign?: SigningOptions },
): Promise<RawHttpResponse> {
  const { port, hostname } = new URL(url);
  const method = options.method ?? 'GET';
  const headers = options.sign
    ? await signedHeaders(url, { method, target: options.path, headers: options.headers, body: options.body }, options.sign)
    : (options.headers ?? {});
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port: Number(port), method, path: options.path, headers, setHost: !headers.host },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
