import crypto from 'node:crypto';

/**
 * kinesalite's sequence-number helpers on native BigInt.
 *
 * kinesalite parses and prints every sequence number with bignumber.js:
 * each record put costs a stringifySequence, each record read a
 * parseSequence, each put a partitionKeyToHashKey, and the base-16
 * conversions inside bignumber.js take ~15 µs apiece — over a second of CPU
 * per 20,000 events through a stream with two consumers. Its actions reach
 * these helpers through the shared module object (`db.parseSequence(...)`),
 * so replacing them there, once, speeds up every action without touching it.
 *
 * Each replacement returns exactly what the original returns (same values,
 * same types; test/integration/kinesis-sequence-numbers.test.ts compares them
 * over many random inputs). Only the common shapes take the BigInt path: a
 * decimal digit string, a version-2 sequence number (the only kind kinesalite
 * creates), plain hex pieces. Anything else — legacy versions, malformed
 * input, the error cases — goes to the original, so its answers and its
 * exceptions stay kinesalite's own.
 */

/** The parts of a sequence number, as kinesalite's parseSequence returns them. */
export interface SequenceParts {
  shardCreateTime: number;
  seqIx?: string | number;
  byte1?: string;
  seqTime?: number;
  seqRand?: string;
  shardIx: number;
  version?: number | null;
}

/** A BigNumber, as far as kinesalite's callers use one. */
interface BigNumberLike {
  comparedTo(other: unknown): number | null;
}

/** The helpers of `kinesalite/db` this module replaces. */
export interface SequenceHelpers {
  parseSequence(sequenceNumber: string): SequenceParts;
  stringifySequence(parts: Partial<SequenceParts>): string;
  incrementSequence(parts: SequenceParts | string, seqTime?: number): string;
  partitionKeyToHashKey(partitionKey: string): BigNumberLike;
}

type BigNumberConstructor = new (value: string) => BigNumberLike;

const POW_2_124 = 2n ** 124n;
/** 2^125 × 16: below it, a version-0 sequence number. */
const POW_2_129 = 2n ** 129n;
/** Version 1 and 2 sequence numbers lie strictly between 2^185 and 1.5 × 2^185. */
const POW_2_185 = 2n ** 185n;
const POW_2_185_TIMES_1_5 = 3n * 2n ** 184n;
/** kinesalite refuses shard creation times from this many seconds on. */
const MAX_SHARD_CREATE_SECS = 16025175000;

const DECIMAL = /^\d+$/;
const HEX = /^[0-9a-f]+$/i;

/** crypto.hash (Node 20.12 on) hashes in one call, without a Hash object. */
const md5Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('md5', text, 'hex')
    : (text) => crypto.createHash('md5').update(text, 'utf8').digest('hex');

/** The BigInt versions of `original`'s helpers, falling back to them outside the common shapes. */
export function bigIntSequenceHelpers(original: SequenceHelpers, BigNumber: BigNumberConstructor): SequenceHelpers {
  function parseSequence(sequenceNumber: string): SequenceParts {
    if (typeof sequenceNumber !== 'string' || !DECIMAL.test(sequenceNumber)) return original.parseSequence(sequenceNumber);
    let value = BigInt(sequenceNumber);
    if (value < POW_2_124) value += POW_2_124;
    // Version 2 (what kinesalite writes) is the hot path; 0 and 1 are legacy formats.
    if (!(value > POW_2_185 && value < POW_2_185_TIMES_1_5)) return original.parseSequence(sequenceNumber);
    const hex = value.toString(16);
    if (hex[hex.length - 1] !== '2') return original.parseSequence(sequenceNumber);
    const seqIxHex = hex.slice(11, 27);
    const shardIxHex = hex.slice(38, 46);
    const shardCreateSecs = parseInt(hex.slice(1, 10), 16);
    // kinesalite throws for some of these and reads others as negative shard indexes: its answer, not ours.
    if (parseInt(seqIxHex[0], 16) > 7 || parseInt(shardIxHex[0], 16) > 7 || shardCreateSecs >= MAX_SHARD_CREATE_SECS) {
      return original.parseSequence(sequenceNumber);
    }
    return {
      shardCreateTime: shardCreateSecs * 1000,
      seqIx: BigInt(`0x${seqIxHex}`).toString(),
      byte1: hex.slice(27, 29),
      seqTime: parseInt(hex.slice(29, 38), 16) * 1000,
      shardIx: parseInt(shardIxHex, 16),
      version: 2,
    };
  }

  function stringifySequence(parts: Partial<SequenceParts>): string {
    if (parts.version != null && parts.version != 2) return original.stringifySequence(parts);
    const seqIx = parts.seqIx || 0;
    let seqIxHex: string;
    if (typeof seqIx === 'number' && Number.isSafeInteger(seqIx) && seqIx >= 0) seqIxHex = seqIx.toString(16);
    else if (typeof seqIx === 'string' && DECIMAL.test(seqIx)) seqIxHex = BigInt(seqIx).toString(16);
    else return original.stringifySequence(parts);
    const shardCreateTime = parts.shardCreateTime!;
    const hex = [
      '2',
      ('00000000' + Math.floor(shardCreateTime / 1000).toString(16)).slice(-9),
      (parts.shardIx || 0).toString(16).slice(-1),
      ('0000000000000000' + seqIxHex).slice(-16),
      parts.byte1 || '00',
      ('00000000' + Math.floor((parts.seqTime || shardCreateTime) / 1000).toString(16)).slice(-9),
      ('0000000' + (parts.shardIx || 0).toString(16)).slice(-8),
      '2',
    ].join('');
    // NaN times, negative shard indexes, odd byte1 values: bignumber.js has its own answer for those.
    if (!HEX.test(hex)) return original.stringifySequence(parts);
    return BigInt(`0x${hex}`).toString();
  }

  // kinesalite's own calls its module-local parse and stringify: replaced so that it uses ours.
  function incrementSequence(parts: SequenceParts | string, seqTime?: number): string {
    const parsed = typeof parts == 'string' ? parseSequence(parts) : parts;
    return stringifySequence({
      shardCreateTime: parsed.shardCreateTime,
      seqIx: parsed.seqIx,
      seqTime: seqTime || parsed.seqTime! + 1000,
      shardIx: parsed.shardIx,
    });
  }

  // Still a BigNumber (its callers compare with it), but built from decimal, which bignumber.js reads
  // without the slow base conversion its hex constructor does.
  function partitionKeyToHashKey(partitionKey: string): BigNumberLike {
    if (typeof partitionKey !== 'string') return original.partitionKeyToHashKey(partitionKey);
    return new BigNumber(BigInt(`0x${md5Hex(partitionKey)}`).toString());
  }

  return { parseSequence, stringifySequence, incrementSequence, partitionKeyToHashKey };
}

const installed = new WeakSet<object>();

/** Replaces the helpers on kinesalite's shared `db` module object (once). */
export function installBigIntSequenceHelpers(db: SequenceHelpers, BigNumber: BigNumberConstructor): void {
  if (installed.has(db)) return;
  const original: SequenceHelpers = {
    parseSequence: db.parseSequence,
    stringifySequence: db.stringifySequence,
    incrementSequence: db.incrementSequence,
    partitionKeyToHashKey: db.partitionKeyToHashKey,
  };
  Object.assign(db, bigIntSequenceHelpers(original, BigNumber));
  installed.add(db);
}
