import { expect } from 'chai';
import { matchesFilterPolicy, parseFilterPolicy, type MessageAttribute } from '../../../localcloud/services/sns/filter-policy.js';

const str = (value: string): MessageAttribute => ({ DataType: 'String', StringValue: value });
const num = (value: number): MessageAttribute => ({ DataType: 'Number', StringValue: String(value) });

function onAttributes(policy: object, attributes: Record<string, MessageAttribute>): boolean {
  return matchesFilterPolicy(parseFilterPolicy(JSON.stringify(policy), 'MessageAttributes'), 'MessageAttributes', '', attributes);
}
function onBody(policy: object, body: unknown): boolean {
  return matchesFilterPolicy(parseFilterPolicy(JSON.stringify(policy), 'MessageBody'), 'MessageBody', JSON.stringify(body), {});
}
const refusal = (policy: unknown, scope: 'MessageAttributes' | 'MessageBody' = 'MessageAttributes') => {
  try {
    parseFilterPolicy(typeof policy === 'string' ? policy : JSON.stringify(policy), scope);
  } catch (err) {
    return (err as { code: string; message: string });
  }
  throw new Error('expected the policy to be refused');
};

describe('sns: filter policies', () => {
  it('matches exact strings and numbers, never across types', () => {
    expect(onAttributes({ a: ['x'] }, { a: str('x') })).to.equal(true);
    expect(onAttributes({ a: ['x'] }, { a: str('y') })).to.equal(false);
    expect(onAttributes({ a: [10] }, { a: num(10) })).to.equal(true);
    expect(onAttributes({ a: [10] }, { a: str('10') })).to.equal(false);
    expect(onAttributes({ a: ['10'] }, { a: num(10) })).to.equal(false);
    expect(onAttributes({ a: ['x'] }, {})).to.equal(false);
  });

  it('matches prefix, suffix and equals-ignore-case on strings', () => {
    expect(onAttributes({ a: [{ prefix: 'sen' }] }, { a: str('sensor') })).to.equal(true);
    expect(onAttributes({ a: [{ suffix: '.jpg' }] }, { a: str('photo.jpg') })).to.equal(true);
    expect(onAttributes({ a: [{ suffix: '.jpg' }] }, { a: str('photo.png') })).to.equal(false);
    expect(onAttributes({ a: [{ 'equals-ignore-case': 'ReD' }] }, { a: str('red') })).to.equal(true);
  });

  it('matches anything-but with values, lists, prefixes and suffixes, only when the key is present', () => {
    expect(onAttributes({ a: [{ 'anything-but': 'x' }] }, { a: str('y') })).to.equal(true);
    expect(onAttributes({ a: [{ 'anything-but': 'x' }] }, { a: str('x') })).to.equal(false);
    expect(onAttributes({ a: [{ 'anything-but': [1, 2] }] }, { a: num(3) })).to.equal(true);
    expect(onAttributes({ a: [{ 'anything-but': [1, 2] }] }, { a: num(2) })).to.equal(false);
    expect(onAttributes({ a: [{ 'anything-but': { prefix: 'test-' } }] }, { a: str('prod-1') })).to.equal(true);
    expect(onAttributes({ a: [{ 'anything-but': { prefix: 'test-' } }] }, { a: str('test-1') })).to.equal(false);
    expect(onAttributes({ a: [{ 'anything-but': { suffix: '.tmp' } }] }, { a: str('a.tmp') })).to.equal(false);
    expect(onAttributes({ a: [{ 'anything-but': 'x' }] }, {})).to.equal(false);
  });

  it('matches numeric comparisons and ranges on numbers', () => {
    expect(onAttributes({ a: [{ numeric: ['=', 5] }] }, { a: num(5) })).to.equal(true);
    expect(onAttributes({ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: num(5) })).to.equal(true);
    expect(onAttributes({ a: [{ numeric: ['>', 0, '<=', 5] }] }, { a: num(0) })).to.equal(false);
    expect(onAttributes({ a: [{ numeric: ['<', 0] }] }, { a: str('-1') })).to.equal(false);
  });

  it('matches exists true and false', () => {
    expect(onAttributes({ a: [{ exists: true }] }, { a: str('') })).to.equal(true);
    expect(onAttributes({ a: [{ exists: false }] }, {})).to.equal(true);
    expect(onAttributes({ a: [{ exists: false }] }, { a: str('x') })).to.equal(false);
  });

  it('matches String.Array attributes when any element matches; ignores Binary attributes', () => {
    expect(onAttributes({ a: ['b'] }, { a: { DataType: 'String.Array', StringValue: '["a","b"]' } })).to.equal(true);
    expect(onAttributes({ a: [7] }, { a: { DataType: 'String.Array', StringValue: '["a",7]' } })).to.equal(true);
    expect(onAttributes({ a: [{ exists: true }] }, { a: { DataType: 'Binary', BinaryValue: 'AAA=' } })).to.equal(false);
  });

  it('needs every key to match, or any branch of $or', () => {
    expect(onAttributes({ a: ['x'], b: ['y'] }, { a: str('x'), b: str('z') })).to.equal(false);
    expect(onAttributes({ a: ['x'], $or: [{ b: ['y'] }, { c: ['z'] }] }, { a: str('x'), c: str('z') })).to.equal(true);
    expect(onAttributes({ a: ['x'], $or: [{ b: ['y'] }, { c: ['z'] }] }, { a: str('x') })).to.equal(false);
  });

  it('matches nested keys and arrays of the body, and nothing in a body that is not a JSON object', () => {
    expect(onBody({ a: { b: ['x'] } }, { a: { b: 'x' } })).to.equal(true);
    expect(onBody({ a: { b: ['x'] } }, { a: { b: ['w', 'x'] } })).to.equal(true);
    expect(onBody({ a: { b: ['x'] } }, { a: 'x' })).to.equal(false);
    expect(onBody({ a: { b: [{ exists: false }] } }, { a: {} })).to.equal(true);
    expect(onBody({ flag: [true] }, { flag: true })).to.equal(true);
    expect(onBody({ gone: [null] }, { gone: null })).to.equal(true);
    expect(matchesFilterPolicy(parseFilterPolicy('{"a":["x"]}', 'MessageBody'), 'MessageBody', 'plain text', {})).to.equal(false);
  });

  it('refuses policies beyond AWS limits or malformed, with InvalidParameter', () => {
    expect(refusal({ a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] }).message).to.match(/more than 5 keys/);
    const many = Array.from({ length: 13 }, (_, i) => i);
    expect(refusal({ a: many, b: many }).message).to.match(/too complex/);
    expect(refusal('[1]').message).to.match(/JSON object/);
    expect(refusal('{').code).to.equal('InvalidParameter');
    expect(refusal({ a: [] }).message).to.match(/Empty arrays/);
    expect(refusal({ a: { b: ['x'] } }).message).to.match(/must be an array/);
    expect(refusal({ a: [{ numeric: ['>', 5, '<', 1] }] }).message).to.match(/Bottom must be less than top/);
    expect(refusal({ a: [{ numeric: ['>', 2e9] }] }).message).to.match(/between/);
    expect(refusal({ a: [{ exists: 'yes' }] }).message).to.match(/exists/);
    expect(refusal({ a: [{ prefix: 1 }] }).message).to.match(/prefix/);
    expect(refusal({ $or: [{ a: ['x'] }] }).message).to.match(/\$or/);
    expect(refusal({ a: [true] }).message).to.match(/Match value/);
  });
});
