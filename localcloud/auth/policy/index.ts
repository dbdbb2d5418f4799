/**
 * IAM policy evaluation, as AWS documents it: pure functions over policy
 * documents and a request, no service state. The services (or the gateway)
 * gather the policies that apply and ask for a decision; see evaluate.ts for
 * the rules.
 */
export { evaluate } from './evaluate.js';
export { denialMessage } from './messages.js';
export { leastPrivilegePolicy } from './least-privilege.js';
export { parsePolicy, PolicyValidationError, type CompiledPolicy } from './parse.js';
export type {
  ConditionValue,
  ContextValue,
  Decision,
  DecidingPolicyType,
  EvaluationInput,
  NamedPolicy,
  PolicyDocument,
  PolicyKind,
  PolicyStatement,
  PrincipalElement,
  StatementRef,
} from './types.js';
