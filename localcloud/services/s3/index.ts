import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the s3 provider lands: routes its requests and answers 501.
export function createS3Service(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('s3', { signingNames: ['s3'] });
}
