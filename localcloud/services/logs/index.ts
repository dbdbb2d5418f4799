import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the logs provider lands: routes its requests and answers 501.
export function createLogsService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('logs', { signingNames: ['logs'], targetPrefixes: ['Logs_20140328'] });
}
