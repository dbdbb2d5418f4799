/**
 * The log panel: one line per call with its outcome, newest on top, errors in
 * plain words (see errors.ts).
 */
import { el, type MessageKind } from './dom.js';

/** Old lines are dropped past this many; the simulator logs one a second. */
const MAX_ENTRIES = 300;

export class LogPanel {
  constructor(private readonly list: HTMLOListElement) {
    this.clear();
  }

  add(call: string, text: string, kind: MessageKind = 'info'): void {
    this.list.querySelector('li.empty')?.remove();
    const time = new Date().toLocaleTimeString('en-GB', { hour12: false });
    const entry = el('li', { className: kind }, el('span', { className: 'time', text: time }), el('span', { className: 'call', text: call }), el('span', { className: 'text', text }));
    this.list.prepend(entry);
    while (this.list.children.length > MAX_ENTRIES) this.list.lastElementChild?.remove();
  }

  clear(): void {
    this.list.replaceChildren(el('li', { className: 'empty', text: 'Calls and their results appear here.' }));
  }
}
