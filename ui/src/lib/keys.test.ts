import { describe, expect, it } from 'vitest';
import {
  actionFor,
  CloserStack,
  findSearch,
  installShortcuts,
  isTypingTarget,
  type SearchCandidate,
  type ShortcutHost,
} from './keys';

const idle = { typing: false, hasSearch: true, hasCloser: true };

describe('actionFor', () => {
  it('focuses search on /', () => {
    expect(actionFor({ key: '/' }, idle)).toBe('focus-search');
  });

  it('ignores / while typing, with modifiers, on repeat or without a search box', () => {
    expect(actionFor({ key: '/' }, { ...idle, typing: true })).toBeNull();
    expect(actionFor({ key: '/', ctrlKey: true }, idle)).toBeNull();
    expect(actionFor({ key: '/', metaKey: true }, idle)).toBeNull();
    expect(actionFor({ key: '/', altKey: true }, idle)).toBeNull();
    expect(actionFor({ key: '/', repeat: true }, idle)).toBeNull();
    expect(actionFor({ key: '/' }, { ...idle, hasSearch: false })).toBeNull();
  });

  it('closes on Esc, even while typing', () => {
    expect(actionFor({ key: 'Escape' }, idle)).toBe('close');
    expect(actionFor({ key: 'Escape' }, { ...idle, typing: true })).toBe('close');
    expect(actionFor({ key: 'Esc' }, idle)).toBe('close');
  });

  it('leaves Esc alone with nothing open or with modifiers', () => {
    expect(actionFor({ key: 'Escape' }, { ...idle, hasCloser: false })).toBeNull();
    expect(actionFor({ key: 'Escape', ctrlKey: true }, idle)).toBeNull();
  });

  it('ignores composition, handled events and other keys', () => {
    expect(actionFor({ key: 'Escape', isComposing: true }, idle)).toBeNull();
    expect(actionFor({ key: '/', defaultPrevented: true }, idle)).toBeNull();
    expect(actionFor({ key: 'a' }, idle)).toBeNull();
    expect(actionFor({ key: 'Enter' }, idle)).toBeNull();
  });
});

describe('isTypingTarget', () => {
  it('recognizes text entry', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTypingTarget({ tagName: 'input', type: '' })).toBe(true);
    expect(isTypingTarget({ tagName: 'INPUT', type: 'date' })).toBe(true);
    expect(isTypingTarget({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTypingTarget({ tagName: 'SELECT' })).toBe(true);
    expect(isTypingTarget({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });

  it('does not count buttons, checkboxes or nothing', () => {
    expect(isTypingTarget({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTypingTarget({ tagName: 'BUTTON' })).toBe(false);
    expect(isTypingTarget({ tagName: 'DIV' })).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
    expect(isTypingTarget('input')).toBe(false);
  });
});

describe('CloserStack', () => {
  it('closes last in, first out', () => {
    const s = new CloserStack();
    const log: string[] = [];
    const offDrawer = s.push(() => log.push('drawer'));
    const offDialog = s.push(() => log.push('dialog'));
    expect(s.size).toBe(2);
    s.closeTop();
    offDialog();
    s.closeTop();
    offDrawer();
    expect(s.closeTop()).toBe(false);
    expect(log).toEqual(['dialog', 'drawer']);
  });

  it('unregisters the right entry, once', () => {
    const s = new CloserStack();
    const log: string[] = [];
    const f = () => log.push('f');
    const offA = s.push(f);
    s.push(() => log.push('g'));
    const offC = s.push(f);
    offA();
    offA();
    expect(s.size).toBe(2);
    s.closeTop();
    offC();
    s.closeTop();
    expect(log).toEqual(['f', 'g']);
  });
});

function candidate(name: string, opts: { hidden?: boolean; rects?: number; disabled?: boolean } = {}) {
  const log: string[] = [];
  const el: SearchCandidate & { log: string[] } = {
    log,
    disabled: opts.disabled ?? false,
    getClientRects: () => ({ length: opts.rects ?? 1 }),
    closest: () => (opts.hidden ? {} : null),
    focus: () => log.push(`focus ${name}`),
    select: () => log.push(`select ${name}`),
  };
  return el;
}

describe('findSearch', () => {
  it('picks the first visible, enabled search box', () => {
    const hiddenPane = candidate('activity', { hidden: true });
    const collapsed = candidate('queue', { rects: 0 });
    const disabled = candidate('templates', { disabled: true });
    const audit = candidate('audit');
    const root = { querySelectorAll: () => [hiddenPane, collapsed, disabled, audit] };
    expect(findSearch(root)).toBe(audit);
    expect(findSearch({ querySelectorAll: () => [hiddenPane] })).toBeNull();
  });
});

function fakeWindow() {
  const listeners = new Set<(e: KeyboardEvent) => void>();
  const host: ShortcutHost = {
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
  };
  const press = (key: string, target: unknown = { tagName: 'BODY' }) => {
    let prevented = false;
    const e = {
      key,
      target,
      get defaultPrevented() {
        return prevented;
      },
      preventDefault: () => {
        prevented = true;
      },
    } as unknown as KeyboardEvent;
    for (const l of listeners) l(e);
    return prevented;
  };
  return { host, listeners, press };
}

describe('installShortcuts', () => {
  it('focuses search and closes drawers until uninstalled', () => {
    const { host, listeners, press } = fakeWindow();
    const box = candidate('audit');
    const stack = new CloserStack();
    const closed: string[] = [];
    stack.push(() => closed.push('drawer'));
    const uninstall = installShortcuts(host, { querySelectorAll: () => [box] }, stack);

    expect(press('/')).toBe(true);
    expect(box.log).toEqual(['focus audit', 'select audit']);
    // Typing a slash into a field stays a slash.
    expect(press('/', { tagName: 'INPUT', type: 'text' })).toBe(false);
    expect(press('Escape', { tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(closed).toEqual(['drawer']);
    expect(press('x')).toBe(false);

    uninstall();
    expect(listeners.size).toBe(0);
  });

  it('lets Esc through when nothing is open and / when there is no search box', () => {
    const { host, press } = fakeWindow();
    const uninstall = installShortcuts(host, { querySelectorAll: () => [] }, new CloserStack());
    expect(press('Escape')).toBe(false);
    expect(press('/')).toBe(false);
    uninstall();
  });
});
