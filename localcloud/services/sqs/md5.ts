import { createHash } from 'node:crypto';

/** A message attribute as stored: binary values as bytes, whatever protocol carried them. */
export interface StoredAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Buffer;
}

export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * MD5OfMessageAttributes, by the algorithm SQS documents (and SDKs re-compute
 * to verify the response): for each attribute in name order, the name, the
 * data type and the value, each as a 4-byte big-endian length followed by its
 * bytes, with a one-byte transport type (1 string, 2 binary) before the value.
 */
export function md5OfAttributes(attributes: Record<string, StoredAttributeValue>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name];
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.of(2));
      lengthPrefixed(value.BinaryValue);
    } else {
      hash.update(Buffer.of(1));
      lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}
