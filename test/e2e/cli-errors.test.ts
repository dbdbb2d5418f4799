/**
 * The CLI's promise for the failures a user meets first: one clear line on
 * stderr (no stack trace), nothing half-done, a non-zero exit code.
 */
import net from 'node:net';
import { expect } from 'chai';
import { dockerEngineStatus } from '../../harness/targets/docker.js';
import { isolatedEnv, lines, runCli, type CliResult } from './support/cli.js';

describe('harness CLI: one-line failures', function () {
  this.timeout(60_000);

  function expectOneLine(result: CliResult, pattern: RegExp): void {
    const errorLines = lines(result.stderr);
    expect(errorLines, `stderr:\n${result.stderr}`).to.have.length(1);
    expect(errorLines[0]).to.match(/^error: /);
    expect(errorLines[0]).to.match(pattern);
    expect(result.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    expect(result.code).to.be.a('number').and.not.equal(0);
  }

  it('TARGET=localstack without a Docker engine says so and names the embedded target', async function () {
    const docker = await dockerEngineStatus();
    if (docker.available) {
      console.log('    skipped: a Docker engine answers on this machine, so there is no failure to show');
      this.skip();
    }
    const result = await runCli(['up'], isolatedEnv({ TARGET: 'localstack' }));
    expectOneLine(result, /Docker engine/);
    expect(result.stderr).to.match(/embedded/);
  });

  it('an upper-case stack name is refused with the reason, before anything starts', async function () {
    const result = await runCli(['deploy', '--stack', 'IoT-Backend'], isolatedEnv());
    expectOneLine(result, /stack name 'IoT-Backend' must be lower case: .*bucket/);
    expect(result.stderr).to.match(/try 'iot-backend'/);
    expect(result.stdout).to.equal('');
  });

  it('deploy-aws without AWS credentials says how to provide them', async function () {
    // AWS_ENDPOINT_URL points at a closed local port: even a bug here could not reach AWS.
    const result = await runCli(['deploy', '--target', 'aws'], isolatedEnv({ AWS_ENDPOINT_URL: 'http://127.0.0.1:9' }));
    expectOneLine(result, /no AWS credentials found/);
    expect(result.stderr).to.match(/AWS_PROFILE|aws configure/);
  });

  it('a port already in use is named, with what to do', async function () {
    // Something that holds the port but is not a local cloud.
    const blocker = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const result = await runCli(['up', '--port', String(port)], isolatedEnv());
      expectOneLine(result, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expect(result.stderr).to.match(/PORT=|--port/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
