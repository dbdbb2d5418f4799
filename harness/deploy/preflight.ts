/**
 * Checks that catch, before a stack is created, what would otherwise fail
 * minutes in and roll everything back.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UserError } from '../support/errors.js';
import { clientConfig } from '../targets/clients.js';
import type { Connection } from '../targets/types.js';

/** Tables the template creates under a fixed TableName (the original's IoTRefArchConfig). */
export function fixedTableNames(templateBody: string): { logicalId: string; tableName: string }[] {
  const template = JSON.parse(templateBody) as { Resources?: Record<string, { Type?: string; Properties?: { TableName?: unknown } }> };
  return Object.entries(template.Resources ?? {}).flatMap(([logicalId, resource]) =>
    resource.Type === 'AWS::DynamoDB::Table' && typeof resource.Properties?.TableName === 'string'
      ? [{ logicalId, tableName: resource.Properties.TableName }]
      : [],
  );
}

/**
 * A fixed table name exists once per account and region: a second IoT backend
 * stack there would fail at that table and roll back.
 */
export async function assertFixedNamesFree(connection: Connection, stackName: string, templateBody: string): Promise<void> {
  const tables = fixedTableNames(templateBody);
  if (tables.length === 0) return;
  const dynamodb = new DynamoDBClient(clientConfig(connection));
  try {
    for (const { logicalId, tableName } of tables) {
      try {
        await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
      } catch (error) {
        if ((error as Error).name === 'ResourceNotFoundException') continue;
        throw error;
      }
      throw new UserError(
        `stack ${stackName} cannot be created here: its ${logicalId} is the table ${tableName}, a name the template fixes, and that table already exists (another IoT backend stack in this account and region?); destroy that stack or deploy to another region`,
      );
    }
  } finally {
    dynamodb.destroy();
  }
}
