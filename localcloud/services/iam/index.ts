import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the iam provider lands: routes its requests and answers 501.
export function createIamService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('iam', { signingNames: ['iam'] });
}
