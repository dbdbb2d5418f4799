import { evaluate } from '../../auth/policy/index.js';
import type { CloudContext } from '../../core/types.js';

/** What a provider with resource policies (SQS queues, Lambda functions) offers other services. */
interface ResourcePolicyHolder {
  resourcePolicy(accountId: string, region: string, resourceArn: string): Promise<string | undefined>;
}

const SNS_PRINCIPAL = 'sns.amazonaws.com';

/**
 * Whether the target's resource policy lets SNS act on it for this topic, as
 * AWS requires before SNS sends to a queue or invokes a function: a statement
 * allowing `sns.amazonaws.com` the action, usually conditioned on
 * `aws:SourceArn` = the topic. Without a policy, or with one that does not
 * allow it, SNS does not deliver.
 */
export async function snsMayAct(
  ctx: CloudContext,
  target: { service: string; action: string; arn: string; accountId: string; region: string },
  topicArn: string,
): Promise<{ allowed: boolean; reason?: string }> {
  const holder = ctx.service(target.service) as unknown as Partial<ResourcePolicyHolder> | undefined;
  const document = await holder?.resourcePolicy?.(target.accountId, target.region, target.arn);
  if (!document) return { allowed: false, reason: `${target.arn} has no resource policy allowing ${SNS_PRINCIPAL}` };
  const decision = evaluate({
    principal: { kind: 'service', service: SNS_PRINCIPAL, arn: SNS_PRINCIPAL },
    action: target.action,
    resource: target.arn,
    resourceAccountId: target.accountId,
    context: { 'aws:SourceArn': topicArn, 'aws:SourceAccount': topicArn.split(':')[4], 'aws:principalservicename': SNS_PRINCIPAL },
    identityPolicies: [],
    resourcePolicy: { id: `resource:${target.arn}`, kind: 'resource', document },
  });
  if (decision.effect === 'Allow') return { allowed: true };
  return { allowed: false, reason: `the resource policy of ${target.arn} does not allow ${SNS_PRINCIPAL} ${target.action} for ${topicArn}` };
}
