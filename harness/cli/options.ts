/**
 * Command-line options with environment fallbacks: `--stack x` beats `STACK=x`
 * beats the default, so `make deploy STACK=x` and `tsx harness/cli.ts deploy
 * --stack x` mean the same.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../support/errors.js';

export interface OptionSpec {
  /** The long flag, kebab-case: `code-bucket` is `--code-bucket`. */
  flag: string;
  type: 'string' | 'number' | 'boolean';
  env?: string;
  default?: string | number | boolean;
  /** Shown as the default in --help when the default is computed later. */
  defaultText?: string;
  description: string;
}

export type OptionValues = Record<string, string | number | boolean | undefined>;

export function parseOptions(command: string, specs: readonly OptionSpec[], argv: string[]): { values: OptionValues; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(
          specs.flatMap((spec): [string, { type: 'boolean' | 'string' }][] =>
            spec.type === 'boolean'
              ? [[spec.flag, { type: 'boolean' }], [`no-${spec.flag}`, { type: 'boolean' }]]
              : [[spec.flag, { type: 'string' }]],
          ),
        ),
      },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UserError(`${command}: ${detail}; see: tsx harness/cli.ts ${command} --help`, 2);
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const values: OptionValues = {};
  for (const spec of specs) {
    let raw: string | boolean | undefined = flags[spec.flag];
    let source = `--${spec.flag}`;
    if (spec.type === 'boolean' && flags[`no-${spec.flag}`]) raw = false;
    if (raw === undefined && spec.env && process.env[spec.env] !== undefined && process.env[spec.env] !== '') {
      raw = process.env[spec.env];
      source = spec.env;
    }
    values[key(spec.flag)] = raw === undefined ? spec.default : convert(spec, raw, source, command);
  }
  return { values, help: Boolean(flags.help) };
}

function convert(spec: OptionSpec, raw: string | boolean, source: string, command: string): string | number | boolean {
  if (spec.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    return !['', '0', 'false', 'no', 'off'].includes(raw.toLowerCase());
  }
  if (spec.type === 'number') {
    const value = Number(raw);
    if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) {
      throw new UserError(`${command}: ${source} must be a number, got '${raw}'`, 2);
    }
    return value;
  }
  return String(raw);
}

/** `code-bucket` → `codeBucket` */
export function key(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function helpText(usage: string, summary: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((spec) => {
    const flag = spec.type === 'boolean' ? `--${spec.flag}` : `--${spec.flag} <${spec.type === 'number' ? 'n' : 'value'}>`;
    const env = spec.env ? `  [${spec.env}]` : '';
    const dflt = spec.defaultText ?? (spec.default !== undefined && spec.default !== false ? String(spec.default) : undefined);
    return { left: flag, right: `${spec.description}${dflt !== undefined ? ` (default ${dflt})` : ''}${env}` };
  });
  rows.push({ left: '-h, --help', right: 'show this help' });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return [`usage: ${usage}`, '', summary, '', 'options (flag, then environment variable, then default):', ...rows.map((r) => `  ${r.left.padEnd(width)}${r.right}`)].join('\n');
}

/** Validation helpers for parsed values. */
export function port(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UserError(`${what} must be a port number between 0 and 65535, got '${value}'`, 2);
  return n;
}
