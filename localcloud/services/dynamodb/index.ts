import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the dynamodb provider lands: routes its requests and answers 501.
export function createDynamoDbService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('dynamodb', { signingNames: ['dynamodb'], targetPrefixes: ['DynamoDB_20120810'] });
}
