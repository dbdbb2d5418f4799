/**
 * The Outputs section evaluated once every resource exists: what
 * DescribeStacks shows, what exports publish, and what a parent stack reads
 * through `Fn::GetAtt [Nested, Outputs.Name]`.
 */
import { evaluationError } from './errors.js';
import { resolve, type EvaluationScope } from './intrinsics.js';
import type { OutputDeclaration } from './types.js';

export interface ResolvedOutput {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

/** Outputs whose Condition is false are left out, as CloudFormation does. */
export function resolveOutputs(
  outputs: Readonly<Record<string, OutputDeclaration>> | undefined,
  scope: EvaluationScope,
): ResolvedOutput[] {
  const resolved: ResolvedOutput[] = [];
  for (const [name, output] of Object.entries(outputs ?? {})) {
    if (output.Condition !== undefined && scope.conditions?.get(output.Condition) === false) continue;
    const at = ['Outputs', name];
    const value = outputString(resolve(output.Value, scope, { at: [...at, 'Value'] }), [...at, 'Value']);
    const entry: ResolvedOutput = { OutputKey: name, OutputValue: value };
    if (output.Description !== undefined) entry.Description = String(output.Description);
    if (output.Export !== undefined) {
      entry.ExportName = outputString(resolve(output.Export.Name, scope, { at: [...at, 'Export', 'Name'] }), [
        ...at,
        'Export',
        'Name',
      ]);
    }
    resolved.push(entry);
  }
  return resolved;
}

function outputString(value: unknown, at: readonly (string | number)[]): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw evaluationError('The Value of every Outputs member must evaluate to a String and not a List or an object', at);
}
