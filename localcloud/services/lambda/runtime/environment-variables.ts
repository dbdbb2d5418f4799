import path from 'node:path';
import { layerModulePaths } from './layer-mounts.js';

/** What an execution environment is told about itself through its variables. */
export interface EnvironmentIdentity {
  functionName: string;
  version: string;
  runtime: string;
  handler: string;
  memorySize: number;
  region: string;
  logGroupName: string;
  logStreamName: string;
  taskRoot: string;
  /** The directory standing for /opt (the function's layers, merged; see layer-mounts.ts), if it has layers. */
  optDir?: string;
  runtimeDir: string;
  /** Directory of the modules every function can resolve (SDK v3, cfn-response). */
  runtimeModulesDir: string;
  runtimeApi: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** The function's own Environment.Variables. */
  variables: Record<string, string>;
}

/**
 * Variables Lambda sets itself and refuses in a function's configuration
 * (InvalidParameterValueException "reserved keys").
 */
export const RESERVED_VARIABLES = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/**
 * The complete environment of a function process, built from nothing: the
 * parent's variables (NODE_OPTIONS, a developer's AWS_PROFILE, tsx's loader
 * hooks) must not leak into function code. Only PATH is carried over, because
 * the functions run on this host and may spawn its programs.
 */
export function environmentVariables(id: EnvironmentIdentity): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: id.taskRoot,
    LAMBDA_RUNTIME_DIR: id.runtimeDir,
    NODE_PATH: id.runtimeModulesDir,
    AWS_REGION: id.region,
    AWS_DEFAULT_REGION: id.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${id.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: id.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: id.version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(id.memorySize),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: id.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: id.logStreamName,
    AWS_LAMBDA_RUNTIME_API: id.runtimeApi,
    _HANDLER: id.handler,
    // Unmodified SDK code in the function reaches this local cloud.
    AWS_ENDPOINT_URL: id.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
  if (id.optDir) {
    // As AWS's Node.js runtimes do with /opt: layer modules first on NODE_PATH, /opt/bin on PATH, /opt/lib for libraries.
    env.NODE_PATH = [...layerModulePaths(id.optDir, id.runtime), id.runtimeModulesDir].join(path.delimiter);
    env.PATH = `${env.PATH}${path.delimiter}${path.join(id.optDir, 'bin')}`;
    env.LD_LIBRARY_PATH = path.join(id.optDir, 'lib');
    env.LOCALCLOUD_OPT = id.optDir;
  }
  // The function's own variables may override the non-reserved defaults
  // (AWS_ENDPOINT_URL, NODE_OPTIONS, ...), never the reserved ones.
  for (const [key, value] of Object.entries(id.variables)) {
    if (!RESERVED_VARIABLES.has(key)) env[key] = value;
  }
  env.AWS_ACCESS_KEY_ID = id.credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = id.credentials.secretAccessKey;
  if (id.credentials.sessionToken) env.AWS_SESSION_TOKEN = id.credentials.sessionToken;
  return env;
}
