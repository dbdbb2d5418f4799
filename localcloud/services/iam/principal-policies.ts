import { accountOf, requireGroup, requireRole, requireUser, type IamContext, type IamOperations } from './context.js';
import { noSuchEntity } from './errors.js';
import type { IamAccount } from './model.js';
import { checkPolicySize, parsePolicyDocument } from './policy-document.js';
import { findPolicy } from './managed-policies.js';
import { encodeDocument } from './shapes.js';
import * as check from './validate.js';

/**
 * Inline policies and managed-policy attachments of users, groups and roles:
 * the same twelve operations per kind of principal, differing only in names
 * and in IAM's aggregate inline size limits.
 */
interface PrincipalKind {
  kind: 'User' | 'Group' | 'Role';
  /** How IAM words the kind in messages (`user policy`, `The role with name`). */
  label: string;
  nameField: 'UserName' | 'GroupName' | 'RoleName';
  validationField: string;
  maxNameLength: number;
  /** Total size of a principal's inline policies, whitespace excluded. */
  inlineLimit: number;
  find(account: IamAccount, name: string): { name: string; inlinePolicies: Record<string, string>; attachedPolicies: string[] };
}

const KINDS: PrincipalKind[] = [
  { kind: 'User', label: 'user', nameField: 'UserName', validationField: 'userName', maxNameLength: 128, inlineLimit: 2048, find: requireUser },
  { kind: 'Group', label: 'group', nameField: 'GroupName', validationField: 'groupName', maxNameLength: 128, inlineLimit: 5120, find: requireGroup },
  { kind: 'Role', label: 'role', nameField: 'RoleName', validationField: 'roleName', maxNameLength: 64, inlineLimit: 10240, find: requireRole },
];

export function principalPolicyOperations(ctx: IamContext): IamOperations {
  const operations: IamOperations = {};
  for (const k of KINDS) {
    const principal = (account: IamAccount, input: any) => k.find(account, check.name(input[k.nameField], k.validationField, k.maxNameLength));

    operations[`Put${k.kind}Policy`] = (input, req) => {
      const { account, save } = accountOf(ctx, req);
      const target = principal(account, input);
      const policyName = check.name(input.PolicyName, 'policyName', 128);
      parsePolicyDocument(input.PolicyDocument, 'identity');
      const others = Object.entries(target.inlinePolicies).filter(([n]) => n !== policyName).map(([, d]) => d);
      checkPolicySize([...others, input.PolicyDocument].join(''), k.inlineLimit, `${k.label} ${target.name}`);
      target.inlinePolicies[policyName] = input.PolicyDocument;
      save();
    };

    operations[`Get${k.kind}Policy`] = (input, req) => {
      const { account } = accountOf(ctx, req);
      const target = principal(account, input);
      const policyName = check.name(input.PolicyName, 'policyName', 128);
      const document = Object.hasOwn(target.inlinePolicies, policyName) ? target.inlinePolicies[policyName] : undefined;
      if (document === undefined) throw noSuchEntity(`The ${k.label} policy with name ${policyName} cannot be found.`);
      return { [k.nameField]: target.name, PolicyName: policyName, PolicyDocument: encodeDocument(document) };
    };

    operations[`List${k.kind}Policies`] = (input, req) => {
      const { account } = accountOf(ctx, req);
      const names = Object.keys(principal(account, input).inlinePolicies).sort();
      const { page, IsTruncated, Marker } = check.paginate(names, input.Marker, input.MaxItems);
      return { PolicyNames: page, IsTruncated, Marker };
    };

    operations[`Delete${k.kind}Policy`] = (input, req) => {
      const { account, save } = accountOf(ctx, req);
      const target = principal(account, input);
      const policyName = check.name(input.PolicyName, 'policyName', 128);
      if (!Object.hasOwn(target.inlinePolicies, policyName)) throw noSuchEntity(`The ${k.label} policy with name ${policyName} cannot be found.`);
      delete target.inlinePolicies[policyName];
      save();
    };

    operations[`Attach${k.kind}Policy`] = (input, req) => {
      const { account, save } = accountOf(ctx, req);
      const target = principal(account, input);
      const arn = check.arn(input.PolicyArn, 'policyArn');
      if (!findPolicy(account, arn)) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
      if (!target.attachedPolicies.includes(arn)) target.attachedPolicies.push(arn);
      save();
    };

    operations[`Detach${k.kind}Policy`] = (input, req) => {
      const { account, save } = accountOf(ctx, req);
      const target = principal(account, input);
      const arn = check.arn(input.PolicyArn, 'policyArn');
      if (!target.attachedPolicies.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
      target.attachedPolicies = target.attachedPolicies.filter((a) => a !== arn);
      save();
    };

    operations[`ListAttached${k.kind}Policies`] = (input, req) => {
      const { account } = accountOf(ctx, req);
      const prefix = input.PathPrefix === undefined ? '/' : String(input.PathPrefix);
      const attached = principal(account, input)
        .attachedPolicies.map((arn) => findPolicy(account, arn))
        .filter((p) => p !== undefined && p.path.startsWith(prefix))
        .map((p) => ({ PolicyName: p!.name, PolicyArn: p!.arn }));
      const { page, IsTruncated, Marker } = check.paginate(attached, input.Marker, input.MaxItems);
      return { AttachedPolicies: page, IsTruncated, Marker };
    };
  }
  return operations;
}
