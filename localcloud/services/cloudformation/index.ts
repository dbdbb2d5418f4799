import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the cloudformation provider lands: routes its requests and answers 501.
export function createCloudFormationService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('cloudformation', { signingNames: ['cloudformation'] });
}
