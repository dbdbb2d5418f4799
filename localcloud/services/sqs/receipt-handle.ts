import type { QueueIdentity } from './queue.js';

/**
 * Receipt handles are opaque to clients; ours name the queue, the message
 * and the receive (a nonce), so a handle from one queue is refused by
 * another and a stale handle can be told from a current one.
 */
export interface ReceiptHandle {
  queue: QueueIdentity;
  messageId: string;
  nonce: string;
}

export function encodeReceiptHandle(handle: ReceiptHandle): string {
  const { accountId, region, name } = handle.queue;
  return Buffer.from(JSON.stringify([accountId, region, name, handle.messageId, handle.nonce]), 'utf8').toString('base64');
}

export function decodeReceiptHandle(text: string): ReceiptHandle | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 1024) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    if (!Array.isArray(parts) || parts.length !== 5 || !parts.every((p) => typeof p === 'string')) return undefined;
    const [accountId, region, name, messageId, nonce] = parts as string[];
    return { queue: { accountId, region, name }, messageId, nonce };
  } catch {
    return undefined;
  }
}
