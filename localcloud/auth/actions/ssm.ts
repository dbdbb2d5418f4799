import { permission, text, unmapped, type ActionMap } from './permission.js';
import type { ServiceRequest } from '../../core/types.js';

/** Operations on one parameter named by `Name` (possibly with a `:version`/`:label` selector, or as an ARN). */
const NAME_OPERATIONS = new Set(['PutParameter', 'GetParameter', 'DeleteParameter', 'GetParameterHistory', 'LabelParameterVersion', 'UnlabelParameterVersion']);
/** Operations on up to ten parameters named by `Names`. */
const NAMES_OPERATIONS = new Set(['GetParameters', 'DeleteParameters']);
const TAG_OPERATIONS = new Set(['AddTagsToResource', 'RemoveTagsFromResource', 'ListTagsForResource']);

/**
 * SSM Parameter Store (prefix `ssm`): each operation is `ssm:<Operation>` on
 * `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`;
 * GetParametersByPath on the path, DescribeParameters on `*` (as the Service
 * Authorization Reference lists them).
 */
export const ssmPermissions: ActionMap = (operation, input, req) => {
  const action = `ssm:${operation}`;
  if (NAME_OPERATIONS.has(operation)) return [permission(action, parameterArn(req, text(input?.Name) ?? '', operation === 'GetParameter'))];
  if (NAMES_OPERATIONS.has(operation)) {
    const names = Array.isArray(input?.Names) ? input.Names.filter((n: unknown) => typeof n === 'string' && n !== '') : [];
    return names.length > 0 ? names.map((name: string) => permission(action, parameterArn(req, name, operation === 'GetParameters'))) : [permission(action, '*')];
  }
  if (operation === 'GetParametersByPath') return [permission(action, parameterArn(req, text(input?.Path) ?? '', false))];
  if (TAG_OPERATIONS.has(operation)) return [permission(action, input?.ResourceType === 'Parameter' ? parameterArn(req, text(input?.ResourceId) ?? '', false) : '*')];
  if (operation === 'DescribeParameters') return [permission(action, '*')];
  return unmapped('ssm', operation);
};

/** The parameter's ARN; reads may carry a `:version` or `:label` selector, which is not part of it. */
function parameterArn(req: ServiceRequest, nameOrArn: string, selectable: boolean): string {
  if (nameOrArn.startsWith('arn:')) return selectable ? nameOrArn.replace(/^(arn:[^:]*:[^:]*:[^:]*:[^:]*:[^:]*):.*$/, '$1') : nameOrArn;
  const name = selectable ? nameOrArn.replace(/:[^:/]*$/, '') : nameOrArn;
  return `arn:aws:ssm:${req.region}:${req.accountId}:parameter/${name.replace(/^\//, '')}`;
}
