import { AwsError, toAwsError } from '../../core/errors.js';
import type { CloudContext, ServiceProvider, ServiceRequest, ServiceResponse } from '../../core/types.js';
import { queryError, queryProtocol, type QueryOperation } from '../../protocols/query.js';
import { parseTopicArn } from './arns.js';
import { LINK_PATH } from './confirmation.js';
import { Deliveries } from './delivery.js';
import { invalidParameter, subscriptionNotFound } from './errors.js';
import { SnsOperations } from './operations.js';
import { SnsStore } from './store.js';

export { SNS_LIMITS } from './operations.js';

const XMLNS = 'https://sns.amazonaws.com/doc/2010-03-31/';

export const SNS_OPERATIONS = [
  'CreateTopic', 'DeleteTopic', 'ListTopics', 'GetTopicAttributes', 'SetTopicAttributes', 'AddPermission', 'RemovePermission',
  'TagResource', 'UntagResource', 'ListTagsForResource',
  'Subscribe', 'ConfirmSubscription', 'Unsubscribe', 'ListSubscriptions', 'ListSubscriptionsByTopic',
  'GetSubscriptionAttributes', 'SetSubscriptionAttributes', 'Publish', 'PublishBatch',
] as const;

/** What other parts of the cloud get from `ctx.service<SnsProvider>('sns')`. */
export interface SnsProvider extends ServiceProvider {
  /** The topic's Policy attribute (when one was set): topic policies are resource policies to the authorizer. */
  resourcePolicy(accountId: string, region: string, resourceArn: string): Promise<string | undefined>;
  /** Resolves once every delivery enqueued so far has been attempted. */
  deliveriesSettled(): Promise<void>;
}

/**
 * Amazon SNS over the query protocol (`Action=...`, XML in the 2010-03-31
 * namespace), which is what SDK v3, botocore and the AWS CLI send. Topics and
 * subscriptions persist under `<stateDir>/sns/`; messages are delivered to
 * SQS queues, Lambda functions and loopback HTTP(S) endpoints in the
 * background (see delivery.ts).
 */
export function createSnsService(ctx: CloudContext): SnsProvider {
  const store = new SnsStore(ctx.stateDir);
  const deliveries = new Deliveries(ctx);
  const operations = new SnsOperations(ctx, store, deliveries);
  const table: Record<string, QueryOperation> = {};
  for (const name of SNS_OPERATIONS) table[name] = (input, req) => (operations[name] as (i: unknown, r: ServiceRequest) => unknown).call(operations, input, req);

  const handleQuery = queryProtocol({
    xmlns: XMLNS,
    operations: table,
    invalidParameterCode: 'InvalidParameter',
    listParameters: ['Tags', 'TagKeys', 'AWSAccountId', 'ActionName', 'PublishBatchRequestEntries'],
  });

  /** The SubscribeURL and UnsubscribeURL links: authorized by their tokens, not by a signature. */
  function handleLink(req: ServiceRequest): ServiceResponse {
    const respond = (action: string, result: string): ServiceResponse => ({
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${XMLNS}">${result}<ResponseMetadata><RequestId>${req.requestId}</RequestId></ResponseMetadata></${action}Response>`,
    });
    try {
      const token = req.query.get('Token') ?? '';
      if (req.path === `${LINK_PATH}confirm`) {
        const arn = req.query.get('TopicArn') ?? '';
        if (!parseTopicArn(arn)) throw invalidParameter('TopicArn');
        const result = operations.ConfirmSubscription({ TopicArn: arn, Token: token });
        return respond('ConfirmSubscription', `<ConfirmSubscriptionResult><SubscriptionArn>${result.SubscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult>`);
      }
      if (req.path === `${LINK_PATH}unsubscribe`) {
        const sub = store.subscription(req.query.get('SubscriptionArn') ?? '');
        if (!sub || sub.unsubscribeToken !== token) throw subscriptionNotFound();
        // As on AWS: queue and function subscriptions, and those confirmed with AuthenticateOnUnsubscribe, need a signed Unsubscribe.
        if (sub.authenticateOnUnsubscribe || (sub.protocol !== 'http' && sub.protocol !== 'https')) {
          throw new AwsError('AuthorizationError', 'This subscription requires authentication to unsubscribe: call Unsubscribe with a signed request', 403);
        }
        store.deleteSubscription(sub);
        return respond('Unsubscribe', '');
      }
      return queryError(invalidParameter('this link is not one SNS sends'), req.requestId, XMLNS);
    } catch (err) {
      return queryError(toAwsError(err), req.requestId, XMLNS);
    }
  }

  return {
    name: 'sns',
    routes: { signingNames: ['sns'], pathPrefixes: [LINK_PATH] },
    handle: async (req) => (req.path.startsWith(LINK_PATH) ? handleLink(req) : handleQuery(req)),
    errorResponse: (error, req) => queryError(error, req.requestId, XMLNS),
    async resourcePolicy(_accountId, _region, resourceArn) {
      return store.topicByArn(resourceArn)?.attributes.Policy || undefined;
    },
    deliveriesSettled: () => deliveries.settled(),
    async start() {
      store.load();
    },
    async stop() {
      await deliveries.stop();
      store.flush();
    },
  };
}
