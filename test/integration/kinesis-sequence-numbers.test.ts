import { expect } from 'chai';
import { createRequire } from 'node:module';
import '../../localcloud/services/kinesis/engine.js';
import { bigIntSequenceHelpers, type SequenceHelpers, type SequenceParts } from '../../localcloud/services/kinesis/sequence-numbers.js';

/**
 * The Kinesis engine replaces kinesalite's bignumber.js sequence-number
 * helpers with BigInt ones. They must answer exactly as the originals do —
 * same values, same types, same exceptions — or stored records, iterators and
 * checkpoints would change meaning. Compared here with a pristine copy of
 * kinesalite's module over many random inputs (seeded, so a failure repeats).
 */
describe('Kinesis sequence numbers on BigInt', () => {
  const require = createRequire(import.meta.url);
  const dbPath = require.resolve('kinesalite/db');
  const shared = require(dbPath) as SequenceHelpers;
  const BigNumber = require(require.resolve('bignumber.js', { paths: [dbPath] }));

  /** A second, unpatched instance of kinesalite's db module. */
  function pristine(): SequenceHelpers {
    const cached = require.cache[dbPath];
    delete require.cache[dbPath];
    try {
      return require(dbPath) as SequenceHelpers;
    } finally {
      require.cache[dbPath] = cached;
    }
  }
  const original = pristine();
  const fast = bigIntSequenceHelpers(original, BigNumber);

  // mulberry32: small, seeded, good enough to spread inputs.
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(random() * max);
  const pick = <T>(...options: T[]) => options[int(options.length)];
  const randomBigInt = (bits: number) => {
    let value = 0n;
    for (let i = 0; i < bits; i += 16) value = (value << 16n) | BigInt(int(0x10000));
    return value & ((1n << BigInt(bits)) - 1n);
  };
  type HashKey = { toFixed(): string; toString(base: number): string; comparedTo(other: string): number };
  const digits = (length: number) => Array.from({ length }, () => int(10)).join('');

  /** Same answer, or the same exception. `call` must be deterministic: inputs are drawn before it. */
  function same<A extends unknown[]>(call: (helpers: SequenceHelpers, ...args: A) => unknown, ...args: A): void {
    const outcome = (helpers: SequenceHelpers) => {
      try {
        return { value: call(helpers, ...args) };
      } catch (err) {
        return { error: `${(err as Error).name}: ${(err as Error).message}` };
      }
    };
    const expected = outcome(original);
    const actual = outcome(fast);
    expect(actual, `for ${JSON.stringify(args)}`).to.deep.equal(expected);
  }

  const randomParts = (): Partial<SequenceParts> => ({
    shardCreateTime: pick(int(16025175000) * 1000, Date.now() + int(1e9), 0, int(2 ** 36) * 1000 + int(1000)),
    shardIx: pick(0, 1, int(50), int(2 ** 31), int(16)),
    seqIx: pick<string | number | undefined>(
      undefined,
      0,
      int(1e6),
      int(2 ** 53),
      randomBigInt(63).toString(),
      (2n ** 63n - 1n).toString(),
      String(int(1e6)),
    ),
    seqTime: pick(undefined, Date.now() + int(1e7), int(16025175000) * 1000),
    byte1: pick(undefined, '00', int(256).toString(16).padStart(2, '0')),
  });

  it('is what the shared kinesalite module uses once the engine is loaded', () => {
    for (const name of ['parseSequence', 'stringifySequence', 'incrementSequence', 'partitionKeyToHashKey'] as const) {
      expect(shared[name], name).to.not.equal(original[name]);
    }
  });

  it('stringifies and parses 20,000 random version-2 sequence numbers exactly as kinesalite does', () => {
    for (let i = 0; i < 20_000; i++) {
      const parts = randomParts();
      same((h) => h.stringifySequence(parts));
      const sequenceNumber = original.stringifySequence(parts);
      same((h) => h.parseSequence(sequenceNumber));
      same((h) => h.incrementSequence(sequenceNumber));
      const seqTime = Date.now() + int(1e6);
      same((h) => h.incrementSequence(sequenceNumber, seqTime));
      let parsed: SequenceParts;
      try {
        parsed = original.parseSequence(sequenceNumber);
      } catch {
        continue; // a creation time past kinesalite's limit: compared above, error for error
      }
      const maybeSeqTime = pick(undefined, seqTime);
      same((h) => h.incrementSequence({ ...parsed }, maybeSeqTime));
      // A parse and a stringify give back the very same sequence number.
      expect(fast.stringifySequence(fast.parseSequence(sequenceNumber))).to.equal(sequenceNumber);
    }
  });

  it('takes the BigInt path, not the fallback, for what kinesalite itself writes and reads', () => {
    let fallbacks = 0;
    const counted = Object.fromEntries(
      Object.entries(original).map(([name, fn]) => [name, (...args: unknown[]) => (fallbacks++, (fn as (...a: unknown[]) => unknown)(...args))]),
    ) as unknown as SequenceHelpers;
    const helpers = bigIntSequenceHelpers(counted, BigNumber);
    for (let i = 0; i < 1000; i++) {
      const parts = { shardCreateTime: Date.now() - int(1e9), shardIx: int(50), seqIx: pick<string | number>(int(1e6), randomBigInt(63).toString()), seqTime: Date.now() };
      const sequenceNumber = helpers.stringifySequence(parts);
      helpers.incrementSequence(helpers.parseSequence(sequenceNumber));
      helpers.partitionKeyToHashKey(`sensor-${i}`);
    }
    expect(fallbacks).to.equal(0);
  });

  it('answers random and malformed strings, legacy versions and odd parts as kinesalite does', () => {
    for (let i = 0; i < 5000; i++) {
      const decimal = digits(1 + int(60));
      same((h) => h.parseSequence(decimal));
      // Numbers near the version boundaries (2^124, 2^129, 2^185, 1.5 × 2^185).
      const near = (pick(2n ** 124n, 2n ** 129n, 2n ** 185n, 3n * 2n ** 184n) + randomBigInt(40) - (1n << 39n)).toString();
      same((h) => h.parseSequence(near));
      // Anything in the version 1/2 range, including other final hex digits and oversized fields.
      const anyVersion = (2n ** 185n + randomBigInt(184)).toString();
      same((h) => h.parseSequence(anyVersion));
    }
    const odd = ['', '0', '1', '-5', '1e5', ' 12', '12a', '0x1f', '1.5', 'NaN', '00012', '9'.repeat(128)];
    for (const value of odd) same((h) => h.parseSequence(value));
    for (const version of [0, 1]) {
      for (let i = 0; i < 1000; i++) {
        const parts = { ...randomParts(), version, seqRand: randomBigInt(56).toString(16).padStart(14, '0'), seqIx: int(256) };
        same((h) => h.stringifySequence(parts));
        const sequenceNumber = original.stringifySequence(parts);
        same((h) => h.parseSequence(sequenceNumber));
        same((h) => h.incrementSequence(sequenceNumber));
      }
    }
    const oddParts: Partial<SequenceParts>[] = [
      { shardCreateTime: 1e12, shardIx: -1 },
      { shardCreateTime: Number.NaN, shardIx: 0 },
      { shardCreateTime: 1e12, shardIx: 0, seqIx: -3 },
      { shardCreateTime: 1e12, shardIx: 0, seqIx: 1.5 },
      { shardCreateTime: 1e12, shardIx: 0, seqIx: 'abc' },
      { shardCreateTime: 1e12, shardIx: 0, byte1: 'zz' },
      { shardCreateTime: 1e12, shardIx: 0, byte1: '0' },
      { shardCreateTime: 1e12, shardIx: 0, version: 3 },
      { shardCreateTime: 1e12, shardIx: 0, version: 2, seqIx: (2n ** 64n).toString() },
    ];
    for (const parts of oddParts) same((h) => h.stringifySequence(parts));
  });

  it('hashes 20,000 random partition keys to the same BigNumber', () => {
    for (let i = 0; i < 20_000; i++) {
      const key = pick(
        `sensor-${int(1e6)}`,
        String.fromCodePoint(...Array.from({ length: 1 + int(20) }, () => int(0x2ffff))),
        digits(1 + int(256)),
      );
      const expected = original.partitionKeyToHashKey(key) as HashKey;
      const actual = fast.partitionKeyToHashKey(key) as HashKey;
      expect(actual).to.be.instanceOf(BigNumber);
      expect(actual.toFixed()).to.equal(expected.toFixed());
      expect(actual.toString(16)).to.equal(expected.toString(16));
      const bound = randomBigInt(128).toString();
      expect(actual.comparedTo(bound)).to.equal(expected.comparedTo(bound));
    }
  });
});
