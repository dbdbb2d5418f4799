/**
 * The default target: our own local cloud, started in this process — or,
 * when one already answers on the port (a running `make up`, `make localcloud`),
 * reused as it is.
 */
import { UserError, errorMessage } from '../support/errors.js';
import { displayPath } from '../support/paths.js';
import { portInUseMessage, portIsFree, probeHealth, servicesStarting, waitForServicesRunning } from '../support/network.js';
import { acquireStateLock } from './state-lock.js';
import { LOCAL_CREDENTIALS, type Connection, type Target, type TargetSettings } from './types.js';

/** How long a reused cloud that is still loading its state may take to have every service running. */
const REUSED_CLOUD_READY_TIMEOUT_MS = 60_000;

export const embeddedTarget: Target = {
  name: 'embedded',
  async connect(settings: TargetSettings): Promise<Connection> {
    const { port, host, region } = settings;
    const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const base = { target: 'embedded' as const, region, credentials: LOCAL_CREDENTIALS, local: true };

    if (port !== 0) {
      let health = await probeHealth(endpoint);
      if (health && servicesStarting(health).length > 0) {
        // Another process's cloud answers while it still loads its state: reuse it only once it is ready.
        health = await waitForServicesRunning(endpoint, REUSED_CLOUD_READY_TIMEOUT_MS);
        const still = health ? servicesStarting(health) : [];
        if (still.length > 0) {
          throw new UserError(`the cloud on ${endpoint} still has ${still.join(', ')} starting after ${REUSED_CLOUD_READY_TIMEOUT_MS / 1000} s; see its log`);
        }
      }
      if (health) {
        const what = health.edition === 'localcloud' ? 'embedded cloud' : `cloud (${health.edition ?? 'unknown edition'})`;
        return {
          ...base,
          endpoint,
          owned: false,
          description: `the ${what} already running on ${endpoint} (reused)`,
          stop: async () => {},
        };
      }
      if (!(await portIsFree(port, host))) {
        throw new UserError(
          portInUseMessage(port, host, 'the embedded cloud', `something that is not a local cloud holds it; stop it, or pick another port (PORT=4567 / --port 4567)`),
        );
      }
    }

    const releaseLock = settings.stateDir ? acquireStateLock(settings.stateDir, port) : () => {};
    let cloud;
    try {
      // Loaded on demand: the other targets, and the CLI's argument checks, do without it.
      const { startLocalCloud } = await import('../../localcloud/localcloud.js');
      cloud = await startLocalCloud({
        port,
        host,
        region,
        stateDir: settings.stateDir,
        log: settings.cloudLog ?? (() => {}),
      });
    } catch (error) {
      releaseLock();
      // startLocalCloud words a busy port itself; a race with another process lands here.
      throw new UserError(`the embedded cloud could not start: ${errorMessage(error)}`);
    }
    const state = settings.stateDir ? `state in ${displayPath(settings.stateDir)}` : 'in memory';
    return {
      ...base,
      endpoint: cloud.url,
      owned: true,
      description: `embedded cloud on ${cloud.url} (${state})`,
      allowBrowserOrigins: (origins) => origins.forEach((origin) => cloud.allowOrigin(origin)),
      debugFunctions: (ports) => cloud.debugFunctions(ports),
      stop: async () => {
        await cloud.stop();
        releaseLock();
      },
    };
  },
};
