// The Node.js runtime inside one execution environment.
//
// Plain JavaScript on purpose: it is the first thing every cold start runs, so
// it loads nothing but Node's own modules. It speaks the Lambda Runtime API
// (http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/...) to localcloud the way
// AWS's runtime interface client does: load the handler, report an init error
// or ask for the next invocation, run it, post the response or the error, and
// ask again. One invocation at a time.

import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const API_BASE = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const HANDLER = process.env._HANDLER ?? '';
const BOOTSTRAP_PATH = new URL(import.meta.url).pathname;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// The IPC channel exists only so that this process notices when localcloud goes
// away (crash included) and exits instead of lingering; it must not keep the
// event loop alive, or `callbackWaitsForEmptyEventLoop` could never see it empty.
if (process.channel) {
  process.on('disconnect', () => process.exit(0));
  process.channel.unref();
}

// Files localcloud's native stores opened without close-on-exec (LevelDB 1.20 in classic-level and
// leveldown opens its LOCK, LOG, MANIFEST, write-ahead log and tables that way) survive the exec
// into this process: every environment held four or more descriptors per open store, kept the
// store's compacted (deleted) files on disk for as long as it lived, and multiplied the cloud's
// descriptors by its environments. A Lambda environment holds none of its host's files; close
// them before any user code runs. Only regular files without close-on-exec are touched: Node and
// libuv open all of theirs with it, so such a file can only have been inherited.
closeInheritedFiles();

function closeInheritedFiles() {
  if (process.platform !== 'linux') return;
  const O_CLOEXEC = 0o2000000;
  let fds;
  try {
    fds = fs.readdirSync('/proc/self/fd').map(Number);
  } catch {
    return; // no /proc: nothing to find them with
  }
  for (const fd of fds) {
    if (fd <= 2) continue;
    try {
      const flags = /^flags:\s+([0-7]+)$/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
      if (!flags || Number.parseInt(flags[1], 8) & O_CLOEXEC) continue;
      if (fs.fstatSync(fd).isFile()) fs.closeSync(fd);
    } catch {
      // the descriptor readdir itself used, already closed: nothing to do
    }
  }
}

let currentRequestId; // undefined outside an invocation, as on AWS ("undefined" in init logs)
let current; // the invocation in progress: { requestId, settle(kind, value) }

// ---------------------------------------------------------------------------
// Console: one line per call, `<ISO time>\t<request id>\t<LEVEL>\t<message>`,
// newlines turned into carriage returns so that a multi-line message stays one
// log event (localcloud turns them back). Written synchronously, so nothing is
// lost when the process is killed on a timeout.

function writeLine(level, args) {
  const message = util.format(...args);
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}`.replace(/\r?\n/g, '\r');
  try {
    fs.writeSync(1, line + '\n');
  } catch {
    // stdout gone: localcloud is going away; nothing useful to do.
  }
}

console.log = (...args) => writeLine('INFO', args);
console.info = (...args) => writeLine('INFO', args);
console.warn = (...args) => writeLine('WARN', args);
console.error = (...args) => writeLine('ERROR', args);
console.debug = (...args) => writeLine('DEBUG', args);
console.trace = (...args) => writeLine('TRACE', args);
console.fatal = (...args) => writeLine('FATAL', args);

// ---------------------------------------------------------------------------
// Runtime API client.

function request(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = http.request(
      `${API_BASE}${route}`,
      {
        method,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length, ...headers } : headers,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The Runtime API is gone: localcloud stopped or crashed. Leave quietly. */
function runtimeApiLost() {
  process.exit(0);
}

function errorPayload(err) {
  if (err instanceof Error) {
    return {
      errorType: err.name,
      errorMessage: err.message,
      trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
    };
  }
  if (err !== null && typeof err === 'object') {
    let message;
    try {
      message = JSON.stringify(err);
    } catch {
      message = String(err);
    }
    return { errorType: 'object', errorMessage: message, trace: [] };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

/** AWS logs an error with its stack as an array under `stack`, while the payload calls it `trace`. */
function logError(label, payload) {
  const { trace, ...rest } = payload;
  console.error(label, JSON.stringify({ ...rest, stack: trace }));
}

async function postInitError(payload) {
  logError('Uncaught Exception', payload);
  try {
    await request('POST', '/init/error', JSON.stringify(payload), { 'lambda-runtime-function-error-type': payload.errorType });
  } catch {
    // Nothing to report to; the exit below tells localcloud anyway.
  }
  process.exit(129);
}

// ---------------------------------------------------------------------------
// Loading the handler, as AWS's Node.js runtime resolves `_HANDLER`:
// `[dir/]module.export[.nested]`, the module being `module` (no extension),
// `module.js` (CommonJS, or ESM under a package.json with "type": "module"),
// `module.mjs`, `module.cjs`, or finally a package resolvable from the task root.

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

const requireFromTask = createRequire(path.join(TASK_ROOT, 'index.js'));

function splitHandler(spec) {
  const base = path.basename(spec);
  const dot = base.indexOf('.');
  if (!spec || dot <= 0 || dot === base.length - 1) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  return { modulePath: path.join(path.dirname(spec), base.slice(0, dot)), exportPath: base.slice(dot + 1) };
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function packageTypeIsModule(file) {
  let dir = path.dirname(file);
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (isFile(pj)) {
      try {
        return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function importModuleError(err) {
  // Node's own message ("Cannot find module 'x'\nRequire stack: ...") is what AWS reports too.
  const message = `${err.name === 'Error' ? 'Error' : err.name}: ${err.message}`;
  const wrapped = new RuntimeError('Runtime.ImportModuleError', message);
  wrapped.stack = `Runtime.ImportModuleError: ${message}${err.stack ? `\n${err.stack.split('\n').slice(1).join('\n')}` : ''}`;
  return wrapped;
}

function userCodeError(err) {
  if (err instanceof SyntaxError) {
    const wrapped = new RuntimeError('Runtime.UserCodeSyntaxError', `SyntaxError: ${err.message}`);
    wrapped.stack = `Runtime.UserCodeSyntaxError: SyntaxError: ${err.message}\n${(err.stack ?? '').split('\n').slice(1).join('\n')}`;
    return wrapped;
  }
  if (err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND')) return importModuleError(err);
  return err;
}

async function loadModule(modulePath) {
  const base = path.resolve(TASK_ROOT, modulePath);
  try {
    if (isFile(base)) return requireFromTask(base);
    if (isFile(`${base}.js`)) {
      return packageTypeIsModule(`${base}.js`) ? await import(pathToFileURL(`${base}.js`).href) : requireFromTask(`${base}.js`);
    }
    if (isFile(`${base}.mjs`)) return await import(pathToFileURL(`${base}.mjs`).href);
    if (isFile(`${base}.cjs`)) return requireFromTask(`${base}.cjs`);
    return requireFromTask(requireFromTask.resolve(modulePath, { paths: [TASK_ROOT] }));
  } catch (err) {
    throw userCodeError(err);
  }
}

async function loadHandler() {
  const { modulePath, exportPath } = splitHandler(HANDLER);
  const loaded = await loadModule(modulePath);
  let handler = loaded;
  for (const key of exportPath.split('.')) handler = handler?.[key];
  // An ES module importing CommonJS sees module.exports as `default`.
  if (handler === undefined && loaded?.default && typeof loaded.default === 'object') {
    handler = loaded.default;
    for (const key of exportPath.split('.')) handler = handler?.[key];
  }
  if (handler === undefined) throw new RuntimeError('Runtime.HandlerNotFound', `${HANDLER} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${HANDLER} is not a function`);
  return handler;
}

// ---------------------------------------------------------------------------
// Running one invocation.

function contextFor(requestId, headers, settle) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const parse = (value) => {
    if (!value) return undefined;
    try {
      return JSON.parse(value);
    } catch {
      return undefined;
    }
  };
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(headers['lambda-runtime-cognito-identity']),
    clientContext: parse(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    // The legacy completion methods answer at once, without waiting for the event loop.
    succeed: (result) => settle('response', result, false),
    fail: (err) => settle('error', err ?? 'handled', false),
    done: (err, result) => (err ? settle('error', err, false) : settle('response', result, false)),
  };
  return context;
}

async function post(requestId, kind, value) {
  if (kind === 'response') {
    let body;
    try {
      body = JSON.stringify(value === undefined ? null : value);
    } catch (err) {
      return post(requestId, 'error', new RuntimeError('Runtime.UnmarshalError', `Unable to stringify response body as json: ${err.message}`));
    }
    return request('POST', `/invocation/${requestId}/response`, body ?? 'null');
  }
  const payload = errorPayload(value);
  logError('Invoke Error', payload);
  return request('POST', `/invocation/${requestId}/error`, JSON.stringify(payload), {
    'lambda-runtime-function-error-type': payload.errorType,
  });
}

function runInvocation(handler, next) {
  const requestId = next.headers['lambda-runtime-aws-request-id'];
  const traceId = next.headers['lambda-runtime-trace-id'];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  currentRequestId = requestId;

  return new Promise((resolve) => {
    let settled = false;
    let deferred; // a callback's answer, held until the event loop is empty
    const onEmptyLoop = () => {
      if (deferred) finish(...deferred);
      // A handler that neither returns a promise nor calls back is done when its loop empties.
      else if (!settled) settle('response', null, false);
    };
    process.on('beforeExit', onEmptyLoop);
    const finish = (kind, value) => {
      process.off('beforeExit', onEmptyLoop);
      deferred = undefined;
      current = undefined;
      post(requestId, kind, value).then(resolve, runtimeApiLost);
    };
    const settle = (kind, value, waitForEmptyLoop) => {
      if (settled) return;
      settled = true;
      // AWS answers a callback-style handler only once its event loop is empty.
      if (waitForEmptyLoop && context.callbackWaitsForEmptyEventLoop) deferred = [kind, value];
      else finish(kind, value);
    };
    const context = contextFor(requestId, next.headers, settle);
    current = { requestId, settle };

    let event;
    try {
      event = JSON.parse(next.body.toString('utf8') || 'null');
    } catch (err) {
      settle('error', new RuntimeError('Runtime.UnmarshalError', `Unable to parse event: ${err.message}`), false);
      return;
    }
    try {
      const result = handler(event, context, (err, value) => (err ? settle('error', err, true) : settle('response', value, true)));
      if (result && typeof result.then === 'function') {
        result.then(
          (value) => settle('response', value, false),
          (err) => settle('error', err ?? new Error('Promise rejected with no reason'), false),
        );
      }
    } catch (err) {
      settle('error', err, false);
    }
  });
}

// ---------------------------------------------------------------------------
// Errors that escape the handler: report them as this invocation's error and
// leave; localcloud starts a fresh environment for the next invocation.

function escaped(label, payload) {
  if (current) {
    const { requestId } = current;
    current = undefined;
    logError(label, payload);
    request('POST', `/invocation/${requestId}/error`, JSON.stringify(payload), {
      'lambda-runtime-function-error-type': payload.errorType,
    }).finally(() => process.exit(129));
  } else {
    logError(label, payload);
    process.exit(129);
  }
}

process.on('uncaughtException', (err) => escaped('Uncaught Exception', errorPayload(err)));
process.on('unhandledRejection', (reason) => {
  const inner = errorPayload(reason);
  escaped('Unhandled Promise Rejection', {
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: `${inner.errorType}: ${inner.errorMessage}`,
    trace: [`Runtime.UnhandledPromiseRejection: ${inner.errorType}: ${inner.errorMessage}`, ...inner.trace.slice(1)],
  });
});

// ---------------------------------------------------------------------------

async function main() {
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    await postInitError(errorPayload(err));
    return;
  }
  currentRequestId = undefined;
  for (;;) {
    let next;
    try {
      next = await request('GET', '/invocation/next');
    } catch {
      runtimeApiLost();
      return;
    }
    if (next.status !== 200) {
      runtimeApiLost();
      return;
    }
    await runInvocation(handler, next);
  }
}

main();
