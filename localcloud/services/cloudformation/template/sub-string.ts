/**
 * The little language inside an Fn::Sub string: `${Name}`, `${Resource.Attr}`,
 * `${AWS::Region}`, and `${!Literal}`, which stands for the text `${Literal}`.
 * Text that only looks like the start of a variable (a `$` not followed by `{`,
 * or `${` with no closing brace) is kept as it is.
 */
import { evaluationError } from './errors.js';

export type SubSegment = { kind: 'text'; text: string } | { kind: 'variable'; name: string };

export function parseSubString(text: string): SubSegment[] {
  const segments: SubSegment[] = [];
  let literal = '';
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('${', position);
    if (open < 0) break;
    const close = text.indexOf('}', open + 2);
    if (close < 0) break;
    literal += text.slice(position, open);
    const inner = text.slice(open + 2, close);
    if (inner.startsWith('!')) {
      literal += '${' + inner.slice(1) + '}';
    } else {
      const name = inner.trim();
      if (name === '') throw evaluationError(`Fn::Sub string "${text}" contains an empty variable \${}`);
      if (literal) segments.push({ kind: 'text', text: literal });
      literal = '';
      segments.push({ kind: 'variable', name });
    }
    position = close + 1;
  }
  literal += text.slice(position);
  if (literal) segments.push({ kind: 'text', text: literal });
  return segments;
}

/** The names of the variables a Sub string uses, in order of appearance. */
export function subVariableNames(text: string): string[] {
  return parseSubString(text).flatMap((segment) => (segment.kind === 'variable' ? [segment.name] : []));
}

export type SubVariableTarget =
  | { kind: 'ref'; name: string }
  | { kind: 'getAtt'; logicalId: string; attribute: string };

/**
 * What a variable not found in the Sub's own variable map stands for: a Ref
 * (parameter, resource or pseudo parameter) or, when it has a dot, a GetAtt —
 * split on the first dot, like Fn::GetAtt's string form.
 */
export function subVariableTarget(name: string): SubVariableTarget {
  const dot = name.indexOf('.');
  if (dot > 0 && !name.startsWith('AWS::')) {
    return { kind: 'getAtt', logicalId: name.slice(0, dot), attribute: name.slice(dot + 1) };
  }
  return { kind: 'ref', name };
}
