/**
 * Turns a template body (JSON or YAML) into a plain object. YAML short-form tags
 * (`!Ref`, `!GetAtt`, `!Sub`, ...) become the long forms (`{"Ref": ...}`,
 * `{"Fn::GetAtt": [...]}`), so nothing downstream knows which syntax was used.
 * Parsing checks only that the body is well formed; `validate.ts` checks meaning.
 */
import { Pair, Scalar, YAMLMap, parseDocument } from 'yaml';
import type { CollectionTag, ScalarTag, YAMLSeq } from 'yaml';
import { formatError } from './errors.js';
import { jsonErrorOffset } from './json-error-offset.js';
import { getAttArguments } from './syntax.js';
import { isPlainObject, type Template } from './types.js';

/** Short tag -> long key. Fn::Transform and friends are mapped too so the validator can name them. */
const SHORT_FORMS: Record<string, string> = {
  '!Ref': 'Ref',
  '!Condition': 'Condition',
  '!Base64': 'Fn::Base64',
  '!Cidr': 'Fn::Cidr',
  '!FindInMap': 'Fn::FindInMap',
  '!GetAtt': 'Fn::GetAtt',
  '!GetAZs': 'Fn::GetAZs',
  '!ImportValue': 'Fn::ImportValue',
  '!Join': 'Fn::Join',
  '!Select': 'Fn::Select',
  '!Split': 'Fn::Split',
  '!Sub': 'Fn::Sub',
  '!Transform': 'Fn::Transform',
  '!And': 'Fn::And',
  '!Equals': 'Fn::Equals',
  '!If': 'Fn::If',
  '!Not': 'Fn::Not',
  '!Or': 'Fn::Or',
};

/**
 * Each short form may be written on a scalar, a sequence or a mapping
 * (`!Base64` followed by a block `Fn::Sub:` mapping is common), so every tag is
 * registered three times. A wrong shape is left for the validator to report
 * with a proper message instead of a YAML error.
 */
function shortFormTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  for (const [tag, longName] of Object.entries(SHORT_FORMS)) {
    tags.push({
      tag,
      resolve: (text: string) => ({ [longName]: scalarArgument(longName, text) }),
    });
    for (const collection of ['seq', 'map'] as const) {
      tags.push({
        tag,
        collection,
        resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => wrapInMapping(longName, node),
      });
    }
  }
  return tags;
}

/** `!GetAtt Res.Attr` is the one scalar short form whose long form is a list. */
function scalarArgument(longName: string, text: string): unknown {
  if (longName !== 'Fn::GetAtt') return text;
  const parts = getAttArguments(text);
  return parts ? [parts.logicalId, parts.attribute] : text;
}

/** Builds the AST node `{longName: <node>}` so nested tags inside `node` are kept. */
function wrapInMapping(longName: string, node: YAMLMap.Parsed | YAMLSeq.Parsed): YAMLMap {
  const mapping = new YAMLMap();
  mapping.items.push(new Pair(new Scalar(longName), node));
  return mapping;
}

const CUSTOM_TAGS = shortFormTags();

export function parseTemplate(body: string): Template {
  if (body.trim() === '') throw formatError('The template body is empty: it must be a JSON object or a YAML mapping');
  const parsed = looksLikeJson(body) ? parseJson(body) : parseYaml(body);
  if (!isPlainObject(parsed)) {
    throw formatError('The template must be a JSON object or a YAML mapping at its top level');
  }
  return parsed as unknown as Template;
}

function looksLikeJson(body: string): boolean {
  return body.trimStart().startsWith('{');
}

/**
 * A body that starts with `{` is treated as JSON only. YAML would also accept
 * most broken JSON (`{"a": }` is a valid YAML flow mapping), which would turn a
 * typo into a silently different template.
 */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (error) {
    throw formatError(`JSON not well-formed. ${jsonErrorDetails(body, error)}`);
  }
}

/** AWS's "(line L, column C)" followed by Node's own description of the problem. */
function jsonErrorDetails(body: string, error: unknown): string {
  // Node quotes the text around the problem, or gives an offset; the line and column replace both.
  const reason = (error instanceof Error ? error.message : String(error))
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/( in JSON)? at position \d+.*$/s, '');
  const offset = jsonErrorOffset(body);
  if (offset < 0) return reason;
  const { line, column } = lineAndColumn(body, offset);
  return `(line ${line}, column ${column}) ${reason}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return { line, column };
}

function parseYaml(body: string): unknown {
  const document = parseDocument(body, {
    customTags: CUSTOM_TAGS,
    uniqueKeys: true,
    prettyErrors: true,
    // CloudFormation has no timestamps or other YAML 1.1 surprises: the core schema keeps
    // `2010-09-09` a string and `yes` a string.
    schema: 'core',
  });
  // An unknown tag (`!Foo`) is only a warning to the YAML library, but CloudFormation rejects it.
  const problem = document.errors[0] ?? document.warnings.find((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (problem) {
    const where = problem.linePos?.[0];
    const location = where ? `(line ${where.line}, column ${where.col}) ` : '';
    const reason = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw formatError(`YAML not well-formed. ${location}${reason}`);
  }
  return document.toJS({ maxAliasCount: 1000 });
}
