/**
 * How much of the trust boundary is on.
 * - `enforce` (default): signatures are verified and IAM policies decide, as on AWS.
 * - `report`: signatures are verified; a request IAM would deny is allowed and logged
 *   (principal, action, resource, why), so a project can be brought under IAM gradually.
 * - `off`: any well-formed signature from any key is accepted and nothing is checked
 *   (what LocalStack does by default). For comparison runs and emergencies only.
 */
export type IamMode = 'enforce' | 'report' | 'off';

export const IAM_MODES: readonly IamMode[] = ['enforce', 'report', 'off'];

/** The environment variable that sets the mode when no option does. */
export const IAM_MODE_ENV = 'LOCALCLOUD_IAM';

export function parseIamMode(value: string | undefined, origin: string): IamMode | undefined {
  if (value === undefined || value === '') return undefined;
  const mode = value.trim().toLowerCase();
  if ((IAM_MODES as readonly string[]).includes(mode)) return mode as IamMode;
  throw new Error(`${origin}: '${value}' is not an IAM mode; choose one of ${IAM_MODES.join(', ')}`);
}

/** The option if given, else $LOCALCLOUD_IAM, else enforce. */
export function resolveIamMode(option: IamMode | undefined, env: NodeJS.ProcessEnv = process.env): IamMode {
  return option ?? parseIamMode(env[IAM_MODE_ENV], IAM_MODE_ENV) ?? 'enforce';
}
