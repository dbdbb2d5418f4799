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
export function formatError(problem: string, at?: TemplatePath): TemplateError {
  return new TemplateError(`Template format error: ${located(problem, at)}`);
}

/** A problem found while evaluating a function: AWS prefixes these "Template error:". */
export function evaluationError(problem: string, at?: TemplatePath): TemplateError {
  return new TemplateError(`Template error: ${located(problem, at)}`);
}

/**
 * Renders a location inside the template the way newer CloudFormation
 * messages do ("[/Resources/MyBucket/Properties]"), so a message always names
 * the logical ID it is about.
 */
export function pointer(path: TemplatePath): string {
  return `[/${path.map(String).join('/')}]`;
}

/** A location inside the template: section, logical ID, then keys and list indexes. */
export type TemplatePath = readonly (string | number)[];

function located(problem: string, at: TemplatePath | undefined): string {
  return at && at.length > 0 ? `${pointer(at)} ${problem}` : problem;
}

// Messages more than one module raises, in CloudFormation's words.

/** CloudFormation's words, plus (unlike AWS) which resources or outputs hold the references, when known. */
export function unresolvedResourceDependencies(names: readonly string[], section: string, referencedBy: readonly string[] = []): TemplateError {
  const holders = referencedBy.length > 0 ? ` (referenced by ${referencedBy.join(', ')})` : '';
  return formatError(`Unresolved resource dependencies [${names.join(', ')}] in the ${section} block of the template${holders}`);
}

export function unresolvedGetAtt(logicalId: string, at?: TemplatePath): TemplateError {
  return evaluationError(`instance of Fn::GetAtt references undefined resource ${logicalId}`, at);
}

export function resourceInConditions(names: readonly string[]): TemplateError {
  return formatError(
    `Unresolved dependencies [${names.join(', ')}]. Cannot reference resources in the Conditions block of the template`,
  );
}

/** `usedBy` says where the condition was named: "Fn::If", "resource MyBucket", "condition IsProd", ... */
export function undefinedCondition(name: string, usedBy: string): TemplateError {
  return formatError(`Unresolved condition dependency ${name} in ${usedBy}`);
}

export function circularDependency(kind: 'resources' | 'conditions', members: readonly string[]): TemplateError {
  return new TemplateError(`Circular dependency between ${kind}: [${members.join(', ')}]`);
}
