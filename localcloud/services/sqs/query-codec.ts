import { escapeXml } from '../../protocols/xml.js';

/**
 * The query protocol's spelling of SQS, translated to and from the JSON
 * protocol's shapes the operations speak. Query requests flatten lists and
 * maps into numbered parameters (`Attribute.1.Name`, `MessageAttribute.1.Value.DataType`,
 * `SendMessageBatchRequestEntry.2.Id`); responses are XML with flattened
 * lists (`<Message>` repeated, `<Attribute><Name/><Value/></Attribute>`).
 */

type Params = Record<string, unknown>;

/** A numbered parameter group (`{ "1": ..., "2": ... }`) as a list in index order. */
function numbered(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) return [value];
  return Object.entries(value as Record<string, unknown>)
    .filter(([index]) => /^\d+$/.test(index))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, member]) => member);
}

/** Numbered `{Name|Key, Value}` pairs as a map. */
function pairs(value: unknown, keyName: string, valueName: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const member of numbered(value)) {
    if (member && typeof member === 'object') {
      const entry = member as Params;
      if (typeof entry[keyName] === 'string') out[entry[keyName] as string] = entry[valueName] ?? '';
    }
  }
  return out;
}

const LIST_PARAMETERS: Record<string, string> = {
  AttributeName: 'AttributeNames',
  MessageSystemAttributeName: 'MessageSystemAttributeNames',
  MessageAttributeName: 'MessageAttributeNames',
  TagKey: 'TagKeys',
  AWSAccountId: 'AWSAccountIds',
  ActionName: 'Actions',
};

const ENTRY_LISTS = new Set(['SendMessageBatchRequestEntry', 'DeleteMessageBatchRequestEntry', 'ChangeMessageVisibilityBatchRequestEntry']);

/** Decoded query parameters (see decodeQueryParams) as the JSON protocol's input of `action`. */
export function queryInputToJson(action: string, params: Params): Params {
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    if (name === 'Attribute') out.Attributes = pairs(value, 'Name', 'Value');
    else if (name === 'Tag') out[action === 'CreateQueue' ? 'tags' : 'Tags'] = pairs(value, 'Key', 'Value');
    else if (name === 'MessageAttribute') out.MessageAttributes = pairs(value, 'Name', 'Value');
    else if (name === 'MessageSystemAttribute') out.MessageSystemAttributes = pairs(value, 'Name', 'Value');
    else if (Object.hasOwn(LIST_PARAMETERS, name)) out[LIST_PARAMETERS[name]] = numbered(value);
    else if (ENTRY_LISTS.has(name)) out.Entries = numbered(value).map((entry) => (entry && typeof entry === 'object' ? queryInputToJson(action, entry as Params) : entry));
    else out[name] = value;
  }
  return out;
}

/** Escapes text for XML, carriage returns included: a parser would otherwise read a bare CR as LF and the body's MD5 would no longer match. */
const text = (value: unknown): string => escapeXml(String(value)).replace(/\r/g, '&#xD;');

const element = (name: string, value: unknown): string =>
  value === undefined || value === null ? '' : `<${name}>${text(value)}</${name}>`;

function nameValues(tag: string, map: Record<string, unknown> | undefined, keyName = 'Name'): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `<${tag}>${element(keyName, k)}${element('Value', v)}</${tag}>`)
    .join('');
}

function batchResult(entryTag: string, result: any, fields: string[]): string {
  const ok = (result.Successful ?? []).map((e: Params) => `<${entryTag}>${fields.map((f) => element(f, e[f])).join('')}</${entryTag}>`);
  const failed = (result.Failed ?? []).map(
    (e: Params) => `<BatchResultErrorEntry>${element('Id', e.Id)}${element('SenderFault', e.SenderFault)}${element('Code', e.Code)}${element('Message', e.Message)}</BatchResultErrorEntry>`,
  );
  return ok.join('') + failed.join('');
}

const SEND_FIELDS = ['Id', 'MessageId', 'MD5OfMessageBody', 'MD5OfMessageAttributes', 'MD5OfMessageSystemAttributes', 'SequenceNumber'];

/** The content of `<ActionResult>` for a JSON-protocol output, or undefined for actions whose response has no result. */
export function jsonOutputToQueryXml(action: string, output: any): string | undefined {
  switch (action) {
    case 'CreateQueue':
    case 'GetQueueUrl':
      return element('QueueUrl', output.QueueUrl);
    case 'ListQueues':
      return (output.QueueUrls ?? []).map((url: string) => element('QueueUrl', url)).join('') + element('NextToken', output.NextToken);
    case 'ListDeadLetterSourceQueues':
      return (output.queueUrls ?? []).map((url: string) => element('QueueUrl', url)).join('') + element('NextToken', output.NextToken);
    case 'GetQueueAttributes':
      return nameValues('Attribute', output.Attributes);
    case 'ListQueueTags':
      return nameValues('Tag', output.Tags, 'Key');
    case 'SendMessage':
      return SEND_FIELDS.slice(1).map((f) => element(f, output[f])).join('');
    case 'SendMessageBatch':
      return batchResult('SendMessageBatchResultEntry', output, SEND_FIELDS);
    case 'DeleteMessageBatch':
      return batchResult('DeleteMessageBatchResultEntry', output, ['Id']);
    case 'ChangeMessageVisibilityBatch':
      return batchResult('ChangeMessageVisibilityBatchResultEntry', output, ['Id']);
    case 'ReceiveMessage':
      return (output.Messages ?? []).map(messageXml).join('');
    default:
      return undefined;
  }
}

function messageXml(message: any): string {
  const attributes = Object.entries((message.MessageAttributes ?? {}) as Record<string, Params>)
    .map(
      ([name, v]) =>
        `<MessageAttribute>${element('Name', name)}<Value>${element('StringValue', v.StringValue)}${element('BinaryValue', v.BinaryValue)}${element('DataType', v.DataType)}</Value></MessageAttribute>`,
    )
    .join('');
  return (
    `<Message>${element('MessageId', message.MessageId)}${element('ReceiptHandle', message.ReceiptHandle)}` +
    `${element('MD5OfBody', message.MD5OfBody)}${element('Body', message.Body)}${nameValues('Attribute', message.Attributes)}` +
    `${element('MD5OfMessageAttributes', message.MD5OfMessageAttributes)}${attributes}</Message>`
  );
}
