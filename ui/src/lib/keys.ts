// Global keyboard shortcuts:
//   /    focuses the current view's search box (the visible `[data-search]` element)
//   Esc  closes the topmost open drawer or dialog
// Keys typed into a text field are left alone, except Esc, which still closes
// the drawer the field sits in.
//
// Drawers and dialogs register their close function while open:
//   $effect(() => pushCloser(onclose));   // returns the unregister function
// Esc calls the most recently registered one (last in, first out), so a
// dialog opened from a drawer closes before the drawer.

/** The parts of a KeyboardEvent the decision needs. */
export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  isComposing?: boolean;
  defaultPrevented?: boolean;
  repeat?: boolean;
}

export interface KeyContext {
  /** Focus is in a text input, textarea, select or contenteditable element. */
  typing: boolean;
  /** The current view has a search box. */
  hasSearch: boolean;
  /** A drawer or dialog is registered. */
  hasCloser: boolean;
}

export type KeyAction = 'focus-search' | 'close' | null;

/** What a key press should do, if anything. */
export function actionFor(e: KeyLike, ctx: KeyContext): KeyAction {
  // IME composition and keys someone else already handled are not ours.
  if (e.isComposing || e.defaultPrevented) return null;
  if (e.key === 'Escape' || e.key === 'Esc') {
    return ctx.hasCloser && !e.ctrlKey && !e.metaKey && !e.altKey ? 'close' : null;
  }
  if (e.key === '/') {
    if (ctx.typing || !ctx.hasSearch || e.ctrlKey || e.metaKey || e.altKey || e.repeat) return null;
    return 'focus-search';
  }
  return null;
}

// Input types that take typed text; a checkbox or button with focus does not.
const TEXT_INPUTS = new Set([
  '',
  'text',
  'search',
  'email',
  'number',
  'password',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week',
]);

/** The part of an element `isTypingTarget` looks at; a real Element fits. */
export interface ElementLike {
  tagName?: string;
  type?: string;
  isContentEditable?: boolean;
  readOnly?: boolean;
}

/** Whether key presses on `target` are text entry. */
export function isTypingTarget(target: unknown): boolean {
  if (!target || typeof target !== 'object') return false;
  const el = target as ElementLike;
  if (el.isContentEditable) return true;
  const tag = (el.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return TEXT_INPUTS.has((el.type ?? '').toLowerCase());
  return false;
}

/** Close handlers of open drawers and dialogs, newest last. */
export class CloserStack {
  #stack: (() => void)[] = [];

  get size(): number {
    return this.#stack.length;
  }

  /** Registers `close`; call the returned function when the drawer closes or unmounts. */
  push(close: () => void): () => void {
    // A wrapper, so registering the same function twice unregisters correctly.
    const entry = () => close();
    this.#stack.push(entry);
    return () => {
      const i = this.#stack.lastIndexOf(entry);
      if (i >= 0) this.#stack.splice(i, 1);
    };
  }

  /** Calls the newest handler; false if there was none. */
  closeTop(): boolean {
    const top = this.#stack[this.#stack.length - 1];
    if (!top) return false;
    top();
    return true;
  }
}

/** The app-wide stack the installed shortcuts use. */
export const closers = new CloserStack();

/** Registers a close handler on the app-wide stack; returns the unregister function. */
export function pushCloser(close: () => void): () => void {
  return closers.push(close);
}

/** What `findSearch` needs from a candidate; real elements fit. */
export interface SearchCandidate {
  disabled?: boolean;
  getClientRects(): { length: number };
  closest(selector: string): unknown;
  focus(): void;
  select?: () => void;
}

/**
 * The search box of the view on screen. Views that are kept mounted but
 * hidden (`hidden`, `inert`, `display: none`) have no client rects and are skipped.
 */
export function findSearch(root: { querySelectorAll(selector: string): ArrayLike<unknown> }): SearchCandidate | null {
  for (const node of Array.from(root.querySelectorAll('[data-search]'))) {
    const el = node as SearchCandidate;
    if (el.disabled || el.closest('[hidden], [inert]')) continue;
    if (el.getClientRects().length === 0) continue;
    return el;
  }
  return null;
}

export interface ShortcutHost {
  addEventListener(type: 'keydown', listener: (e: KeyboardEvent) => void): void;
  removeEventListener(type: 'keydown', listener: (e: KeyboardEvent) => void): void;
}

/**
 * Listens for the shortcuts on `host` (the window) and returns the uninstall
 * function. `root` is where search boxes are looked up (the document).
 */
export function installShortcuts(
  host: ShortcutHost = window,
  root: { querySelectorAll(selector: string): ArrayLike<unknown> } = document,
  stack: CloserStack = closers,
): () => void {
  const onKeydown = (e: KeyboardEvent) => {
    // Looking up the search box costs a query, so only for the one key that needs it.
    const search = e.key === '/' ? findSearch(root) : null;
    const action = actionFor(e, { typing: isTypingTarget(e.target), hasSearch: search !== null, hasCloser: stack.size > 0 });
    if (action === 'focus-search' && search) {
      // Otherwise the slash would be typed into the box it just focused.
      e.preventDefault();
      search.focus();
      search.select?.();
    } else if (action === 'close') {
      e.preventDefault();
      stack.closeTop();
    }
  };
  host.addEventListener('keydown', onKeydown);
  return () => host.removeEventListener('keydown', onKeydown);
}
