/**
 * LocalStack in Docker: through docker-compose.yml for `make up` (a named,
 * inspectable service), through testcontainers for `make e2e` (a throw-away
 * container per run, removed even if the run dies).
 */
import { spawn } from 'node:child_process';
import { UserError } from '../support/errors.js';
import { COMPOSE_FILE } from '../support/paths.js';
import { portInUseMessage, portIsFree, probeHealth, waitForHealth } from '../support/network.js';
import { dockerEngineStatus, noDockerMessage } from './docker.js';
import { LOCAL_CREDENTIALS, type Connection, type Target, type TargetSettings } from './types.js';

/** Images newer than this need LOCALSTACK_AUTH_TOKEN (LocalStack's licensing change of 2026-03-23). */
export const DEFAULT_LOCALSTACK_IMAGE = 'localstack/localstack:4.14.0';
const COMPOSE_PROJECT = 'iot-backend';
const STARTUP_TIMEOUT_MS = 180_000;

export const localstackTarget: Target = {
  name: 'localstack',
  async connect(settings: TargetSettings): Promise<Connection> {
    const docker = await dockerEngineStatus();
    if (!docker.available) throw new UserError(noDockerMessage(docker.reason));
    return settings.localstackRunner === 'testcontainers' ? startWithTestcontainers(settings) : startWithCompose(settings);
  },
};

async function startWithCompose(settings: TargetSettings): Promise<Connection> {
  const endpoint = `http://127.0.0.1:${settings.port}`;
  const base = { target: 'localstack' as const, region: settings.region, credentials: LOCAL_CREDENTIALS, local: true };
  if (await probeHealth(endpoint)) {
    return { ...base, endpoint, owned: false, description: `LocalStack already running on ${endpoint} (reused)`, stop: async () => {} };
  }
  if (!(await portIsFree(settings.port))) {
    throw new UserError(portInUseMessage(settings.port, '127.0.0.1', 'LocalStack', 'stop whatever holds it, or pick another port (PORT=4567)'));
  }
  const env = composeEnv(settings);
  await compose(['up', '--detach'], env);
  const health = await waitForHealth(endpoint, STARTUP_TIMEOUT_MS);
  if (!health) {
    await compose(['down'], env).catch(() => {});
    throw new UserError(`LocalStack did not become healthy on ${endpoint} within ${STARTUP_TIMEOUT_MS / 1000} s; see: docker compose -f docker-compose.yml logs`);
  }
  return {
    ...base,
    endpoint,
    owned: true,
    description: `LocalStack (${settings.localstackImage}) in Docker on ${endpoint}`,
    stop: () => compose(['down'], env),
  };
}

function composeEnv(settings: TargetSettings): NodeJS.ProcessEnv {
  return { ...process.env, PORT: String(settings.port), LOCALSTACK_IMAGE: settings.localstackImage };
}

function compose(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['compose', '-f', COMPOSE_FILE, '-p', COMPOSE_PROJECT, ...args], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', (error) => reject(new UserError(`docker compose could not run: ${error.message}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new UserError(`docker compose ${args[0]} failed (exit ${code}); see its output above`)),
    );
  });
}

async function startWithTestcontainers(settings: TargetSettings): Promise<Connection> {
  // Imported only here: testcontainers is a dev dependency and slow to load.
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  let container = new LocalstackContainer(settings.localstackImage)
    // LocalStack runs each Lambda function in a container of its own: it needs the engine's socket.
    .withBindMounts([{ source: '/var/run/docker.sock', target: '/var/run/docker.sock' }]);
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  if (token) container = container.withEnvironment({ LOCALSTACK_AUTH_TOKEN: token });
  const started = await container.start();
  const endpoint = started.getConnectionUri();
  return {
    target: 'localstack',
    endpoint,
    region: settings.region,
    credentials: LOCAL_CREDENTIALS,
    local: true,
    owned: true,
    description: `LocalStack (${settings.localstackImage}) in a test container on ${endpoint}`,
    stop: async () => {
      await started.stop();
    },
  };
}
