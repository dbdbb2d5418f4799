/**
 * AWS's access-denied wording: `User: <arn> is not authorized to perform:
 * <action> on resource: <arn> because no identity-based policy allows the
 * <action> action`, or `… with an explicit deny in a resource-based policy`.
 * Actions that name no resource (`*`) leave out the `on resource:` part, as
 * AWS does.
 */
import type { Principal } from '../types.js';
import type { DecidingPolicyType, Decision, EvaluationInput } from './types.js';

const POLICY_TYPE: Record<DecidingPolicyType, { explicit: string; implicit: string }> = {
  identity: { explicit: 'an identity-based policy', implicit: 'identity-based policy' },
  resource: { explicit: 'a resource-based policy', implicit: 'resource-based policy' },
  session: { explicit: 'a session policy', implicit: 'session policy' },
  boundary: { explicit: 'a permissions boundary', implicit: 'permissions boundary' },
};

export function denialMessage(input: EvaluationInput, decision: Decision): string {
  const onResource = input.resource === '*' ? '' : ` on resource: ${input.resource}`;
  const head = `User: ${callerName(input.principal)} is not authorized to perform: ${input.action}${onResource}`;
  const type = POLICY_TYPE[decision.decidedBy ?? 'identity'];
  switch (decision.effect) {
    case 'ExplicitDeny':
      return `${head} with an explicit deny in ${type.explicit}`;
    case 'ImplicitDeny':
      return `${head} because no ${type.implicit} allows the ${input.action} action`;
    case 'Allow':
      throw new Error(`denialMessage: ${input.action} on ${input.resource} was allowed`);
  }
}

function callerName(principal: Principal): string {
  switch (principal.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'service':
      return principal.service;
    default:
      return principal.arn;
  }
}
