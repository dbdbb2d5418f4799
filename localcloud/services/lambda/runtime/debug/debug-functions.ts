/** `--debug-function name=port` and LOCALCLOUD_DEBUG_FUNCTIONS=`name=port,name=port`: which functions run under the inspector, on which port. */
export const DEBUG_FUNCTIONS_ENV = 'LOCALCLOUD_DEBUG_FUNCTIONS';

export function parseDebugFunctions(specs: string[], source: string): Record<string, number> {
  const ports: Record<string, number> = {};
  const used = new Map<number, string>();
  for (const spec of specs.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]{1,64})=(\d{1,5})$/.exec(spec);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) {
      throw new Error(`${source}: '${spec}' is not <function name>=<port> (e.g. my-function=9229, port 1-65535)`);
    }
    const name = match[1]!;
    if (used.has(port) && used.get(port) !== name) throw new Error(`${source}: port ${port} is given to both ${used.get(port)} and ${name}`);
    used.set(port, name);
    ports[name] = port;
  }
  return ports;
}
