/**
 * `make up DEBUG=…`: which functions get the Node inspector, on which port.
 * A function's port is the base port plus its place among ALL the stack's
 * functions sorted by logical path, so it is the same whichever functions are
 * debugged and from one run to the next (.vscode/launch.json relies on it).
 */
import { UserError } from '../support/errors.js';
import { selectFunctions, type StackFunction } from '../logs/stack-functions.js';

export const DEFAULT_DEBUG_BASE_PORT = 9229;

export interface DebuggedFunction extends StackFunction {
  port: number;
}

/** `DEBUG=1` (or true, yes, all): every function; `DEBUG=ApiFunction,EventArchiverFunction`: those; unset, 0 or false: none. */
export function debugSelection(value: string | undefined): 'all' | 'none' | string {
  const text = (value ?? '').trim();
  if (['', '0', 'false', 'no', 'off'].includes(text.toLowerCase())) return 'none';
  if (['1', 'true', 'yes', 'on', 'all'].includes(text.toLowerCase())) return 'all';
  return text;
}

export function debugPorts(all: StackFunction[], selection: string, basePort = DEFAULT_DEBUG_BASE_PORT): DebuggedFunction[] {
  if (selection === 'none') return [];
  const sorted = [...all].sort((a, b) => (a.logicalPath < b.logicalPath ? -1 : a.logicalPath > b.logicalPath ? 1 : 0));
  if (basePort + sorted.length - 1 > 65535 || basePort < 1) throw new UserError(`DEBUG_PORT=${basePort} leaves no room for ${sorted.length} ports`, 2);
  const chosen = selection === 'all' ? sorted : selectFunctions(sorted, selection, 'DEBUG');
  return chosen.map((fn) => ({ ...fn, port: basePort + sorted.indexOf(fn) }));
}
