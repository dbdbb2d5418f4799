import type {
  CreatePolicyCommandOutput,
  CreatePolicyVersionCommandOutput,
  GetPolicyCommandOutput,
  GetPolicyVersionCommandOutput,
  ListPoliciesCommandOutput,
  ListPolicyTagsCommandOutput,
  ListPolicyVersionsCommandOutput,
} from '@aws-sdk/client-iam';
import { AwsError } from '../../core/errors.js';
import { awsManagedPolicies, awsManagedPolicy, type AwsManagedPolicy } from './aws-managed-policies.js';
import { accountOf, type IamContext, type IamOperations } from './context.js';
import { deleteConflict, entityAlreadyExists, invalidInput, limitExceeded, noSuchEntity } from './errors.js';
import { uniqueId } from './ids.js';
import type { IamAccount, ManagedPolicyRecord } from './model.js';
import { checkPolicySize, parsePolicyDocument } from './policy-document.js';
import { awsPolicyShape, customerPolicyArn, customerPolicyShape, policyVersionShape } from './shapes.js';
import * as check from './validate.js';

type Output<T> = Omit<T, '$metadata'>;

const MANAGED_POLICY_LIMIT = 6144;
const MAX_VERSIONS = 5;

/** A managed policy of either origin, as attachments and evaluators see it. */
export interface ManagedPolicyView {
  name: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  /** The document of the default version, as stored. */
  document: string;
  customer?: ManagedPolicyRecord;
  aws?: AwsManagedPolicy;
}

/** A customer managed policy of this account, or an AWS managed policy, by ARN. */
export function findPolicy(account: IamAccount, arn: string): ManagedPolicyView | undefined {
  const customer = account.policies.get(arn);
  if (customer) {
    const version = customer.versions.find((v) => v.versionId === customer.defaultVersionId)!;
    return { name: customer.name, arn, path: customer.path, defaultVersionId: customer.defaultVersionId, document: version.document, customer };
  }
  const aws = awsManagedPolicy(arn);
  if (aws) return { name: aws.name, arn, path: aws.path, defaultVersionId: aws.defaultVersionId, document: aws.document, aws };
  return undefined;
}

export function managedPolicyOperations(ctx: IamContext): IamOperations {
  function requirePolicy(account: IamAccount, arnValue: unknown): ManagedPolicyView {
    const arn = check.arn(arnValue, 'policyArn');
    const policy = findPolicy(account, arn);
    if (!policy) throw noSuchEntity(`Policy ${arn} was not found.`);
    return policy;
  }

  function requireCustomerPolicy(account: IamAccount, arnValue: unknown): ManagedPolicyRecord {
    const policy = requirePolicy(account, arnValue);
    if (!policy.customer) throw new AwsError('AccessDenied', `Policy ${policy.arn} is an AWS managed policy and cannot be modified.`, 403);
    return policy.customer;
  }

  return {
    CreatePolicy(input, req): Output<CreatePolicyCommandOutput> {
      const { account, save } = accountOf(ctx, req);
      const name = check.name(input.PolicyName, 'policyName', 128);
      const path = check.iamPath(input.Path);
      parsePolicyDocument(input.PolicyDocument, 'identity');
      checkPolicySize(input.PolicyDocument, MANAGED_POLICY_LIMIT, `policy ${name}`);
      if ([...account.policies.values()].some((p) => p.name.toLowerCase() === name.toLowerCase())) {
        throw entityAlreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`);
      }
      const now = ctx.now().toISOString();
      const policy: ManagedPolicyRecord = {
        name,
        id: uniqueId('ANPA'),
        path,
        arn: customerPolicyArn(req.accountId, path, name),
        description: check.optionalText(input.Description, 'description', 1000),
        createDate: now,
        updateDate: now,
        tags: check.tags(input.Tags),
        defaultVersionId: 'v1',
        versions: [{ versionId: 'v1', document: input.PolicyDocument, createDate: now }],
        nextVersion: 2,
      };
      account.policies.set(policy.arn, policy);
      save();
      return { Policy: customerPolicyShape(account, policy) };
    },

    GetPolicy(input, req): Output<GetPolicyCommandOutput> {
      const { account } = accountOf(ctx, req);
      const policy = requirePolicy(account, input.PolicyArn);
      return { Policy: policy.customer ? customerPolicyShape(account, policy.customer) : awsPolicyShape(account, policy.aws!) };
    },

    ListPolicies(input, req): Output<ListPoliciesCommandOutput> {
      const { account } = accountOf(ctx, req);
      const scope = input.Scope ?? 'All';
      if (!['All', 'AWS', 'Local'].includes(scope)) throw invalidInput(`Invalid Scope: ${scope}`);
      const prefix = input.PathPrefix === undefined ? '/' : String(input.PathPrefix);
      const onlyAttached = check.boolean(input.OnlyAttached) ?? false;
      const policies = [
        ...(scope === 'Local' ? [] : awsManagedPolicies().map((p) => awsPolicyShape(account, p))),
        ...(scope === 'AWS' ? [] : [...account.policies.values()].map((p) => customerPolicyShape(account, p, false))),
      ].filter((p) => p.Path!.startsWith(prefix) && (!onlyAttached || p.AttachmentCount! > 0));
      const { page, IsTruncated, Marker } = check.paginate(policies, input.Marker, input.MaxItems);
      return { Policies: page, IsTruncated, Marker };
    },

    DeletePolicy(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const policy = requireCustomerPolicy(account, input.PolicyArn);
      if (account.attachmentsOf(policy.arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
      if (policy.versions.length > 1) throw deleteConflict('This policy has more than one version. Before you delete a policy, you must delete the policy\'s versions. The default version is deleted with the policy.');
      account.policies.delete(policy.arn);
      save();
    },

    GetPolicyVersion(input, req): Output<GetPolicyVersionCommandOutput> {
      const { account } = accountOf(ctx, req);
      const policy = requirePolicy(account, input.PolicyArn);
      const versionId = String(input.VersionId ?? '');
      if (policy.aws) {
        if (versionId !== policy.aws.defaultVersionId) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
        return { PolicyVersion: policyVersionShape(versionId, policy.aws.document, true, policy.aws.updateDate) };
      }
      const version = policy.customer!.versions.find((v) => v.versionId === versionId);
      if (!version) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
      return { PolicyVersion: policyVersionShape(versionId, version.document, versionId === policy.defaultVersionId, new Date(version.createDate)) };
    },

    ListPolicyVersions(input, req): Output<ListPolicyVersionsCommandOutput> {
      const { account } = accountOf(ctx, req);
      const policy = requirePolicy(account, input.PolicyArn);
      const versions = policy.aws
        ? [policyVersionShape(policy.aws.defaultVersionId, undefined, true, policy.aws.updateDate)]
        : [...policy.customer!.versions]
            .reverse()
            .map((v) => policyVersionShape(v.versionId, undefined, v.versionId === policy.defaultVersionId, new Date(v.createDate)));
      const { page, IsTruncated, Marker } = check.paginate(versions, input.Marker, input.MaxItems);
      return { Versions: page, IsTruncated, Marker };
    },

    CreatePolicyVersion(input, req): Output<CreatePolicyVersionCommandOutput> {
      const { account, save } = accountOf(ctx, req);
      const policy = requireCustomerPolicy(account, input.PolicyArn);
      parsePolicyDocument(input.PolicyDocument, 'identity');
      checkPolicySize(input.PolicyDocument, MANAGED_POLICY_LIMIT, `policy ${policy.name}`);
      if (policy.versions.length >= MAX_VERSIONS) {
        throw limitExceeded(`A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
      }
      const now = ctx.now().toISOString();
      const version = { versionId: `v${policy.nextVersion++}`, document: input.PolicyDocument as string, createDate: now };
      policy.versions.push(version);
      const setAsDefault = check.boolean(input.SetAsDefault) ?? false;
      if (setAsDefault) policy.defaultVersionId = version.versionId;
      policy.updateDate = now;
      save();
      return { PolicyVersion: policyVersionShape(version.versionId, undefined, setAsDefault, new Date(now)) };
    },

    SetDefaultPolicyVersion(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const policy = requireCustomerPolicy(account, input.PolicyArn);
      const versionId = String(input.VersionId ?? '');
      if (!policy.versions.some((v) => v.versionId === versionId)) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
      policy.defaultVersionId = versionId;
      policy.updateDate = ctx.now().toISOString();
      save();
    },

    DeletePolicyVersion(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const policy = requireCustomerPolicy(account, input.PolicyArn);
      const versionId = String(input.VersionId ?? '');
      if (!policy.versions.some((v) => v.versionId === versionId)) throw noSuchEntity(`Policy ${policy.arn} version ${versionId} does not exist or is not attachable.`);
      if (versionId === policy.defaultVersionId) throw deleteConflict('Cannot delete the default version of a policy.');
      policy.versions = policy.versions.filter((v) => v.versionId !== versionId);
      save();
    },

    TagPolicy(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const policy = requireCustomerPolicy(account, input.PolicyArn);
      policy.tags = check.mergeTags(policy.tags, check.tags(input.Tags));
      save();
    },

    UntagPolicy(input, req): void {
      const { account, save } = accountOf(ctx, req);
      const policy = requireCustomerPolicy(account, input.PolicyArn);
      const remove = new Set(check.stringList(input.TagKeys, 'TagKeys'));
      policy.tags = policy.tags.filter((t) => !remove.has(t.Key));
      save();
    },

    ListPolicyTags(input, req): Output<ListPolicyTagsCommandOutput> {
      const { account } = accountOf(ctx, req);
      const policy = requirePolicy(account, input.PolicyArn);
      const { page, IsTruncated, Marker } = check.paginate(policy.customer?.tags ?? [], input.Marker, input.MaxItems);
      return { Tags: page, IsTruncated, Marker };
    },
  };
}
