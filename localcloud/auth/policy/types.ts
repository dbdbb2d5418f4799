/**
 * The policy evaluator's vocabulary: policy documents as IAM stores them, the
 * request to decide on, and the decision.
 */
import type { Principal } from '../types.js';

/** A JSON policy document, as written (single values or lists, one statement or many). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  /** operator → condition key → one value or a list (OR'ed). */
  Condition?: Record<string, Record<string, ConditionValue | ConditionValue[]>>;
}

/** `"*"`, or `{"AWS": …, "Service": …, "Federated": …, "CanonicalUser": …}`, each a string or a list. */
export type PrincipalElement = '*' | Record<string, string | string[]>;

/** Condition values may be written as JSON numbers or booleans; IAM compares their text. */
export type ConditionValue = string | number | boolean;

/** Where a policy is attached, which decides how it takes part in the decision. */
export type PolicyKind = 'identity' | 'resource' | 'session' | 'boundary';

export interface NamedPolicy {
  /** For reports and messages: the policy ARN, or `inline:<user|role>/<name>`. */
  id: string;
  kind: PolicyKind;
  /** The document, or its JSON text (parsed and validated once, then cached by text). */
  document: PolicyDocument | string;
}

/** One request context value: a single value, a multivalued key's list, or absent. */
export type ContextValue = string | string[] | undefined;

export interface EvaluationInput {
  principal: Principal;
  /** e.g. `dynamodb:Scan`; matched case-insensitively, as IAM does. */
  action: string;
  /** The resource ARN, or `*` for actions that name none. */
  resource: string;
  /** The account that owns the resource (decides same- vs cross-account); default: the principal's. */
  resourceAccountId?: string;
  /**
   * Condition keys (`aws:SourceArn`, `aws:SourceIp`, `s3:prefix`, …), matched
   * case-insensitively. Keys describing the principal (`aws:username`,
   * `aws:userid`, `aws:PrincipalArn`, `aws:PrincipalAccount`,
   * `aws:PrincipalType`) and the time (`aws:CurrentTime`, `aws:EpochTime`)
   * are derived when not given here.
   */
  context: Record<string, ContextValue>;
  /** The user's inline, attached and groups' policies, or the role's for a role session. */
  identityPolicies: NamedPolicy[];
  /** Lambda function policy, S3 bucket policy, or a role's trust policy (for sts:AssumeRole). */
  resourcePolicy?: NamedPolicy;
  /** Session policies; defaults to the assumed-role principal's own `sessionPolicy`, if any. */
  sessionPolicies?: NamedPolicy[];
  permissionsBoundary?: NamedPolicy;
}

export type DecidingPolicyType = 'identity' | 'resource' | 'session' | 'boundary';

export interface StatementRef {
  policyId: string;
  sid?: string;
  /** Position of the statement in its policy, from 0. */
  index: number;
}

export interface Decision {
  effect: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';
  /** Which policy type decided (for the message). */
  decidedBy?: DecidingPolicyType;
  /** The statement that allowed or denied. Absent for implicit denies and for the account root's own access. */
  statement?: StatementRef;
}
