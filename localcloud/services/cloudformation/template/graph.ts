/**
 * Which resource needs which: explicit DependsOn plus the implicit
 * dependencies of Ref, Fn::GetAtt and the variables of Fn::Sub. The engine
 * creates a resource once everything it depends on exists (independent ones
 * in parallel), and deletes in the reverse order.
 */
import { circularDependency, unresolvedResourceDependencies } from './errors.js';
import { subVariableNames, subVariableTarget } from './sub-string.js';
import { asFunctionCall, getAttArguments, subArguments } from './syntax.js';
import { isPlainObject, type Template } from './types.js';

/** Logical ID -> the logical IDs of the resources it depends on. */
export type DependencyGraph = Map<string, Set<string>>;

export interface GraphOptions {
  /**
   * Results of the Conditions section. When given, resources whose Condition is
   * false are left out, and only the branch of Fn::If that will be taken counts.
   * When absent, every resource and both branches count (the static view the
   * validator wants).
   */
  conditions?: ReadonlyMap<string, boolean>;
}

/**
 * Every name a value refers to through Ref, Fn::GetAtt or an Fn::Sub variable:
 * resources, but also parameters and pseudo parameters, which callers filter.
 */
export function referencedNames(value: unknown, options: GraphOptions = {}): Set<string> {
  const names = new Set<string>();
  collect(value, options, names);
  return names;
}

function collect(value: unknown, options: GraphOptions, names: Set<string>): void {
  if (Array.isArray(value)) {
    for (const element of value) collect(element, options, names);
    return;
  }
  if (!isPlainObject(value)) return;
  const call = asFunctionCall(value);
  if (!call) {
    for (const property of Object.values(value)) collect(property, options, names);
    return;
  }
  const { name, argument } = call;
  if (name === 'Ref' && typeof argument === 'string') {
    names.add(argument);
    return;
  }
  if (name === 'Fn::GetAtt') {
    const parts = getAttArguments(argument);
    if (parts) {
      names.add(parts.logicalId);
      collect(parts.attribute, options, names);
      return;
    }
  }
  if (name === 'Fn::Sub') {
    const parts = subArguments(argument);
    if (parts) {
      for (const variable of safeSubVariableNames(parts.text)) {
        if (Object.hasOwn(parts.variables, variable)) continue;
        const target = subVariableTarget(variable);
        names.add(target.kind === 'ref' ? target.name : target.logicalId);
      }
      collect(parts.variables, options, names);
      return;
    }
  }
  if (name === 'Fn::If' && Array.isArray(argument) && argument.length === 3 && typeof argument[0] === 'string') {
    const taken = options.conditions?.get(argument[0]);
    if (taken !== undefined) {
      collect(taken ? argument[1] : argument[2], options, names);
      return;
    }
  }
  collect(argument, options, names);
}

/** A malformed Sub string is the validator's to report; here it simply has no variables. */
function safeSubVariableNames(text: string): string[] {
  try {
    return subVariableNames(text);
  } catch {
    return [];
  }
}

/** The logical IDs of the resources that exist in this deployment, in template order. */
export function includedResourceIds(template: Template, conditions?: ReadonlyMap<string, boolean>): string[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => {
      const condition = isPlainObject(resource) ? resource.Condition : undefined;
      return typeof condition !== 'string' || !conditions || conditions.get(condition) !== false;
    })
    .map(([logicalId]) => logicalId);
}

/**
 * The dependency graph of the included resources. A reference to a resource
 * left out by its Condition is the error CloudFormation reports for it.
 * Names that are neither parameters nor resources are ignored here: the
 * validator reports them.
 */
export function resourceDependencies(template: Template, options: GraphOptions = {}): DependencyGraph {
  const resources = template.Resources ?? {};
  const included = new Set(includedResourceIds(template, options.conditions));
  const parameters = template.Parameters ?? {};
  const graph: DependencyGraph = new Map();
  const excludedButNeeded = new Set<string>();

  for (const logicalId of included) {
    const declaration: unknown = resources[logicalId];
    // Type, Condition and DependsOn are plain strings, so walking the whole declaration is safe.
    const needed = referencedNames(declaration, options);
    if (isPlainObject(declaration)) for (const name of dependsOnList(declaration.DependsOn)) needed.add(name);
    const dependencies = new Set<string>();
    for (const name of needed) {
      if (Object.hasOwn(parameters, name) || !Object.hasOwn(resources, name)) continue;
      if (included.has(name)) dependencies.add(name);
      else excludedButNeeded.add(name);
    }
    graph.set(logicalId, dependencies);
  }
  if (excludedButNeeded.size > 0) throw unresolvedResourceDependencies([...excludedButNeeded], 'Resources');
  return graph;
}

/** DependsOn may be one logical ID or a list of them. */
export function dependsOnList(dependsOn: unknown): string[] {
  if (typeof dependsOn === 'string') return [dependsOn];
  if (Array.isArray(dependsOn)) return dependsOn.filter((name): name is string => typeof name === 'string');
  return [];
}

/** Logical ID -> the resources that depend on it (the graph reversed), for deletion. */
export function dependents(graph: DependencyGraph): DependencyGraph {
  const reversed: DependencyGraph = new Map([...graph.keys()].map((logicalId) => [logicalId, new Set<string>()]));
  for (const [logicalId, dependencies] of graph) {
    for (const dependency of dependencies) reversed.get(dependency)?.add(logicalId);
  }
  return reversed;
}

/**
 * The resources on cycles, each cycle listed in graph order. A resource that
 * merely depends on a cycle is not on it. Uses Tarjan's strongly connected
 * components; a component counts when it has two members or a self-reference.
 */
export function findCycles(graph: DependencyGraph): string[][] {
  const order = new Map([...graph.keys()].map((logicalId, index) => [logicalId, index]));
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;

  const visit = (node: string): void => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(next)!));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(next)!));
      }
    }
    if (lowLink.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)!.has(node)) {
      cycles.push(component.sort((a, b) => order.get(a)! - order.get(b)!));
    }
  };

  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles.sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}

/** Throws CloudFormation's "Circular dependency between resources: [...]" when the graph has a cycle. */
export function assertAcyclic(graph: DependencyGraph): void {
  const cycles = findCycles(graph);
  if (cycles.length > 0) throw circularDependency('resources', cycles.flat());
}

/**
 * Creation order in layers: every resource in a layer depends only on
 * resources of earlier layers, so a layer can be created in parallel.
 * Dependencies on IDs outside the graph count as already satisfied.
 */
export function topologicalLayers(graph: DependencyGraph): string[][] {
  assertAcyclic(graph);
  const layers: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < graph.size) {
    const layer = readyToCreate(graph, placed);
    layers.push(layer);
    for (const logicalId of layer) placed.add(logicalId);
  }
  return layers;
}

/** Deletion order in layers: dependents go before what they depend on. */
export function deletionLayers(graph: DependencyGraph): string[][] {
  return topologicalLayers(graph).reverse();
}

/**
 * The resources that can start now: not created or started yet, and all
 * their dependencies created. For an engine that starts each resource the
 * moment it is ready rather than a layer at a time.
 */
export function readyToCreate(
  graph: DependencyGraph,
  created: ReadonlySet<string>,
  started: ReadonlySet<string> = new Set(),
): string[] {
  return [...graph]
    .filter(([logicalId]) => !created.has(logicalId) && !started.has(logicalId))
    .filter(([, dependencies]) => [...dependencies].every((dependency) => created.has(dependency) || !graph.has(dependency)))
    .map(([logicalId]) => logicalId);
}

/** The resources that can be deleted now: every resource depending on them is already deleted. */
export function readyToDelete(
  graph: DependencyGraph,
  deleted: ReadonlySet<string>,
  started: ReadonlySet<string> = new Set(),
): string[] {
  return readyToCreate(dependents(graph), deleted, started);
}
