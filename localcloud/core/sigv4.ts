/** What a SigV4 signature tells us about the caller, without verifying it. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

/** Reads the credential scope from an `Authorization` header or a presigned URL's query. */
export function credentialScope(headers: Record<string, string>, query: URLSearchParams): CredentialScope | undefined {
  const auth = headers['authorization'];
  let match = auth ? SCOPE.exec(auth) : null;
  if (!match) {
    const credential = query.get('X-Amz-Credential');
    if (credential) match = SCOPE.exec(`Credential=${credential}`);
  }
  if (!match) return undefined;
  return { accessKeyId: match[1], date: match[2], region: match[3], service: match[4] };
}
