/**
 * SDK client configuration for a connection: only region, and endpoint and
 * credentials where the target has them. Nothing else is set, so on the aws
 * target the SDK resolves endpoint and credentials exactly as it would for any
 * program — including AWS_ENDPOINT_URL, which an explicit endpoint would override.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Connection, Credentials } from './types.js';

export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: Credentials;
}

export function clientConfig(connection: Pick<Connection, 'region' | 'endpoint' | 'credentials'>, credentials?: Credentials): ClientConfig {
  const config: ClientConfig = { region: connection.region };
  if (connection.endpoint) config.endpoint = connection.endpoint;
  const creds = credentials ?? connection.credentials;
  if (creds) config.credentials = creds;
  return config;
}

/**
 * S3 wants path-style addressing against a local endpoint given by host name
 * (bucket.localhost does not resolve everywhere); against an IP address and on
 * real AWS the SDK chooses correctly by itself.
 */
export function s3ClientConfig(
  connection: Pick<Connection, 'region' | 'endpoint' | 'credentials'>,
  credentials?: Credentials,
): ClientConfig & { forcePathStyle?: boolean } {
  const config = clientConfig(connection, credentials);
  return connection.endpoint ? { ...config, forcePathStyle: true } : config;
}

/** The account the admin credentials belong to (STS GetCallerIdentity). */
export async function callerAccount(connection: Pick<Connection, 'region' | 'endpoint' | 'credentials'>): Promise<string> {
  const sts = new STSClient(clientConfig(connection));
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    if (!identity.Account) throw new Error('GetCallerIdentity returned no account');
    return identity.Account;
  } finally {
    sts.destroy();
  }
}

/**
 * The admin credentials as values (the test page's server signs with them).
 * On the aws target they come from the standard chain, resolved the way any
 * client would resolve them.
 */
export async function resolveCredentials(connection: Pick<Connection, 'region' | 'endpoint' | 'credentials'>): Promise<Credentials> {
  if (connection.credentials) return connection.credentials;
  const sts = new STSClient(clientConfig(connection));
  try {
    const identity = await sts.config.credentials();
    return {
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
    };
  } finally {
    sts.destroy();
  }
}
