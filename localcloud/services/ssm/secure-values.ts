/**
 * SecureString values at rest: AES-256-GCM under one key per cloud, kept in
 * the state directory (`ssm/secure-string.key`, mode 0600) so persisted
 * parameters stay readable across restarts; an in-memory cloud makes one up.
 * This stands in for KMS: the KeyId a caller names is a label only, every
 * value is sealed with this key. The ciphertext (what GetParameter returns
 * without WithDecryption) is base64 of IV, tag and sealed bytes, bound to the
 * parameter's name so a value cannot be replayed under another name.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/state-files.js';

const KEY_FILE = 'secure-string.key';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecureValues {
  private readonly key: Buffer;

  constructor(dir?: string) {
    this.key = dir ? loadOrCreateKey(path.join(dir, KEY_FILE)) : randomBytes(32);
  }

  seal(name: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  open(name: string, ciphertext: string): string {
    const bytes = Buffer.from(ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}

function loadOrCreateKey(file: string): Buffer {
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 256-bit key`);
    return key;
  }
  const key = randomBytes(32);
  writeFileAtomic(file, key.toString('base64'));
  chmodSync(file, 0o600);
  return key;
}
