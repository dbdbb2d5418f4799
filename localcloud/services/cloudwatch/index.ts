import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the cloudwatch provider lands: routes its requests and answers 501.
export function createCloudWatchService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('cloudwatch', { signingNames: ['monitoring'], targetPrefixes: ['GraniteServiceVersion20100801'] });
}
