import { contextOf, permission, text, unmapped, type ActionMap } from './permission.js';

/**
 * AWS STS (prefix `sts`). GetCallerIdentity needs no permission: AWS answers
 * it even when a policy denies it. Nor does GetSessionToken: "You cannot use
 * policies to control authentication operations" (IAM User Guide,
 * Permissions for GetSessionToken); session credentials are refused by STS
 * itself. AssumeRole is authorized on the role,
 * with the session name and external id as condition keys (trust policies
 * test them), plus sts:TagSession / sts:SetSourceIdentity when the request
 * passes tags or a source identity.
 */
export const stsPermissions: ActionMap = (operation, input) => {
  switch (operation) {
    case 'GetCallerIdentity':
    case 'GetSessionToken':
      return [];
    case 'AssumeRole': {
      const role = text(input?.RoleArn) ?? '*';
      const context = contextOf({
        'sts:RoleSessionName': text(input?.RoleSessionName),
        'sts:ExternalId': text(input?.ExternalId),
        'sts:SourceIdentity': text(input?.SourceIdentity),
      });
      const permissions = [permission('sts:AssumeRole', role, context)];
      const tagged = (Array.isArray(input?.Tags) && input.Tags.length > 0) || (Array.isArray(input?.TransitiveTagKeys) && input.TransitiveTagKeys.length > 0);
      if (tagged) permissions.push(permission('sts:TagSession', role));
      if (context?.['sts:SourceIdentity']) permissions.push(permission('sts:SetSourceIdentity', role, { 'sts:SourceIdentity': context['sts:SourceIdentity'] }));
      return permissions;
    }
    case 'GetAccessKeyInfo':
      return [permission('sts:GetAccessKeyInfo', '*')];
    default:
      return unmapped('sts', operation);
  }
};
