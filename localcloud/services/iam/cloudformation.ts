/**
 * CloudFormation resource types of IAM (users, roles, inline and managed
 * policies, access keys), provisioned through the IAM API like any client
 * would. IAM entities carry their inline policies and attachments, so
 * updates reconcile those lists, and deletes detach everything first (IAM
 * refuses to delete an entity that still has policies).
 */
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
  TagUserCommand,
  UntagRoleCommand,
  UntagUserCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { deepEqual } from '../cloudformation/deep-equal.js';
import {
  ignoreNotFound,
  policyJson,
  removedTagKeys,
  tagList,
  toNumber,
  type Properties,
  type ResourceProvider,
  type ResourceRequest,
} from '../cloudformation/provider.js';

type InlinePolicy = { PolicyName: string; PolicyDocument: unknown };
type Principal = 'User' | 'Role' | 'Group';

/** IAM is global, but its ARNs still name the partition and account of the stack. */
const policyArn = (request: ResourceRequest, path: string, name: string) => `arn:aws:iam::${request.stack.accountId}:policy${path}${name}`;

// --- inline policies and managed-policy attachments, shared by users and roles ---

const putInline: Record<Principal, (iam: IAMClient, name: string, policy: InlinePolicy) => Promise<unknown>> = {
  User: (iam, UserName, p) => iam.send(new PutUserPolicyCommand({ UserName, PolicyName: p.PolicyName, PolicyDocument: policyJson(p.PolicyDocument) })),
  Role: (iam, RoleName, p) => iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: p.PolicyName, PolicyDocument: policyJson(p.PolicyDocument) })),
  Group: (iam, GroupName, p) =>
    iam.send(new PutGroupPolicyCommand({ GroupName, PolicyName: p.PolicyName, PolicyDocument: policyJson(p.PolicyDocument) })),
};

const deleteInline: Record<Principal, (iam: IAMClient, name: string, policyName: string) => Promise<unknown>> = {
  User: (iam, UserName, PolicyName) => iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName })),
  Role: (iam, RoleName, PolicyName) => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })),
  Group: (iam, GroupName, PolicyName) => iam.send(new DeleteGroupPolicyCommand({ GroupName, PolicyName })),
};

const attach: Record<Principal, (iam: IAMClient, name: string, arn: string) => Promise<unknown>> = {
  User: (iam, UserName, PolicyArn) => iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn })),
  Role: (iam, RoleName, PolicyArn) => iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn })),
  Group: (iam, GroupName, PolicyArn) => iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn })),
};

const detach: Record<Principal, (iam: IAMClient, name: string, arn: string) => Promise<unknown>> = {
  User: (iam, UserName, PolicyArn) => iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn })),
  Role: (iam, RoleName, PolicyArn) => iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn })),
  Group: (iam, GroupName, PolicyArn) => iam.send(new DetachGroupPolicyCommand({ GroupName, PolicyArn })),
};

/** Brings a principal's inline policies and managed attachments from `previous` to `next`. */
async function reconcilePolicies(iam: IAMClient, kind: Principal, name: string, next: Properties, previous: Properties = {}): Promise<void> {
  const nextInline = (next.Policies ?? []) as InlinePolicy[];
  const previousInline = (previous.Policies ?? []) as InlinePolicy[];
  for (const old of previousInline) {
    if (!nextInline.some((p) => p.PolicyName === old.PolicyName)) await deleteInline[kind](iam, name, old.PolicyName).catch(ignoreNotFound);
  }
  for (const policy of nextInline) {
    const old = previousInline.find((p) => p.PolicyName === policy.PolicyName);
    if (!old || !deepEqual(old.PolicyDocument, policy.PolicyDocument)) await putInline[kind](iam, name, policy);
  }
  const nextArns = (next.ManagedPolicyArns ?? []) as string[];
  const previousArns = (previous.ManagedPolicyArns ?? []) as string[];
  for (const arn of previousArns) if (!nextArns.includes(arn)) await detach[kind](iam, name, arn).catch(ignoreNotFound);
  for (const arn of nextArns) if (!previousArns.includes(arn)) await attach[kind](iam, name, arn);
}

// --- AWS::IAM::User ---

const user: ResourceProvider = {
  type: 'AWS::IAM::User',
  attributes: ['Arn'],
  nameProperty: 'UserName',
  replaceOnChange: ['UserName'],
  async create(request) {
    const p = request.properties;
    const name = (p.UserName as string | undefined) ?? request.physicalName({ maxLength: 64 });
    const iam = request.client(IAMClient);
    const { User } = await iam.send(
      new CreateUserCommand({
        UserName: name,
        ...(p.Path ? { Path: p.Path } : {}),
        ...(p.PermissionsBoundary ? { PermissionsBoundary: p.PermissionsBoundary } : {}),
        ...(tagList(p.Tags).length > 0 ? { Tags: tagList(p.Tags) } : {}),
      }),
    );
    await reconcilePolicies(iam, 'User', name, p);
    return { physicalId: name, attributes: { Arn: User!.Arn } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const iam = request.client(IAMClient);
    await reconcilePolicies(iam, 'User', name, p, old);
    if (!deepEqual(p.Tags, old.Tags)) {
      const [tags, removed] = [tagList(p.Tags), removedTagKeys(p.Tags, old.Tags)];
      if (removed.length > 0) await iam.send(new UntagUserCommand({ UserName: name, TagKeys: removed }));
      if (tags.length > 0) await iam.send(new TagUserCommand({ UserName: name, Tags: tags }));
    }
    return { physicalId: name, attributes: request.attributes };
  },
  async delete(request) {
    const iam = request.client(IAMClient);
    const UserName = request.physicalId;
    try {
      const { PolicyNames } = await iam.send(new ListUserPoliciesCommand({ UserName }));
      for (const PolicyName of PolicyNames ?? []) await iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName })).catch(ignoreNotFound);
      const { AttachedPolicies } = await iam.send(new ListAttachedUserPoliciesCommand({ UserName }));
      for (const { PolicyArn } of AttachedPolicies ?? []) await iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn })).catch(ignoreNotFound);
      await iam.send(new DeleteUserCommand({ UserName }));
    } catch (err) {
      ignoreNotFound(err);
    }
  },
};

// --- AWS::IAM::Role ---

const role: ResourceProvider = {
  type: 'AWS::IAM::Role',
  attributes: ['Arn', 'RoleId'],
  requiredProperties: ['AssumeRolePolicyDocument'],
  nameProperty: 'RoleName',
  replaceOnChange: ['RoleName', 'Path'],
  async create(request) {
    const p = request.properties;
    const name = (p.RoleName as string | undefined) ?? request.physicalName({ maxLength: 64 });
    const iam = request.client(IAMClient);
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: policyJson(p.AssumeRolePolicyDocument),
        ...(p.Path ? { Path: p.Path } : {}),
        ...(p.Description ? { Description: p.Description } : {}),
        ...(p.MaxSessionDuration !== undefined ? { MaxSessionDuration: toNumber(p.MaxSessionDuration) } : {}),
        ...(p.PermissionsBoundary ? { PermissionsBoundary: p.PermissionsBoundary } : {}),
        ...(tagList(p.Tags).length > 0 ? { Tags: tagList(p.Tags) } : {}),
      }),
    );
    await reconcilePolicies(iam, 'Role', name, p);
    return { physicalId: name, attributes: { Arn: Role!.Arn, RoleId: Role!.RoleId } };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: name } = request;
    const iam = request.client(IAMClient);
    if (!deepEqual(p.AssumeRolePolicyDocument, old.AssumeRolePolicyDocument)) {
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: policyJson(p.AssumeRolePolicyDocument) }));
    }
    if (p.Description !== old.Description || p.MaxSessionDuration !== old.MaxSessionDuration) {
      await iam.send(
        new UpdateRoleCommand({ RoleName: name, Description: p.Description ?? '', MaxSessionDuration: toNumber(p.MaxSessionDuration) }),
      );
    }
    await reconcilePolicies(iam, 'Role', name, p, old);
    if (!deepEqual(p.Tags, old.Tags)) {
      const [tags, removed] = [tagList(p.Tags), removedTagKeys(p.Tags, old.Tags)];
      if (removed.length > 0) await iam.send(new UntagRoleCommand({ RoleName: name, TagKeys: removed }));
      if (tags.length > 0) await iam.send(new TagRoleCommand({ RoleName: name, Tags: tags }));
    }
    return { physicalId: name, attributes: request.attributes };
  },
  async delete(request) {
    const iam = request.client(IAMClient);
    const RoleName = request.physicalId;
    try {
      const { PolicyNames } = await iam.send(new ListRolePoliciesCommand({ RoleName }));
      for (const PolicyName of PolicyNames ?? []) await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })).catch(ignoreNotFound);
      const { AttachedPolicies } = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName }));
      for (const { PolicyArn } of AttachedPolicies ?? []) await iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn })).catch(ignoreNotFound);
      await iam.send(new DeleteRoleCommand({ RoleName }));
    } catch (err) {
      ignoreNotFound(err);
    }
  },
};

// --- AWS::IAM::Policy (inline policy on users, roles and groups) ---

function principals(p: Properties): [Principal, string][] {
  return [
    ...((p.Users ?? []) as string[]).map((name) => ['User', name] as [Principal, string]),
    ...((p.Roles ?? []) as string[]).map((name) => ['Role', name] as [Principal, string]),
    ...((p.Groups ?? []) as string[]).map((name) => ['Group', name] as [Principal, string]),
  ];
}

const inlinePolicy: ResourceProvider = {
  type: 'AWS::IAM::Policy',
  attributes: ['Id'],
  requiredProperties: ['PolicyName', 'PolicyDocument'],
  async create(request) {
    const p = request.properties;
    const iam = request.client(IAMClient);
    for (const [kind, name] of principals(p)) await putInline[kind](iam, name, p as InlinePolicy);
    const physicalId = request.physicalName({ maxLength: 128 });
    return { physicalId, attributes: { Id: physicalId } };
  },
  async update(request) {
    const { properties: p, previousProperties: old } = request;
    const iam = request.client(IAMClient);
    const current = principals(p).map(([kind, name]) => `${kind}:${name}`);
    for (const [kind, name] of principals(old)) {
      if (!current.includes(`${kind}:${name}`) || old.PolicyName !== p.PolicyName) {
        await deleteInline[kind](iam, name, old.PolicyName).catch(ignoreNotFound);
      }
    }
    for (const [kind, name] of principals(p)) await putInline[kind](iam, name, p as InlinePolicy);
    return { physicalId: request.physicalId, attributes: request.attributes };
  },
  async delete(request) {
    const p = request.properties;
    const iam = request.client(IAMClient);
    for (const [kind, name] of principals(p)) await deleteInline[kind](iam, name, p.PolicyName).catch(ignoreNotFound);
  },
};

// --- AWS::IAM::AccessKey ---

const accessKey: ResourceProvider = {
  type: 'AWS::IAM::AccessKey',
  attributes: ['SecretAccessKey'],
  requiredProperties: ['UserName'],
  replaceOnChange: ['UserName', 'Serial'],
  async create(request) {
    const p = request.properties;
    const iam = request.client(IAMClient);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: p.UserName }));
    if (p.Status === 'Inactive') {
      await iam.send(new UpdateAccessKeyCommand({ UserName: p.UserName, AccessKeyId: AccessKey!.AccessKeyId, Status: 'Inactive' }));
    }
    return { physicalId: AccessKey!.AccessKeyId!, attributes: { SecretAccessKey: AccessKey!.SecretAccessKey } };
  },
  async update(request) {
    const p = request.properties;
    await request
      .client(IAMClient)
      .send(new UpdateAccessKeyCommand({ UserName: p.UserName, AccessKeyId: request.physicalId, Status: p.Status ?? 'Active' }));
    return { physicalId: request.physicalId, attributes: request.attributes };
  },
  async delete(request) {
    await request
      .client(IAMClient)
      .send(new DeleteAccessKeyCommand({ UserName: request.properties.UserName, AccessKeyId: request.physicalId }))
      .catch(ignoreNotFound);
  },
};

// --- AWS::IAM::ManagedPolicy ---

const managedPolicy: ResourceProvider = {
  type: 'AWS::IAM::ManagedPolicy',
  attributes: ['PolicyArn', 'PolicyId', 'DefaultVersionId', 'AttachmentCount', 'IsAttachable', 'CreateDate', 'UpdateDate'],
  requiredProperties: ['PolicyDocument'],
  nameProperty: 'ManagedPolicyName',
  replaceOnChange: ['ManagedPolicyName', 'Path', 'Description'],
  async create(request) {
    const p = request.properties;
    const name = (p.ManagedPolicyName as string | undefined) ?? request.physicalName({ maxLength: 128 });
    const iam = request.client(IAMClient);
    const { Policy } = await iam.send(
      new CreatePolicyCommand({
        PolicyName: name,
        PolicyDocument: policyJson(p.PolicyDocument),
        ...(p.Path ? { Path: p.Path } : {}),
        ...(p.Description ? { Description: p.Description } : {}),
      }),
    );
    const arn = Policy?.Arn ?? policyArn(request, p.Path ?? '/', name);
    for (const [kind, principal] of principals(p)) await attach[kind](iam, principal, arn);
    return {
      physicalId: arn,
      attributes: {
        PolicyArn: arn,
        PolicyId: Policy?.PolicyId,
        DefaultVersionId: Policy?.DefaultVersionId ?? 'v1',
        AttachmentCount: principals(p).length,
        IsAttachable: true,
      },
    };
  },
  async update(request) {
    const { properties: p, previousProperties: old, physicalId: arn } = request;
    const iam = request.client(IAMClient);
    if (!deepEqual(p.PolicyDocument, old.PolicyDocument)) {
      // IAM keeps at most five versions: drop the oldest non-default one first.
      const { Versions } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
      const stale = (Versions ?? []).filter((v) => !v.IsDefaultVersion);
      if ((Versions ?? []).length >= 5 && stale.length > 0) {
        const oldest = stale.sort((a, b) => Number(a.CreateDate) - Number(b.CreateDate))[0]!;
        await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: oldest.VersionId }));
      }
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: policyJson(p.PolicyDocument), SetAsDefault: true }));
    }
    const current = principals(p).map(([kind, name]) => `${kind}:${name}`);
    const before = principals(old).map(([kind, name]) => `${kind}:${name}`);
    for (const [kind, name] of principals(old)) if (!current.includes(`${kind}:${name}`)) await detach[kind](iam, name, arn).catch(ignoreNotFound);
    for (const [kind, name] of principals(p)) if (!before.includes(`${kind}:${name}`)) await attach[kind](iam, name, arn);
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    return {
      physicalId: arn,
      attributes: { ...request.attributes, DefaultVersionId: Policy?.DefaultVersionId, AttachmentCount: Policy?.AttachmentCount },
    };
  },
  async delete(request) {
    const iam = request.client(IAMClient);
    const arn = request.physicalId;
    try {
      for (const [kind, name] of principals(request.properties)) await detach[kind](iam, name, arn).catch(ignoreNotFound);
      const { Versions } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
      for (const version of Versions ?? []) {
        if (!version.IsDefaultVersion) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: version.VersionId }));
      }
      await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
    } catch (err) {
      ignoreNotFound(err);
    }
  },
};

export const resourceProviders: ResourceProvider[] = [user, role, inlinePolicy, accessKey, managedPolicy];
