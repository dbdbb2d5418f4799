import type { AddPermissionRequest, AddPermissionResponse, GetPolicyResponse } from '@aws-sdk/client-lambda';
import { randomUUID } from 'node:crypto';
import { resolveVersion, type FunctionStore, type LambdaFunction, type PolicyStatement } from '../model/functions.js';
import { functionArn } from '../model/names.js';
import { conflict, invalidParameter, notFound, preconditionFailed } from './errors.js';
import type { Caller, FunctionOperations } from './functions.js';
import { Validator } from './validation.js';

/**
 * The function's resource-based policy: AddPermission / RemovePermission /
 * GetPolicy. Each version (or $LATEST, the unqualified ARN) has its own
 * statements, told apart by their Resource, with unique Sids per policy.
 */
export class PermissionOperations {
  constructor(
    private readonly functions: FunctionStore,
    private readonly functionOps: FunctionOperations,
  ) {}

  add(rawName: string, input: AddPermissionRequest, caller: Caller): AddPermissionResponse {
    new Validator()
      .required(input.StatementId, 'statementId')
      .required(input.Action, 'action')
      .required(input.Principal, 'principal')
      .length(input.StatementId, 'statementId', 1, 100)
      .pattern(input.StatementId, 'statementId', /^[a-zA-Z0-9_.-]+$/, '([a-zA-Z0-9-_.]+)')
      .pattern(input.Action, 'action', /^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/, '(lambda:[*]|lambda:[a-zA-Z]+|[*])')
      .pattern(input.Principal, 'principal', /^[^\s]+$/, '[^\\s]+')
      .throwIfInvalid();
    const { fn, ref } = this.functionOps.resolve(rawName, input.Qualifier, caller);
    if (input.RevisionId && input.RevisionId !== fn.policyRevisionId) throw preconditionFailed();
    const resource = functionArn(fn, ref.qualifier && ref.qualifier !== '$LATEST' ? ref.qualifier : undefined);
    if (fn.policy.some((s) => s.Resource === resource && s.Sid === input.StatementId)) {
      throw conflict('The statement id (' + input.StatementId + ') provided already exists. Please specify a new statement id, or remove the existing statement.');
    }
    const statement: PolicyStatement = {
      Sid: input.StatementId!,
      Effect: 'Allow',
      Principal: principalOf(input.Principal!),
      Action: input.Action!,
      Resource: resource,
    };
    const condition = conditionOf(input);
    if (condition) statement.Condition = condition;
    fn.policy.push(statement);
    fn.policyRevisionId = randomUUID();
    this.functions.save(fn);
    return { Statement: JSON.stringify(statement) };
  }

  remove(rawName: string, statementId: string, qualifier: string | undefined, revisionId: string | undefined, caller: Caller): void {
    const { fn, ref } = this.functionOps.resolve(rawName, qualifier, caller);
    if (revisionId && revisionId !== fn.policyRevisionId) throw preconditionFailed();
    const resource = functionArn(fn, ref.qualifier && ref.qualifier !== '$LATEST' ? ref.qualifier : undefined);
    const index = fn.policy.findIndex((s) => s.Resource === resource && s.Sid === statementId);
    if (index < 0) throw notFound(`Statement ${statementId} is not found in resource policy.`);
    fn.policy.splice(index, 1);
    fn.policyRevisionId = randomUUID();
    this.functions.save(fn);
  }

  get(rawName: string, qualifier: string | undefined, caller: Caller): GetPolicyResponse {
    const { fn, ref } = this.functionOps.resolve(rawName, qualifier, caller);
    resolveVersion(fn, ref.qualifier);
    const policy = policyDocument(fn, ref.qualifier);
    if (policy === undefined) throw notFound('The resource you requested does not exist.');
    return { Policy: policy, RevisionId: fn.policyRevisionId };
  }
}

/**
 * The resource-based policy of one function version, as GetPolicy returns it
 * (JSON text), or undefined when it has no statements. The unqualified ARN and
 * `$LATEST` share one policy; each published version has its own.
 */
export function policyDocument(fn: LambdaFunction, qualifier: string | undefined): string | undefined {
  const resource = functionArn(fn, qualifier && qualifier !== '$LATEST' ? qualifier : undefined);
  const statements = fn.policy.filter((s) => s.Resource === resource);
  return statements.length === 0 ? undefined : JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: statements });
}

/** How Lambda writes the principal it was given: a service, an account (as its root ARN), an ARN, or anyone. */
function principalOf(principal: string): PolicyStatement['Principal'] {
  if (principal === '*') return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:aws:iam::${principal}:root` };
  if (principal.startsWith('arn:')) return { AWS: principal };
  if (/^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com|aws\.internal)$/.test(principal)) return { Service: principal };
  throw invalidParameter('The provided principal was invalid. Please check the principal and try again.');
}

function conditionOf(input: AddPermissionRequest): PolicyStatement['Condition'] | undefined {
  const condition: Record<string, Record<string, string>> = {};
  const add = (operator: string, key: string, value: string | undefined) => {
    if (value) (condition[operator] ??= {})[key] = value;
  };
  add('StringEquals', 'AWS:SourceAccount', input.SourceAccount);
  add('StringEquals', 'aws:PrincipalOrgID', input.PrincipalOrgID);
  add('StringEquals', 'lambda:EventSourceToken', input.EventSourceToken);
  add('StringEquals', 'lambda:FunctionUrlAuthType', input.FunctionUrlAuthType);
  add('ArnLike', 'AWS:SourceArn', input.SourceArn);
  return Object.keys(condition).length > 0 ? condition : undefined;
}
