/**
 * Function environments start without the host's descriptors: a real LevelDB
 * (classic-level, as the DynamoDB store opens it) holds files without
 * close-on-exec, and a process started through the clean spawn must see none
 * of them from its first line on — before any bootstrap could close them.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ClassicLevel } from 'classic-level';
import { inheritableDescriptors, withoutInheritedDescriptors } from '../../../localcloud/services/lambda/runtime/clean-spawn.js';

/** Prints what the process holds at its very start, and answers on the IPC channel. */
const PROBE = `
const fs = require('fs');
const held = fs.readdirSync('/proc/self/fd').map((fd) => { try { return fs.readlinkSync('/proc/self/fd/' + fd); } catch { return ''; } });
process.send({ pid: process.pid, held }, () => process.exit(0));
`;

function runProbe(file: string, args: string[]): Promise<{ pid: number; childPid: number; held: string[]; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message: { pid: number; held: string[] } | undefined;
    child.on('message', (m) => (message = m as typeof message));
    child.on('error', reject);
    child.on('exit', (code) => (message ? resolve({ ...message, childPid: child.pid!, code }) : reject(new Error(`probe exited ${code} without a message`))));
  });
}

describe('clean spawn of function environments', function () {
  let dir: string;
  let db: ClassicLevel;

  before(async function () {
    if (process.platform !== 'linux') this.skip(); // /proc is how descriptors are found; elsewhere the bootstrap closes them
    dir = mkdtempSync(path.join(tmpdir(), 'clean-spawn-'));
    db = new ClassicLevel(dir);
    await db.open();
    await db.put('k', 'v');
  });
  after(async () => {
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the store files this process would pass on', () => {
    const ours = inheritableDescriptors(3);
    expect(ours.length, 'LevelDB holds files without close-on-exec').to.be.greaterThan(0);
  });

  it('a plain spawn hands the store files to the child (what the clean spawn prevents)', async () => {
    const { held } = await runProbe(process.execPath, ['-e', PROBE]);
    expect(held.filter((target) => target.startsWith(dir))).to.not.be.empty;
  });

  it('starts the process with none of them, as the same pid, with its IPC channel working', async () => {
    const command = withoutInheritedDescriptors(process.execPath, ['-e', PROBE], 4, process.env);
    expect(command.file, 'goes through bash').to.equal('/bin/bash');
    const { held, pid, childPid, code } = await runProbe(command.file, command.args);
    expect(held.filter((target) => target.startsWith(dir))).to.deep.equal([]);
    expect(pid, 'bash became the process itself').to.equal(childPid);
    expect(code).to.equal(0);
  });

  it('starts directly when the function sets variables bash would apply to itself', () => {
    const command = withoutInheritedDescriptors(process.execPath, ['x.js'], 4, { SHELLOPTS: 'xtrace' });
    expect(command).to.deep.equal({ file: process.execPath, args: ['x.js'] });
  });

  it('reads no startup file named by the function (BASH_ENV)', async () => {
    const marker = path.join(dir, 'sourced');
    const rc = path.join(dir, 'rc.sh');
    writeFileSync(rc, `echo sourced > ${marker}\n`);
    const command = withoutInheritedDescriptors(process.execPath, ['-e', PROBE], 4, process.env);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command.file, command.args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, BASH_ENV: rc } });
      child.on('message', () => undefined);
      child.on('error', reject);
      child.on('exit', () => resolve());
    });
    expect(existsSync(marker)).to.equal(false);
  });
});
