import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the sts provider lands: routes its requests and answers 501.
export function createStsService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('sts', { signingNames: ['sts'], queryActions: ['GetCallerIdentity', 'AssumeRole'] });
}
