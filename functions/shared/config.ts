/**
 * The functions' configuration: one item of the config table, written by the
 * stack's Custom::ConfigSetting resources, read once per execution environment.
 */
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { CONFIG_ENVIRONMENT, CONFIG_TABLE } from './constants.js';

export interface AppConfig {
  SensorDataTable: string;
  ArchiveBucket: string;
}

export type ConfigKey = keyof AppConfig;

/** Reads the raw config item; `undefined` when it does not exist (yet). */
export type ConfigItemReader = () => Promise<Record<string, AttributeValue> | undefined>;

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * Returns a function that resolves the configuration, fetching it on first use
 * and sharing that one promise with every later invocation of the environment.
 *
 * A failed or incomplete read is not cached: the stack may still be writing its
 * config entries, and the next invocation (the stream retries the batch) should
 * look again rather than fail forever.
 */
export function createConfigLoader<K extends ConfigKey>(
  read: ConfigItemReader,
  required: readonly K[],
): () => Promise<Pick<AppConfig, K>> {
  let pending: Promise<Pick<AppConfig, K>> | undefined;
  return () => {
    pending ??= read()
      .then((item) => pickRequired(item, required))
      .catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    return pending;
  };
}

export function pickRequired<K extends ConfigKey>(
  item: Record<string, AttributeValue> | undefined,
  required: readonly K[],
): Pick<AppConfig, K> {
  const where = `${CONFIG_TABLE} item Environment=${CONFIG_ENVIRONMENT}`;
  if (!item) {
    throw new ConfigurationError(`${where} does not exist; the stack's config custom resources have not run`);
  }
  const config = {} as Pick<AppConfig, K>;
  for (const key of required) {
    const value = item[key]?.S;
    if (value === undefined || value === '') {
      throw new ConfigurationError(`${where} has no string attribute ${key}`);
    }
    config[key] = value as AppConfig[K];
  }
  return config;
}

/** The production reader: a strongly consistent GetItem, so a just-written entry is seen. */
export function configItemReader(client: DynamoDBClient): ConfigItemReader {
  return async () => {
    const output = await client.send(
      new GetItemCommand({
        TableName: CONFIG_TABLE,
        Key: { Environment: { S: CONFIG_ENVIRONMENT } },
        ConsistentRead: true,
      }),
    );
    return output.Item;
  };
}
