/**
 * A saved template that is not even JSON is reported where the editor can
 * jump to it, before anything is uploaded: the running stack is not touched.
 * Anything subtler (an unknown resource type, a bad reference) is left to
 * CloudFormation, whose change set refuses it just as well.
 */
import { readFileSync } from 'node:fs';

export interface TemplateProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export function checkTemplateSyntax(file: string, displayName: string): TemplateProblem | undefined {
  let body: string;
  try {
    body = readFileSync(file, 'utf8');
  } catch (error) {
    return { file: displayName, message: error instanceof Error ? error.message : String(error) };
  }
  try {
    JSON.parse(body);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    if (!position) return { file: displayName, message };
    const before = body.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    return { file: displayName, line, column, message: message.replace(/ in JSON at position \d+.*$/, '') };
  }
}

export function formatProblem(problem: TemplateProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}:${problem.column}` : problem.file;
  return `${where}: ${problem.message}`;
}
