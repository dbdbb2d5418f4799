import { AwsError } from '../../core/errors.js';
import { S3Error } from './errors.js';

/**
 * A browser upload form (`multipart/form-data`), read as S3 reads it: the
 * fields before the `file` part, then the file; anything after the file is
 * ignored. The whole body is already bounded by the gateway's body limit; the
 * fields before the file are bounded here, as S3 bounds them.
 */
export interface UploadForm {
  /** Field names lower-cased (S3 matches them case-insensitively), values as sent. */
  fields: Map<string, string>;
  /** The field names as sent, in order, for policy coverage and messages. */
  names: string[];
  file: { filename: string; data: Buffer };
}

/** S3's limit on the bytes of the form fields that precede the file. */
const MAX_PRE_DATA_BYTES = 20 * 1024;
const MAX_FIELDS = 1000;

export function parseUploadForm(contentType: string | undefined, body: Buffer): UploadForm {
  const boundary = /^multipart\/form-data\s*;.*?boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!boundary) {
    throw new AwsError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
      Condition: 'Bucket POST must be of the enclosure-type multipart/form-data',
    });
  }
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const fields = new Map<string, string>();
  const names: string[] = [];
  let preDataBytes = 0;
  let position = body.indexOf(delimiter);
  if (position < 0) throw malformed();
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break; // the closing delimiter, and no file
    const headersEnd = body.indexOf('\r\n\r\n', position);
    if (headersEnd < 0) throw malformed();
    const disposition = partDisposition(body.subarray(position, headersEnd).toString('utf8'));
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next < 0) throw malformed();
    const content = body.subarray(headersEnd + 4, next);
    if (disposition.name.toLowerCase() === 'file') {
      return { fields, names, file: { filename: disposition.filename ?? '', data: content } };
    }
    preDataBytes += Buffer.byteLength(disposition.name) + content.length;
    if (preDataBytes > MAX_PRE_DATA_BYTES || names.length >= MAX_FIELDS) {
      throw new AwsError('MaxPostPreDataLengthExceededError', 'Your POST request fields preceding the upload file were too large.', 400, {
        MaxPostPreDataLength: String(MAX_PRE_DATA_BYTES),
      });
    }
    names.push(disposition.name);
    fields.set(disposition.name.toLowerCase(), content.toString('utf8'));
    position = next + 2;
  }
  throw S3Error.invalidArgument('POST requires exactly one file upload per request.', 'file', '0');
}

/** `Content-Disposition: form-data; name="key"; filename="cat.jpg"`. */
function partDisposition(headerBlock: string): { name: string; filename?: string } {
  const line = headerBlock.split('\r\n').find((l) => /^content-disposition\s*:/i.test(l));
  const name = line && /;\s*name="([^"]*)"/i.exec(line)?.[1];
  if (name === undefined || name === null) throw malformed();
  const filename = /;\s*filename="([^"]*)"/i.exec(line!)?.[1];
  return filename === undefined ? { name } : { name, filename };
}

function malformed(): AwsError {
  return new AwsError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', 400);
}
