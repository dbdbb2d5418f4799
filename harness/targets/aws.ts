/**
 * Real AWS through the standard credential chain (environment, profiles, SSO,
 * instance roles). Nothing is configured here beyond the region, so
 * AWS_PROFILE, AWS_ENDPOINT_URL and friends work as for any SDK program.
 */
import { UserError, errorMessage, errorName } from '../support/errors.js';
import { callerAccount } from './clients.js';
import type { Connection, Target, TargetSettings } from './types.js';

const CREDENTIAL_HINT =
  'configure them with `aws configure` / `aws sso login`, set AWS_PROFILE, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

export const awsTarget: Target = {
  name: 'aws',
  async connect(settings: TargetSettings): Promise<Connection> {
    const connection = { region: settings.region };
    let accountId: string;
    try {
      accountId = await callerAccount(connection);
    } catch (error) {
      throw new UserError(credentialFailure(error, settings.region));
    }
    const endpointOverride = process.env.AWS_ENDPOINT_URL;
    return {
      target: 'aws',
      region: settings.region,
      accountId,
      local: false,
      owned: false,
      description: endpointOverride
        ? `AWS API at ${endpointOverride} (AWS_ENDPOINT_URL), account ${accountId}, ${settings.region}`
        : `AWS account ${accountId} in ${settings.region}`,
      stop: async () => {},
    };
  },
};

function credentialFailure(error: unknown, region: string): string {
  const name = errorName(error);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(errorMessage(error))) {
    return `no AWS credentials found for the aws target: ${CREDENTIAL_HINT}`;
  }
  if (name === 'ExpiredToken' || name === 'ExpiredTokenException' || name === 'RequestExpired') {
    return `the AWS credentials have expired (${name}); refresh them (e.g. aws sso login) and try again`;
  }
  if (name === 'InvalidClientTokenId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied') {
    return `AWS rejected the credentials (${name}): ${errorMessage(error)}`;
  }
  return `could not reach AWS STS in ${region} to check the credentials: ${errorMessage(error)}`;
}
