/**
 * How the local cloud becomes one ES module, for `bin/localcloud.js`, which
 * decides where it lives and when to rebuild it.
 *
 * Why: through tsx, starting the cloud means loading ~160 TypeScript files
 * and ~1,700 files of packages (the AWS SDK clients the CloudFormation
 * providers and the Lambda pollers use, yaml, fast-xml-parser) through
 * loader hooks and Node's CommonJS loader; that is most of a second. One
 * bundle of the lot starts in about a third of that and uses less memory.
 * The packages are bundled too, from their ES module builds: bundling only
 * our sources left most of the load time in place.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * Packages left as imports. The engines are not imported but required
 * module by module from their package folders at run time
 * (core/callback-engine.ts); they must stay installed packages.
 */
const EXTERNAL_PACKAGES = ['dynalite', 'kinesalite'];

/**
 * CommonJS packages in an ES module bundle still call `require` (for Node's
 * own modules); an ES module has none, so the bundle makes one.
 */
const REQUIRE_SHIM = "import { createRequire as __localcloudCreateRequire } from 'node:module';\nconst require = __localcloudCreateRequire(import.meta.url);";

export interface BundleOptions {
  /** The module to bundle, e.g. `<project>/localcloud/cli.ts`. */
  entry: string;
  /** Where to write it; its source map goes next to it (`<outfile>.map`). Must be inside the project, for the external packages to resolve. */
  outfile: string;
}

/**
 * Bundles `entry` with everything it imports into `outfile`, replacing any
 * previous file atomically: a process starting at the same time loads the
 * old bundle or the new one, never half of one.
 */
export async function bundleCli({ entry, outfile }: BundleOptions): Promise<void> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The packages' ES module builds: smaller once tree-shaken, and no CommonJS interop.
    mainFields: ['module', 'main'],
    external: EXTERNAL_PACKAGES,
    banner: { js: REQUIRE_SHIM },
    // One scope for all modules renames clashing top-level names; this keeps
    // function and class `.name`s what they are when run from the sources
    // (the SDK, for one, tells its NoOpLogger by `constructor.name`).
    keepNames: true,
    // Not loaded unless Node runs with --enable-source-maps (stack traces then show the .ts lines).
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'silent',
    write: false,
    plugins: [sourceFileImportMeta(path.dirname(entry))],
  });
  mkdirSync(path.dirname(outfile), { recursive: true });
  // The map first: the bundle appearing is what makes the pair visible.
  const files = [...result.outputFiles].sort((a, b) => Number(b.path.endsWith('.map')) - Number(a.path.endsWith('.map')));
  for (const file of files) writeAtomically(file.path, file.contents);
}

function writeAtomically(file: string, contents: Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, contents);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * Keeps `import.meta.url` (and `.filename`, `.dirname`) meaning "this source
 * file" in the modules under `sourceDir`, as when they run through tsx. Code
 * that finds files next to itself (the Lambda runtime's bootstrap and
 * cfn-response, the engines' createRequire) then works unchanged from either,
 * and nothing is copied next to the bundle. The price: the bundle holds
 * absolute paths, so it belongs to one checkout (the launcher's fingerprint
 * includes the project's path).
 */
function sourceFileImportMeta(sourceDir: string): Plugin {
  const underSourceDir = new RegExp(`^${escapeRegExp(sourceDir + path.sep)}.*\\.[cm]?[jt]s$`);
  return {
    name: 'source-file-import-meta',
    setup(esbuild) {
      esbuild.onLoad({ filter: underSourceDir }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const values = { url: pathToFileURL(args.path).href, filename: args.path, dirname: path.dirname(args.path) };
        const contents = source.replace(/\bimport\.meta\.(url|filename|dirname)\b/g, (_, property: keyof typeof values) => JSON.stringify(values[property]));
        return { contents, loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js' };
      });
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
