/**
 * Layers: versioned archives (stored by content hash in the same CodeStore as
 * function code) that functions mount under /opt. One small document per
 * layer, written through to `<stateDir>/lambda/layers/<account>/<region>/<name>.json`.
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile, writeJsonAtomic } from '../../../core/state-files.js';

/** A statement of a layer version's policy (AddLayerVersionPermission), as GetLayerVersionPolicy renders it. */
export interface LayerPolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Principal: '*' | { AWS: string };
  Action: 'lambda:GetLayerVersion';
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

export interface LayerVersion {
  version: number;
  description: string;
  /** Lambda's timestamp format, as the API reports it. */
  createdDate: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo?: string;
  /** Base64 SHA-256 of the zip (the API's CodeSha256) and its hex form (names the stored zip). */
  codeSha256: string;
  codeHash: string;
  codeSize: number;
  policy: LayerPolicyStatement[];
  policyRevisionId: string;
}

export interface Layer {
  accountId: string;
  region: string;
  name: string;
  /** Version numbers are never reused, even after deletion. */
  lastVersion: number;
  /** Live versions, oldest first. */
  versions: LayerVersion[];
}

export function layerArn(layer: { accountId: string; region: string; name: string }): string {
  return `arn:aws:lambda:${layer.region}:${layer.accountId}:layer:${layer.name}`;
}

export function layerVersionArn(layer: { accountId: string; region: string; name: string }, version: number): string {
  return `${layerArn(layer)}:${version}`;
}

/** Where a layer lives: LayerName may be a plain name or a layer ARN. */
export interface LayerRef {
  accountId: string;
  region: string;
  name: string;
}

const LAYER_NAME = /^[a-zA-Z0-9_-]{1,140}$/;
const LAYER_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):layer:([a-zA-Z0-9_-]+)$/;
const LAYER_VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):(\d{12}):layer:([a-zA-Z0-9_-]+):([0-9]+)$/;

/** A LayerName (name or layer ARN) in the caller's account and region; undefined when it is neither. */
export function parseLayerName(value: string, accountId: string, region: string): LayerRef | undefined {
  if (LAYER_NAME.test(value)) return { accountId, region, name: value };
  const match = LAYER_ARN.exec(value);
  return match ? { region: match[1]!, accountId: match[2]!, name: match[3]! } : undefined;
}

/** `arn:...:layer:name:3` → the layer and version; undefined for anything else. */
export function parseLayerVersionArn(value: string): (LayerRef & { version: number }) | undefined {
  const match = LAYER_VERSION_ARN.exec(value);
  return match ? { region: match[1]!, accountId: match[2]!, name: match[3]!, version: Number(match[4]) } : undefined;
}

export class LayerStore {
  private readonly layers = new Map<string, Layer>();

  constructor(private readonly dir: string | undefined) {}

  load(): void {
    if (!this.dir) return;
    for (const file of jsonFiles(this.dir)) {
      const layer = readJsonFile<Layer>(file);
      if (layer) this.layers.set(keyOf(layer), layer);
    }
  }

  get(ref: LayerRef): Layer | undefined {
    return this.layers.get(keyOf(ref));
  }

  version(ref: LayerRef, version: number): LayerVersion | undefined {
    return this.get(ref)?.versions.find((v) => v.version === version);
  }

  list(accountId: string, region: string): Layer[] {
    return [...this.layers.values()]
      .filter((layer) => layer.accountId === accountId && layer.region === region && layer.versions.length > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  all(): Layer[] {
    return [...this.layers.values()];
  }

  /** Stores a layer and writes it through; a layer left with no versions is kept for its version counter. */
  save(layer: Layer): void {
    this.layers.set(keyOf(layer), layer);
    if (this.dir) writeJsonAtomic(this.fileFor(layer), layer);
  }

  /** Removes a layer's record (only used when state is cleared). */
  delete(layer: Layer): void {
    this.layers.delete(keyOf(layer));
    if (this.dir) rmSync(this.fileFor(layer), { force: true });
  }

  private fileFor(layer: Layer): string {
    return path.join(this.dir!, layer.accountId, layer.region, `${layer.name}.json`);
  }
}

function keyOf(ref: LayerRef): string {
  return `${ref.accountId}/${ref.region}/${ref.name}`;
}

function* jsonFiles(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* jsonFiles(full);
    else if (entry.name.endsWith('.json')) yield full;
  }
}
