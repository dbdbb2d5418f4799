/** The few DOM helpers the page needs; no framework. */

/** An element the HTML is known to contain; a missing one is a bug worth failing loudly on. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}`);
  return element as T;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string } = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title) element.title = props.title;
  element.append(...children);
  return element;
}

export type MessageKind = 'ok' | 'error' | 'info';

export function showMessage(output: HTMLElement, text: string, kind: MessageKind = 'info'): void {
  output.textContent = text;
  output.classList.toggle('ok', kind === 'ok');
  output.classList.toggle('error', kind === 'error');
}

/** Numbers as a person reads them: no float noise, no needless exponent. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e15 || magnitude < 1e-6)) return value.toExponential(4);
  return value.toLocaleString('en-US', { maximumFractionDigits: 6 });
}
