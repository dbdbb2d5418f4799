/**
 * The page's static files, built in memory with esbuild: the browser code
 * (AWS SDK v3 clients, uPlot) as one ES module, its CSS (uPlot's included) as
 * one stylesheet, and the HTML. Nothing is read from disk per request, so no
 * request path can ever reach the file system.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const PAGE_DIR = fileURLToPath(new URL('../page/', import.meta.url));

export interface Asset {
  contentType: string;
  body: Buffer;
}

export interface PageAssets {
  /** URL path → file. */
  files: Map<string, Asset>;
  /** How long esbuild took, in milliseconds. */
  bundleMs: number;
  /** Total size of what the browser downloads on a first visit (HTML, JS, CSS), in bytes. */
  pageBytes: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

let cached: Promise<PageAssets> | undefined;

/** Builds once per process; later callers share the result (a failed build is retried). */
export function pageAssets(): Promise<PageAssets> {
  cached ??= buildPageAssets().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

export async function buildPageAssets(): Promise<PageAssets> {
  const started = performance.now();
  const result = await esbuild.build({
    entryPoints: { app: path.join(PAGE_DIR, 'main.ts') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    // What Debian's Chromium and any browser of the last few years run natively.
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    write: false,
    outdir: '/assets',
    // The SDK reads process.env in a few places guarded by typeof checks; pin them for the browser.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const bundleMs = performance.now() - started;

  const files = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const urlPath = `/assets/${path.basename(file.path)}`;
    files.set(urlPath, { contentType: contentTypeOf(file.path), body: Buffer.from(file.contents) });
  }
  const html = await readFile(path.join(PAGE_DIR, 'index.html'));
  files.set('/', { contentType: CONTENT_TYPES['.html']!, body: html });

  const pageBytes = ['/', '/assets/app.js', '/assets/app.css'].reduce((sum, p) => sum + (files.get(p)?.body.length ?? 0), 0);
  return { files, bundleMs, pageBytes };
}

function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? (file.endsWith('.LEGAL.txt') ? 'text/plain; charset=utf-8' : 'application/octet-stream');
}
