/**
 * Reference point: one HTTP/1.1 request/response over loopback between two
 * Node processes on a kept-alive connection — the least any call to the local
 * cloud can cost on this machine.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { stopProcess } from '../cloud-process.js';
import type { PhaseContext } from '../context.js';
import { percentiles, type Percentiles } from '../stats.js';

// A tiny server in its own process: it prints its port, then answers every request with a short body.
const SERVER = `
const server = require('node:http').createServer((req, res) => { req.resume(); res.end('ok'); });
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;

export async function measureLoopback({ options, progress }: PhaseContext): Promise<Percentiles> {
  const line = progress.phase('loopback HTTP RTT');
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const samples: number[] = [];
    const warmup = Math.min(50, options.loopbackRoundTrips);
    for (let i = 0; i < warmup + options.loopbackRoundTrips; i++) {
      const started = performance.now();
      await get(agent, port);
      if (i >= warmup) samples.push(performance.now() - started);
      if (i % 100 === 0) line.update(`${i}/${warmup + options.loopbackRoundTrips}`);
    }
    agent.destroy();
    const result = percentiles(samples);
    line.done(`p50 ${result.p50.toFixed(3)} ms, p99 ${result.p99.toFixed(3)} ms over ${samples.length} round trips`);
    return result;
  } catch (error) {
    line.fail(String(error));
    throw error;
  } finally {
    await stopProcess(child);
  }
}

function get(agent: http.Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
