import { createWriteStream, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { AwsError } from '../../../core/errors.js';

/**
 * Safe extraction of a deployment package.
 *
 * A zip is data from whoever uploads it, and extracting one must never write
 * outside the folder it is extracted into ("zip slip"). Names are checked as
 * yauzl reads them (no absolute paths, no `..` segments, no backslashes); the
 * subtler route is a symbolic link: an entry `lib -> /home/you` followed by an
 * entry `lib/.bashrc` writes through the link. So:
 *
 * - symbolic links are kept, as AWS Lambda keeps them (packages commonly
 *   carry `node_modules/.bin` links), but only when their target is relative
 *   and stays inside the folder without passing through another link: here a
 *   target outside the folder would be the developer's own machine, not a
 *   Lambda sandbox;
 * - no entry may lie under a symbolic link of the same zip, or share a link's name;
 * - links are created last, after every file, and files are created with
 *   O_EXCL, so writing never follows a link.
 *
 * A package that breaks these rules is refused when it is uploaded
 * (CreateFunction, UpdateFunctionCode) with InvalidParameterValueException
 * naming the entry; extraction applies the same rules again, for packages
 * stored before they existed.
 */

const UNZIP_ERROR = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** Symbolic-link targets longer than this are not paths anyone means (Linux's PATH_MAX). */
const MAX_LINK_TARGET = 4096;

interface PlannedEntry {
  /** Relative path inside the folder, `/`-separated, without `.` or empty segments. */
  name: string;
  kind: 'directory' | 'file' | 'symlink';
  entry: yauzl.Entry;
  executable: boolean;
  linkTarget?: string;
}

const refused = (message: string) => new AwsError('InvalidParameterValueException', `${UNZIP_ERROR} ${message}`);

/** Checks every entry of `zip` against the rules above; throws InvalidParameterValueException if one breaks them. */
export async function assertSafeZip(zip: Buffer): Promise<void> {
  const zipfile = await openZip(zip);
  try {
    await planExtraction(zipfile);
  } finally {
    zipfile.close();
  }
}

/** Extracts `zip` into the empty directory `dir`, under the rules above. */
export async function extractZip(zip: Buffer, dir: string): Promise<void> {
  const zipfile = await openZip(zip);
  try {
    const plan = await planExtraction(zipfile);
    for (const item of plan) {
      const target = path.join(dir, ...item.name.split('/'));
      if (item.kind === 'directory') mkdirSync(target, { recursive: true });
      else if (item.kind === 'file') await writeFile(zipfile, item, target);
    }
    for (const item of plan) {
      if (item.kind !== 'symlink') continue;
      const link = path.join(dir, ...item.name.split('/'));
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(item.linkTarget!, link);
    }
  } finally {
    zipfile.close();
  }
}

function openZip(zip: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true, autoClose: false }, (err, zipfile) =>
      err || !zipfile ? reject(new AwsError('InvalidParameterValueException', UNZIP_ERROR)) : resolve(zipfile),
    );
  });
}

/** Reads every entry (and each link's target), checks the rules, and answers what to create, in zip order. */
async function planExtraction(zipfile: yauzl.ZipFile): Promise<PlannedEntry[]> {
  const entries = await readEntries(zipfile);
  const byName = new Map<string, PlannedEntry>();
  const plan: PlannedEntry[] = [];
  for (const entry of entries) {
    const segments = entry.fileName.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.length === 0) continue;
    const unixMode = (entry.externalFileAttributes >>> 16) & 0xffff;
    const kind = entry.fileName.endsWith('/') ? 'directory' : (unixMode & S_IFMT) === S_IFLNK ? 'symlink' : 'file';
    const item: PlannedEntry = { name: segments.join('/'), kind, entry, executable: (unixMode & 0o111) !== 0 };
    if (kind === 'symlink') item.linkTarget = await readLinkTarget(zipfile, entry);
    const earlier = byName.get(item.name);
    if (earlier && (earlier.kind !== item.kind || kind === 'symlink')) {
      throw refused(`The entry '${entry.fileName}' appears twice, as different kinds of file.`);
    }
    byName.set(item.name, item);
    plan.push(item);
  }
  for (const item of plan) {
    const segments = item.name.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      const kind = byName.get(parent)?.kind;
      if (kind === 'symlink') {
        throw refused(`The entry '${item.entry.fileName}' lies under the symbolic link '${parent}', and would be written wherever that link points.`);
      }
      if (kind === 'file') throw refused(`The entry '${item.entry.fileName}' lies under '${parent}', which the zip also has as a file.`);
    }
    if (item.kind === 'symlink') assertLinkStaysInside(item, byName);
  }
  return plan;
}

function readEntries(zipfile: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zipfile.on('error', (err: Error) => {
      // yauzl checks each name as it reads it: these are the names that would land outside the folder.
      const name = /^(?:invalid relative path|absolute path|invalid characters in fileName): (.*)$/s.exec(err.message)?.[1];
      reject(name !== undefined ? refused(`The entry '${name}' would be written outside the function's code folder.`) : new AwsError('InvalidParameterValueException', UNZIP_ERROR));
    });
    zipfile.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zipfile.readEntry();
    });
    zipfile.on('end', () => resolve(entries));
    zipfile.readEntry();
  });
}

async function readLinkTarget(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  if (entry.uncompressedSize > MAX_LINK_TARGET) throw refused(`The symbolic link '${entry.fileName}' has a target longer than ${MAX_LINK_TARGET} bytes.`);
  const chunks: Buffer[] = [];
  for await (const chunk of await openReadStream(zipfile, entry)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A link's target, read from the link's own directory one segment at a time,
 * must stay inside the folder and must not pass through another link (whose
 * own target would then decide where the path goes).
 */
function assertLinkStaysInside(link: PlannedEntry, byName: ReadonlyMap<string, PlannedEntry>): void {
  const target = link.linkTarget!;
  const outside = () => refused(`The symbolic link '${link.entry.fileName}' points to '${target}', outside the function's code folder.`);
  if (target === '' || target.startsWith('/') || target.includes('\\') || target.includes('\0')) throw outside();
  const at = link.name.split('/').slice(0, -1);
  const steps = target.split('/').filter((s) => s !== '' && s !== '.');
  for (let i = 0; i < steps.length; i++) {
    if (steps[i] === '..') {
      if (at.length === 0) throw outside();
      at.pop();
      continue;
    }
    at.push(steps[i]);
    if (i < steps.length - 1 && byName.get(at.join('/'))?.kind === 'symlink') {
      throw refused(`The symbolic link '${link.entry.fileName}' points through another symbolic link ('${at.join('/')}').`);
    }
  }
}

async function writeFile(zipfile: yauzl.ZipFile, item: PlannedEntry, target: string): Promise<void> {
  mkdirSync(path.dirname(target), { recursive: true });
  // A later entry of the same name replaces the earlier file, as unzip does. No links exist yet, so this removes a file.
  rmSync(target, { force: true });
  const stream = await openReadStream(zipfile, item.entry);
  // 'wx' (O_CREAT | O_EXCL) never follows a symbolic link: belt and braces, as links come last.
  await pipeline(stream, createWriteStream(target, { flags: 'wx', mode: item.executable ? 0o755 : 0o644 }));
}

function openReadStream(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) =>
    zipfile.openReadStream(entry, (err, stream) => (err || !stream ? reject(err ?? new Error('no stream')) : resolve(stream))),
  );
}
