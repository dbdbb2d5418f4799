import type { CloudContext, ServiceProvider } from '../core/types.js';
import { createCloudFormationService } from './cloudformation/index.js';
import { createCloudWatchService } from './cloudwatch/index.js';
import { createDynamoDbService } from './dynamodb/index.js';
import { createIamService } from './iam/index.js';
import { createKinesisService } from './kinesis/index.js';
import { createLambdaService } from './lambda/index.js';
import { createLogsService } from './logs/index.js';
import { createS3Service } from './s3/index.js';
import { createSnsService } from './sns/index.js';
import { createSqsService } from './sqs/index.js';
import { createSsmService } from './ssm/index.js';
import { createStsService } from './sts/index.js';

/** Every service of the local cloud, one provider per AWS service. */
export function createServices(ctx: CloudContext): ServiceProvider[] {
  return [
    createS3Service(ctx),
    createDynamoDbService(ctx),
    createKinesisService(ctx),
    createCloudWatchService(ctx),
    createLogsService(ctx),
    createIamService(ctx),
    createStsService(ctx),
    createSqsService(ctx),
    createSnsService(ctx),
    createLambdaService(ctx),
    createSsmService(ctx),
    createCloudFormationService(ctx),
  ];
}
