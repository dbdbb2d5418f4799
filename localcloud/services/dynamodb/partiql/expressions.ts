import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Condition, Operand, Path, UpdateAction } from './statement-parser.js';

/**
 * Renders parsed PartiQL as DynamoDB's own expressions (condition, filter,
 * key condition, update, projection) with placeholder names and values, so
 * the engine evaluates a statement exactly as the equivalent Query, Scan or
 * item operation: one implementation of comparisons, types and functions.
 */
export class ExpressionWriter {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  private readonly nameOf = new Map<string, string>();
  private valueCount = 0;

  path(path: Path): string {
    return path
      .map((step, i) => ('index' in step ? `[${step.index}]` : `${i > 0 ? '.' : ''}${this.name(step.name)}`))
      .join('');
  }

  name(name: string): string {
    let placeholder = this.nameOf.get(name);
    if (!placeholder) {
      placeholder = `#n${this.nameOf.size}`;
      this.nameOf.set(name, placeholder);
      this.names[placeholder] = name;
    }
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${this.valueCount++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  operand(operand: Operand): string {
    return 'path' in operand ? this.path(operand.path) : this.value(operand.value);
  }

  condition(condition: Condition): string {
    switch (condition.op) {
      case 'and':
      case 'or':
        return `(${this.condition(condition.left)}) ${condition.op.toUpperCase()} (${this.condition(condition.right)})`;
      case 'not':
        return `NOT (${this.condition(condition.operand)})`;
      case 'compare':
        return `${this.operand(condition.left)} ${condition.comparator} ${this.operand(condition.right)}`;
      case 'between':
        return `${this.operand(condition.subject)} BETWEEN ${this.operand(condition.low)} AND ${this.operand(condition.high)}`;
      case 'in':
        return `${this.operand(condition.subject)} IN (${condition.options.map((o) => this.operand(o)).join(', ')})`;
      case 'missing':
        return `${condition.negated ? 'attribute_exists' : 'attribute_not_exists'}(${this.path(condition.path)})`;
      case 'function':
        return `${condition.name}(${condition.args.map((a) => this.operand(a)).join(', ')})`;
    }
  }

  update(actions: UpdateAction[]): string {
    const sets = actions.flatMap((a) =>
      a.kind === 'set'
        ? [`${this.path(a.path)} = ${this.operand(a.value)}${a.arithmetic ? ` ${a.arithmetic.op} ${this.operand(a.arithmetic.operand)}` : ''}`]
        : [],
    );
    const removes = actions.flatMap((a) => (a.kind === 'remove' ? [this.path(a.path)] : []));
    return [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  }

  /** The placeholders, as an operation takes them (omitted when unused: DynamoDB refuses empty maps). */
  attributes(): { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> } {
    return {
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

/** The top-level AND-ed parts of a condition. */
export function conjuncts(condition: Condition | undefined): Condition[] {
  if (!condition) return [];
  return condition.op === 'and' ? [...conjuncts(condition.left), ...conjuncts(condition.right)] : [condition];
}

export function allOf(parts: Condition[]): Condition | undefined {
  return parts.reduce<Condition | undefined>((left, right) => (left ? { op: 'and', left, right } : right), undefined);
}

/** `attr = value` (either way round) on a top-level attribute: the value, else undefined. */
export function equalityOn(condition: Condition, attribute: string): AttributeValue | undefined {
  if (condition.op !== 'compare' || condition.comparator !== '=') return undefined;
  const { left, right } = condition;
  const isAttr = (o: Operand) => 'path' in o && o.path.length === 1 && 'name' in o.path[0] && o.path[0].name === attribute;
  if (isAttr(left) && 'value' in right) return right.value;
  if (isAttr(right) && 'value' in left) return left.value;
  return undefined;
}

/** Whether a condition mentions the top-level attribute anywhere. */
export function mentions(condition: Condition, attribute: string): boolean {
  const inOperand = (o: Operand) => 'path' in o && 'name' in o.path[0] && o.path[0].name === attribute;
  switch (condition.op) {
    case 'and':
    case 'or':
      return mentions(condition.left, attribute) || mentions(condition.right, attribute);
    case 'not':
      return mentions(condition.operand, attribute);
    case 'compare':
      return inOperand(condition.left) || inOperand(condition.right);
    case 'between':
      return [condition.subject, condition.low, condition.high].some(inOperand);
    case 'in':
      return [condition.subject, ...condition.options].some(inOperand);
    case 'missing':
      return 'name' in condition.path[0] && condition.path[0].name === attribute;
    case 'function':
      return condition.args.some(inOperand);
  }
}
