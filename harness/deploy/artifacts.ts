/**
 * What the stack reads from the code bucket: the three function zips and the
 * nested config-helper template, all under CodeKeyPrefix — the keys the
 * template names.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../support/errors.js';
import { DEFAULT_ARTIFACTS_DIR, NESTED_TEMPLATE_PATH, displayPath } from '../support/paths.js';

export const FUNCTION_ZIPS = ['iot_api.zip', 'iot_ddb_cw_eventprocessor.zip', 'iot_s3_eventprocessor.zip'] as const;
export const NESTED_TEMPLATE_NAME = 'config-helper.template';

export interface Artifact {
  /** The S3 key, `<CodeKeyPrefix>/<file name>`. */
  key: string;
  file: string;
  body: Buffer;
  contentType: string;
  /** Hex MD5: a single-part PutObject's ETag, so an unchanged upload can be skipped. */
  md5: string;
  sha256: string;
}

export function collectArtifacts(
  codeKeyPrefix: string,
  artifactsDir = DEFAULT_ARTIFACTS_DIR,
  nestedTemplatePath = NESTED_TEMPLATE_PATH,
): Artifact[] {
  const files = [
    ...FUNCTION_ZIPS.map((name) => ({ file: path.join(artifactsDir, name), name, contentType: 'application/zip' })),
    // Always stored under the name the main template's TemplateURL expects.
    { file: nestedTemplatePath, name: NESTED_TEMPLATE_NAME, contentType: 'application/json' },
  ];
  const missing = files.filter(({ file }) => !existsSync(file)).map(({ file }) => displayPath(file));
  if (missing.length > 0) {
    throw new UserError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: build the functions first (make build)`);
  }
  return files.map(({ file, name, contentType }) => {
    const body = readFileSync(file);
    return {
      key: codeKey(codeKeyPrefix, name),
      file,
      body,
      contentType,
      md5: createHash('md5').update(body).digest('hex'),
      sha256: createHash('sha256').update(body).digest('hex'),
    };
  });
}

/** How the template joins CodeKeyPrefix and a file name (Fn::Join with "/"). */
export function codeKey(codeKeyPrefix: string, fileName: string): string {
  return `${codeKeyPrefix}/${fileName}`;
}
