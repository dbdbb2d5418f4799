import type { WireMessage } from '../../sqs/receive.js';

/** One record of the event Lambda passes a function mapped to an SQS queue. */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, { stringValue?: string; binaryValue?: string; stringListValues: string[]; binaryListValues: string[]; dataType: string }>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/**
 * The `{Records: [...]}` event of an SQS batch, in Lambda's shape: camel-case
 * keys, the message's system attributes under `attributes`, message
 * attributes with lower-case value keys (binary values base64).
 */
export function sqsEvent(messages: WireMessage[], source: { eventSourceArn: string; region: string }): { Records: SqsEventRecord[] } {
  return {
    Records: messages.map((message) => ({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: { ...message.Attributes },
      messageAttributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
          name,
          {
            ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
            ...(value.BinaryValue !== undefined ? { binaryValue: value.BinaryValue } : {}),
            stringListValues: [],
            binaryListValues: [],
            dataType: value.DataType,
          },
        ]),
      ),
      md5OfBody: message.MD5OfBody,
      ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
      eventSource: 'aws:sqs' as const,
      eventSourceARN: source.eventSourceArn,
      awsRegion: source.region,
    })),
  };
}

/** How one invocation with a batch went: which messages to delete. */
export type SqsBatchOutcome =
  /** Delete these (all of the batch on success; the others than the reported failures on a partial one). */
  | { ok: true; deleteIds: string[] }
  /** The function failed: nothing is deleted, the messages come back after their visibility timeout. */
  | { ok: false; reason: string };

/**
 * ReportBatchItemFailures: `{"batchItemFailures": [{"itemIdentifier": messageId}]}`
 * leaves the listed messages in the queue and deletes the rest. A response
 * that lists an identifier not in the batch (or an empty one) fails the whole
 * batch, as on AWS; a response without failures deletes everything.
 */
export function partialBatchResponse(payload: Buffer, messageIds: string[]): SqsBatchOutcome {
  let response: unknown;
  try {
    response = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: true, deleteIds: messageIds };
  }
  const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return { ok: true, deleteIds: messageIds };
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !messageIds.includes(id)) return { ok: false, reason: 'invalid batchItemFailures identifier' };
    failed.add(id);
  }
  return { ok: true, deleteIds: messageIds.filter((id) => !failed.has(id)) };
}
