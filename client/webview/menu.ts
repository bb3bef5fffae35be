// The picture's context menu: the revision tree's row actions for one revision, by mouse (right click)
// or keyboard (Shift+F10 / the context-menu key; arrows, Enter, Escape). Built from DOM nodes, never
// from HTML strings.
import type { GraphActionView } from '../../common/graphViewMessages';

/** After this many actions comes a separator: the first ones run Alembic, the rest are about the file. */
const RUN_ACTIONS = 4;

export class ContextMenu {
  readonly element: HTMLDivElement;
  private revision: string | undefined;
  private returnFocus: HTMLElement | undefined;

  constructor(private readonly choose: (command: string, revision: string) => void) {
    this.element = document.createElement('div');
    this.element.className = 'menu';
    this.element.setAttribute('role', 'menu');
    this.element.hidden = true;
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.element.addEventListener('click', (e) => {
      const item = (e.target as HTMLElement | null)?.closest<HTMLButtonElement>('button[data-command]');
      if (item?.dataset.command) this.run(item.dataset.command);
    });
    // A press anywhere else closes the menu, as native menus do.
    document.addEventListener('mousedown', (e) => {
      if (this.isOpen && !this.element.contains(e.target as Node)) this.close(false);
    }, true);
    window.addEventListener('blur', () => this.close(false));
  }

  get isOpen(): boolean {
    return !this.element.hidden;
  }

  get openFor(): string | undefined {
    return this.isOpen ? this.revision : undefined;
  }

  get items(): string[] {
    return [...this.element.querySelectorAll('button')].map((b) => b.textContent ?? '');
  }

  setActions(actions: readonly GraphActionView[]): void {
    const children: HTMLElement[] = [];
    actions.forEach((a, i) => {
      if (i === RUN_ACTIONS && actions.length > RUN_ACTIONS) {
        const sep = document.createElement('div');
        sep.className = 'separator';
        sep.setAttribute('role', 'separator');
        children.push(sep);
      }
      const item = document.createElement('button');
      item.type = 'button';
      item.setAttribute('role', 'menuitem');
      item.tabIndex = -1;
      item.dataset.command = a.command;
      item.textContent = a.title;
      children.push(item);
    });
    this.element.replaceChildren(...children);
  }

  /** Opens at viewport coordinates (x, y), kept inside the window. */
  open(x: number, y: number, revision: string, returnFocus: HTMLElement): void {
    this.revision = revision;
    this.returnFocus = returnFocus;
    this.element.hidden = false;
    const { width, height } = this.element.getBoundingClientRect();
    this.element.style.left = `${Math.max(0, Math.min(x, window.innerWidth - width - 4))}px`;
    this.element.style.top = `${Math.max(0, Math.min(y, window.innerHeight - height - 4))}px`;
    this.buttons()[0]?.focus();
  }

  close(restoreFocus = true): void {
    if (!this.isOpen) return;
    this.element.hidden = true;
    if (restoreFocus) this.returnFocus?.focus();
  }

  private buttons(): HTMLButtonElement[] {
    return [...this.element.querySelectorAll('button')];
  }

  private run(command: string): void {
    const revision = this.revision;
    this.close();
    if (revision) this.choose(command, revision);
  }

  private onKey(e: KeyboardEvent): void {
    const buttons = this.buttons();
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const focus = (i: number) => buttons[(i + buttons.length) % buttons.length]?.focus();
    switch (e.key) {
      case 'ArrowDown': focus(at + 1); break;
      case 'ArrowUp': focus(at < 0 ? -1 : at - 1); break;
      case 'Home': focus(0); break;
      case 'End': focus(-1); break;
      case 'Escape': case 'Tab': this.close(); break;
      case 'Enter': case ' ': {
        const command = buttons[at]?.dataset.command;
        if (command) this.run(command);
        break;
      }
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}
