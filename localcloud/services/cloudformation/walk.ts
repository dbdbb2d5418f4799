/**
 * Runs one task per node of a dependency graph, each the moment everything it
 * depends on has succeeded, so independent resources proceed in parallel and
 * nothing waits on a timer. Used forwards for creation and update, and on the
 * reversed graph for deletion.
 */

export interface WalkOptions {
  /**
   * 'stop': after the first failure start nothing new (creation: the stack is
   * about to roll back). 'continue': keep going with every node that does not
   * depend on a failed one (deletion: delete whatever can be deleted).
   */
  onFailure: 'stop' | 'continue';
  /** Called once when the first task fails, e.g. to cancel tasks still running. */
  onFirstFailure?: (id: string, error: unknown) => void;
}

export interface WalkResult {
  succeeded: string[];
  failed: Map<string, unknown>;
  /** Never started: a dependency failed, or the walk stopped. */
  skipped: string[];
}

/** `graph`: node -> the nodes it waits for. Dependencies outside the graph count as met. */
export function walkGraph(
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  task: (id: string) => Promise<void>,
  options: WalkOptions,
): Promise<WalkResult> {
  const succeeded: string[] = [];
  const failed = new Map<string, unknown>();
  const started = new Set<string>();
  let running = 0;
  let stopped = false;

  return new Promise((resolve) => {
    const ready = (id: string): boolean =>
      [...graph.get(id)!].every((dependency) => !graph.has(dependency) || succeeded.includes(dependency));

    const finishIfIdle = () => {
      if (running > 0) return;
      const skipped = [...graph.keys()].filter((id) => !started.has(id));
      resolve({ succeeded, failed, skipped });
    };

    const pump = () => {
      if (!stopped) {
        for (const id of graph.keys()) {
          if (started.has(id) || !ready(id)) continue;
          started.add(id);
          running++;
          task(id).then(
            () => {
              succeeded.push(id);
              running--;
              pump();
            },
            (error: unknown) => {
              const first = failed.size === 0;
              failed.set(id, error);
              running--;
              if (options.onFailure === 'stop') stopped = true;
              if (first) options.onFirstFailure?.(id, error);
              pump();
            },
          );
        }
      }
      finishIfIdle();
    };
    pump();
  });
}

/** The graph reversed: node -> the nodes that depend on it (they must go first when deleting). */
export function reverseGraph(graph: ReadonlyMap<string, ReadonlySet<string>>): Map<string, Set<string>> {
  const reversed = new Map<string, Set<string>>([...graph.keys()].map((id) => [id, new Set<string>()]));
  for (const [id, dependencies] of graph) {
    for (const dependency of dependencies) reversed.get(dependency)?.add(id);
  }
  return reversed;
}
