import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the lambda provider lands: routes its requests and answers 501.
export function createLambdaService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('lambda', { signingNames: ['lambda'] });
}
