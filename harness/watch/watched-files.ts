/**
 * Which saved files a reload should look at. Editors write more than the file
 * the user saved: swap files (vim's `.x.ts.swp` and its `4913` probe), backups
 * (`x.ts~`), Emacs lock links (`.#x.ts`) and autosaves (`#x.ts#`), JetBrains'
 * `x.ts___jb_tmp___`. Only sources a build or a deploy reads count.
 */
import path from 'node:path';

/** What esbuild may read while bundling a function. */
const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '.json']);
/** What `deploy` reads from cloudformation/. */
const TEMPLATE_EXTENSIONS = new Set(['.template', '.json', '.yaml', '.yml']);

export function isEditorTempFile(file: string): boolean {
  const name = path.basename(file);
  return (
    name.startsWith('.') || // hidden: swap files, lock links, .DS_Store
    name.startsWith('#') ||
    name.endsWith('~') ||
    /___jb_(tmp|old|bak)___$/.test(name) ||
    /^\d+$/.test(name) // vim's write-permission probe, `4913`
  );
}

export function isFunctionSource(file: string): boolean {
  return !isEditorTempFile(file) && SOURCE_EXTENSIONS.has(path.extname(file)) && !file.endsWith('.d.ts');
}

export function isTemplateFile(file: string): boolean {
  return !isEditorTempFile(file) && TEMPLATE_EXTENSIONS.has(path.extname(file));
}
