import { EventStreamCodec } from '@smithy/core/event-streams';

/**
 * AWS's event-stream binary framing (`application/vnd.amazon.eventstream`):
 * prelude, headers, payload and CRCs, encoded by the codec the SDK itself
 * decodes with (it ships with every SDK v3 client).
 */
const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => Buffer.from(text, 'utf8'),
);

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** An event (`initial-response`, `SubscribeToShardEvent`) with a JSON payload. */
export function eventMessage(eventType: string, payload: unknown): Buffer {
  return Buffer.from(
    codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'event' },
        ':event-type': { type: 'string', value: eventType },
        ':content-type': { type: 'string', value: JSON_CONTENT_TYPE },
      },
      body: Buffer.from(JSON.stringify(payload), 'utf8'),
    }),
  );
}

/** A modelled exception ending the stream (`ResourceNotFoundException`, `InternalFailureException`, …). */
export function exceptionMessage(exceptionType: string, message: string): Buffer {
  return Buffer.from(
    codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'exception' },
        ':exception-type': { type: 'string', value: exceptionType },
        ':content-type': { type: 'string', value: JSON_CONTENT_TYPE },
      },
      body: Buffer.from(JSON.stringify({ message }), 'utf8'),
    }),
  );
}
