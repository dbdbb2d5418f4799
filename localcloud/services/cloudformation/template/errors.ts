/**
 * The one error type of the template language. The engine turns it into an
 * AWS-shaped `ValidationError` response, so every message is written the way
 * CloudFormation words it ("Template format error: ...", "Template error: ...",
 * "Parameters: [X] must have values").
 */
export class TemplateError extends Error {
  /** The AWS error code the engine answers with. */
  readonly code = 'ValidationError' as const;

  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** A problem with the shape of the template: AWS prefixes these "Template format error:". */
export function formatError(problem: string): TemplateError {
  return new TemplateError(`Template format error: ${problem}`);
}

/** A problem found while evaluating a function: AWS prefixes these "Template error:". */
export function evaluationError(problem: string): TemplateError {
  return new TemplateError(`Template error: ${problem}`);
}

/**
 * Renders a location inside the template the way newer CloudFormation
 * messages do ("[/Resources/MyBucket/Properties]"), so a message always names
 * the logical ID it is about.
 */
export function pointer(path: readonly (string | number)[]): string {
  return `[/${path.map(String).join('/')}]`;
}
