import http from 'node:http';

/** What the test page needs to know, taken from the stack's outputs and the target. */
export interface TestPageConfig {
  /** Where the browser sends AWS calls (the local cloud, or undefined for real AWS endpoints). */
  endpoint?: string;
  region: string;
  stackName: string;
  /** The stack's outputs: AccessKeyId, SecretAccessKey, LambdaAPIFunction, KinesisStream, ... */
  outputs: Record<string, string>;
  /** Credentials the page's own server uses for what the TestClient may not do (reading metrics). */
  adminCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface TestPageServer {
  url: string;
  stop(): Promise<void>;
}

// Placeholder until the test page lands: serves the configuration so `make up` has a page to point at.
export async function startTestPageServer(config: TestPageConfig, options: { port?: number; host?: string } = {}): Promise<TestPageServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`IoT Backend test page (not built yet)\nstack ${config.stackName} in ${config.region}\n`);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}/`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
