import http from 'node:http';

export interface RawHttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP/1.1 request with exactly the headers given — `Host` and `Origin`
 * included, which fetch() will not let a test choose — to a cloud on loopback.
 */
export function rawHttp(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawHttpResponse> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: hostname, port: Number(port), method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {}, setHost: !options.headers?.host },
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
