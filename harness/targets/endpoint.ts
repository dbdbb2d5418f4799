/** Any AWS-compatible endpoint that already runs (LocalStack elsewhere, moto, a colleague's cloud): ENDPOINT_URL. */
import { UserError } from '../support/errors.js';
import { probeHealth } from '../support/network.js';
import { LOCAL_CREDENTIALS, type Connection, type Target, type TargetSettings } from './types.js';

export const endpointTarget: Target = {
  name: 'endpoint',
  async connect(settings: TargetSettings): Promise<Connection> {
    const raw = settings.endpointUrl;
    if (!raw) {
      throw new UserError('TARGET=endpoint needs the endpoint to use: set ENDPOINT_URL (e.g. ENDPOINT_URL=http://127.0.0.1:4566) or pass --endpoint-url');
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UserError(`ENDPOINT_URL '${raw}' is not a URL; expected something like http://127.0.0.1:4566`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserError(`ENDPOINT_URL '${raw}' must start with http:// or https://`);
    }
    const endpoint = raw.replace(/\/+$/, '');
    // Not every AWS-compatible endpoint has LocalStack's health route; it only improves the description.
    const health = await probeHealth(endpoint);
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    const credentials =
      accessKeyId && secretAccessKey
        ? { accessKeyId, secretAccessKey, ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}) }
        : LOCAL_CREDENTIALS;
    return {
      target: 'endpoint',
      endpoint,
      region: settings.region,
      credentials,
      local: true,
      owned: false,
      description: `the endpoint ${endpoint}${health?.edition ? ` (${health.edition})` : ''}`,
      stop: async () => {},
    };
  },
};
