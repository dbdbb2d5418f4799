import type { AccessKeyMetadata, Group, Policy, PolicyVersion, Role, User } from '@aws-sdk/client-iam';
import type { AwsManagedPolicy } from './aws-managed-policies.js';
import type { AccessKeyRecord, GroupRecord, IamAccount, ManagedPolicyRecord, RoleRecord, Tag, UserRecord } from './model.js';

/**
 * Records → the SDK's output shapes. IAM returns policy documents
 * URL-encoded (RFC 3986), which is what every SDK expects to decode.
 */

export const encodeDocument = (document: string) => encodeURIComponent(document);

export const userArn = (accountId: string, u: { path: string; name: string }) => `arn:aws:iam::${accountId}:user${u.path}${u.name}`;
export const roleArn = (accountId: string, r: { path: string; name: string }) => `arn:aws:iam::${accountId}:role${r.path}${r.name}`;
export const groupArn = (accountId: string, g: { path: string; name: string }) => `arn:aws:iam::${accountId}:group${g.path}${g.name}`;
export const customerPolicyArn = (accountId: string, path: string, name: string) => `arn:aws:iam::${accountId}:policy${path}${name}`;
export const rootArn = (accountId: string) => `arn:aws:iam::${accountId}:root`;

const tagList = (tags: Tag[]) => (tags.length > 0 ? tags.map((t) => ({ ...t })) : undefined);
const boundary = (arn: string | undefined) => (arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy' as const, PermissionsBoundaryArn: arn } : undefined);

export function userShape(accountId: string, u: UserRecord, withTags = true): User {
  return {
    Path: u.path,
    UserName: u.name,
    UserId: u.id,
    Arn: userArn(accountId, u),
    CreateDate: new Date(u.createDate),
    PermissionsBoundary: boundary(u.permissionsBoundary),
    Tags: withTags ? tagList(u.tags) : undefined,
  };
}

export function roleShape(accountId: string, r: RoleRecord, detail = true): Role {
  return {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: roleArn(accountId, r),
    CreateDate: new Date(r.createDate),
    AssumeRolePolicyDocument: encodeDocument(r.assumeRolePolicyDocument),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
    PermissionsBoundary: boundary(r.permissionsBoundary),
    Tags: detail ? tagList(r.tags) : undefined,
    RoleLastUsed: detail ? {} : undefined,
  };
}

export function groupShape(accountId: string, g: GroupRecord): Group {
  return { Path: g.path, GroupName: g.name, GroupId: g.id, Arn: groupArn(accountId, g), CreateDate: new Date(g.createDate) };
}

export function customerPolicyShape(account: IamAccount, p: ManagedPolicyRecord, withTags = true): Policy {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: account.attachmentsOf(p.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.description,
    CreateDate: new Date(p.createDate),
    UpdateDate: new Date(p.updateDate),
    Tags: withTags ? tagList(p.tags) : undefined,
  };
}

export function awsPolicyShape(account: IamAccount, p: AwsManagedPolicy): Policy {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: account.attachmentsOf(p.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: p.description,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
  };
}

export function policyVersionShape(versionId: string, document: string | undefined, isDefault: boolean, createDate: Date): PolicyVersion {
  return { Document: document === undefined ? undefined : encodeDocument(document), VersionId: versionId, IsDefaultVersion: isDefault, CreateDate: createDate };
}

export function accessKeyMetadata(k: AccessKeyRecord): AccessKeyMetadata {
  return { UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: new Date(k.createDate) };
}
