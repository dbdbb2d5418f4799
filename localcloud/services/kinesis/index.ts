import type { CloudContext, ServiceProvider } from '../../core/types.js';
import { notImplementedService } from '../not-implemented.js';

// Placeholder until the kinesis provider lands: routes its requests and answers 501.
export function createKinesisService(_ctx: CloudContext): ServiceProvider {
  return notImplementedService('kinesis', { signingNames: ['kinesis'], targetPrefixes: ['Kinesis_20131202'] });
}
