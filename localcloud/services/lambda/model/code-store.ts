import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { AwsError } from '../../../core/errors.js';
import { writeFileAtomic } from '../../../core/state-files.js';
import { assertSafeZip, extractZip } from './zip-extraction.js';

export interface StoredCode {
  /** Base64 SHA-256, Lambda's CodeSha256. */
  sha256: string;
  /** Hex SHA-256: names the zip file and its extracted directory. */
  hash: string;
  size: number;
}

/**
 * Function code by content hash: the zips (under `<stateDir>/lambda/zips/`,
 * or in memory) and their extracted trees under `codeRoot/<hash>/`, which is
 * what an execution environment sees as LAMBDA_TASK_ROOT. Extraction is lazy
 * (first environment of that code) and happens once per hash.
 */
export class CodeStore {
  private readonly zipsInMemory = new Map<string, Buffer>();
  private readonly extractions = new Map<string, Promise<string>>();

  constructor(
    /** Directory holding the zips, or undefined to keep them in memory. */
    private readonly zipDir: string | undefined,
    /** Directory under which each hash gets its extracted tree. */
    readonly codeRoot: string,
  ) {}

  /** Validates (a readable zip that extracts safely: see zip-extraction.ts) and stores a deployment package. */
  async put(zip: Buffer): Promise<StoredCode> {
    await assertSafeZip(zip);
    const digest = createHash('sha256').update(zip).digest();
    const hash = digest.toString('hex');
    if (this.zipDir) {
      const file = this.zipPath(hash);
      if (!existsSync(file)) writeFileAtomic(file, zip);
    } else {
      this.zipsInMemory.set(hash, zip);
    }
    return { sha256: digest.toString('base64'), hash, size: zip.length };
  }

  get(hash: string): Buffer | undefined {
    if (!this.zipDir) return this.zipsInMemory.get(hash);
    const file = this.zipPath(hash);
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  /** The directory holding this code, extracting it on first use. */
  extracted(hash: string): Promise<string> {
    let extraction = this.extractions.get(hash);
    if (!extraction) {
      extraction = this.extract(hash);
      this.extractions.set(hash, extraction);
      extraction.catch(() => this.extractions.delete(hash));
    }
    return extraction;
  }

  /**
   * Removes packages and extracted trees no function version refers to any
   * more, and extractions a crash left half done. Run at start, before any
   * environment exists, so no running function loses its files.
   */
  collectGarbage(referenced: ReadonlySet<string>): void {
    const hashOf = (name: string) => /^([0-9a-f]{64})(\.zip)?$/.exec(name)?.[1];
    if (this.zipDir && existsSync(this.zipDir)) {
      for (const name of readdirSync(this.zipDir)) {
        const hash = hashOf(name);
        if (name.endsWith('.tmp') || (hash && !referenced.has(hash))) rmSync(path.join(this.zipDir, name), { force: true });
      }
    }
    for (const name of readdirSync(this.codeRoot)) {
      const hash = hashOf(name);
      if (name.endsWith('.extracting') || (hash && !referenced.has(hash))) {
        rmSync(path.join(this.codeRoot, name), { recursive: true, force: true });
      }
    }
  }

  private async extract(hash: string): Promise<string> {
    const target = path.join(this.codeRoot, hash);
    // A finished extraction is renamed into place, so an existing directory is
    // complete (a crash mid-extraction leaves only a temp directory behind).
    if (existsSync(target)) return target;
    const zip = this.get(hash);
    if (!zip) throw new AwsError('ServiceException', `The code of this function (${hash}) is missing from localcloud's state`, 500);
    const temp = `${target}.${process.pid}.extracting`;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    try {
      await extractZip(zip, temp);
      renameSync(temp, target);
    } catch (err) {
      rmSync(temp, { recursive: true, force: true });
      if (existsSync(target)) return target;
      throw err;
    }
    return target;
  }

  private zipPath(hash: string): string {
    return path.join(this.zipDir!, `${hash}.zip`);
  }
}
