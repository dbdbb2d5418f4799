import { existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CFN_RESPONSE = path.join(HERE, 'cfn-response');

/** Package scopes the Node.js runtime provides to function code, as AWS's runtimes ship the SDK v3. */
const SDK_SCOPES = ['@aws-sdk', '@smithy'];

/**
 * Prepares `<codeRoot>/node_modules`, the parent of every extracted function,
 * so that Node's own resolution finds the AWS SDK v3 and `cfn-response` from
 * function code (`require` and `import` alike), while a function that bundles
 * its own copies still gets those first. The SDK scopes are symlinks to this
 * project's node_modules: Node resolves a symlinked package by its real path,
 * so each package finds its own dependencies (tslib, fast-xml-parser, ...)
 * where they were installed.
 */
export function prepareRuntimeModules(codeRoot: string): string {
  const modulesDir = path.join(codeRoot, 'node_modules');
  mkdirSync(modulesDir, { recursive: true });
  // On AWS no package.json lies above /var/task, so a `.js` handler is CommonJS unless the
  // function's own package.json says otherwise. A state directory inside a project whose
  // package.json says "type": "module" (this one's does) would otherwise turn every `.js`
  // handler into an ES module, and `require` would fail at init.
  writeFileSync(path.join(codeRoot, 'package.json'), '{"type": "commonjs"}\n');
  const projectModules = findProjectModules();
  for (const scope of SDK_SCOPES) {
    const source = path.join(projectModules, scope);
    if (existsSync(source)) link(source, path.join(modulesDir, scope));
  }
  link(CFN_RESPONSE, path.join(modulesDir, 'cfn-response'));
  return modulesDir;
}

function findProjectModules(): string {
  for (let dir = HERE; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules');
    if (existsSync(path.join(candidate, '@aws-sdk'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('lambda: cannot find the node_modules holding @aws-sdk');
  }
}

/** (Re)points a symlink; a state directory may outlive a checkout that moved. */
function link(target: string, linkPath: string): void {
  try {
    const stat = lstatSync(linkPath);
    if (stat.isSymbolicLink() && readlinkSync(linkPath) === target) return;
    rmSync(linkPath, { recursive: true, force: true });
  } catch {
    // absent: create it below
  }
  symlinkSync(target, linkPath, 'dir');
}
