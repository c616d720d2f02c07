// Before/after display for audit values. Audit rows carry old and new values
// as JSON; a scalar change is shown inline (`1800000 → 1750000`), an object
// change is broken down to the paths that differ.

type Json = number | string | boolean | null | Json[] | { [key: string]: Json | undefined };

export type DiffKind = 'added' | 'removed' | 'changed';

export interface DiffEntry {
  /** Dotted path inside the value; `''` for the value itself. Array indexes as `[i]`. */
  path: string;
  kind: DiffKind;
  old?: Json;
  new?: Json;
}

function isPlainObject(v: unknown): v is { [key: string]: Json | undefined } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => k in b && jsonEqual(a[k], b[k]));
  }
  return false;
}

function join(path: string, key: string): string {
  if (/^\[\d+\]$/.test(key)) return `${path}${key}`;
  return path ? `${path}.${key}` : key;
}

/**
 * Paths at which `after` differs from `before`. Objects are compared key by
 * key (recursively); arrays of equal length element by element; anything
 * else as a whole. A missing side (`undefined` or `null`) makes the entry
 * `added` or `removed`.
 */
export function diffJson(before: unknown, after: unknown, path = ''): DiffEntry[] {
  const b = before === undefined ? null : (before as Json);
  const a = after === undefined ? null : (after as Json);
  if (jsonEqual(b, a)) return [];
  if (b === null) return [{ path, kind: 'added', new: a }];
  if (a === null) return [{ path, kind: 'removed', old: b }];
  if (isPlainObject(b) && isPlainObject(a)) {
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    return keys.flatMap((k) => diffJson(b[k], a[k], join(path, k)));
  }
  if (Array.isArray(b) && Array.isArray(a) && b.length === a.length) {
    return b.flatMap((x, i) => diffJson(x, a[i], join(path, `[${i}]`)));
  }
  return [{ path, kind: 'changed', old: b, new: a }];
}

/**
 * One-line rendering of a JSON value: strings unquoted (quoted when empty or
 * padded, so they are visible), containers as compact JSON, cut at `max`.
 */
export function formatJsonValue(v: unknown, max = 80): string {
  let s: string;
  if (v === undefined || v === null) s = '∅';
  else if (typeof v === 'string') s = v === '' || v.trim() !== v ? JSON.stringify(v) : v;
  else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
}

/** Short summary of a before/after pair for a table cell. */
export function summarizeChange(before: unknown, after: unknown, max = 40): string {
  const hasBefore = before !== null && before !== undefined;
  const hasAfter = after !== null && after !== undefined;
  if (!hasBefore && !hasAfter) return '';
  if (isPlainObject(before) && isPlainObject(after)) {
    const n = diffJson(before, after).length;
    return n === 0 ? 'no change' : `${n} field${n === 1 ? '' : 's'} changed`;
  }
  if (!hasBefore) return `→ ${formatJsonValue(after, max)}`;
  if (!hasAfter) return `${formatJsonValue(before, max)} → ∅`;
  return `${formatJsonValue(before, max)} → ${formatJsonValue(after, max)}`;
}

/** Pretty JSON for detail panels. */
export function prettyJson(v: unknown): string {
  if (v === undefined) return '';
  return JSON.stringify(v, null, 2);
}

// ------------------------------------------------------------- tree diff
//
// The change-set view shows JSON values as one tree with both sides merged:
// unchanged keys muted, added keys green, removed keys red, changed leaves as
// `old → new`. Arrays are aligned on their longest common subsequence, so
// inserting one tag does not show every later tag as changed; the unmatched
// items between two matches are paired up as changes (recursing into objects
// edited in place) and what is left over is added or removed.

export type TreeStatus = 'same' | 'added' | 'removed' | 'changed';

export interface TreeNode {
  /** Property name, `[i]` for an array item (its index after the change; before it, if removed), '' for the root. */
  key: string;
  status: TreeStatus;
  /** `object`/`array` when the node has children; `value` for a leaf (or a container replaced by another type). */
  type: 'object' | 'array' | 'value';
  old?: Json;
  new?: Json;
  children?: TreeNode[];
  /** Leaves at or below this node that are not `same`. */
  changes: number;
}

function containerType(v: unknown): 'object' | 'array' | null {
  if (Array.isArray(v)) return 'array';
  return isPlainObject(v) ? 'object' : null;
}

/** A whole value on one side only (or on both, unchanged), as a subtree. */
function wholeNode(key: string, v: Json, status: 'same' | 'added' | 'removed'): TreeNode {
  const side = status === 'removed' ? { old: v } : status === 'added' ? { new: v } : { old: v, new: v };
  const type = containerType(v);
  if (type === null) return { key, status, type: 'value', ...side, changes: status === 'same' ? 0 : 1 };
  const children =
    type === 'array'
      ? (v as Json[]).map((x, i) => wholeNode(`[${i}]`, x, status))
      : Object.entries(v as Record<string, Json | undefined>)
          .filter((e): e is [string, Json] => e[1] !== undefined)
          .map(([k, x]) => wholeNode(k, x, status));
  const below = children.reduce((n, c) => n + c.changes, 0);
  // An empty container added or removed still counts as one change.
  return { key, status, type, ...side, children, changes: status === 'same' ? 0 : Math.max(1, below) };
}

function parentNode(key: string, type: 'object' | 'array', before: Json, after: Json, children: TreeNode[]): TreeNode {
  const changes = children.reduce((n, c) => n + c.changes, 0);
  return { key, status: changes === 0 ? 'same' : 'changed', type, old: before, new: after, children, changes };
}

// Past this many cells the alignment falls back to pairing items by index.
const LCS_LIMIT = 250_000;

/** Pairs of indexes [before, after]; null on the side an item is missing from. */
export function alignArrays(a: readonly unknown[], b: readonly unknown[]): [number | null, number | null][] {
  const n = a.length;
  const m = b.length;
  if (n * m > LCS_LIMIT) {
    return Array.from({ length: Math.max(n, m) }, (_, i) => [i < n ? i : null, i < m ? i : null]);
  }
  // lcs[i][j]: length of the common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = jsonEqual(a[i], b[j]) ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: [number | null, number | null][] = [];
  let removed: number[] = [];
  let added: number[] = [];
  const flush = () => {
    // Unmatched runs between two matches: pair them as in-place changes.
    const k = Math.max(removed.length, added.length);
    for (let x = 0; x < k; x++) out.push([removed[x] ?? null, added[x] ?? null]);
    removed = [];
    added = [];
  };
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && jsonEqual(a[i], b[j])) {
      flush();
      out.push([i++, j++]);
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      removed.push(i++);
    } else {
      added.push(j++);
    }
  }
  flush();
  return out;
}

/**
 * The merged tree of `before` and `after`. At the root, null and undefined
 * both mean "no value" (a created or deleted record); inside objects a key
 * holding null is a value like any other.
 */
export function diffTree(before: unknown, after: unknown, key = ''): TreeNode {
  const b = before === null && key === '' ? undefined : (before as Json | undefined);
  const a = after === null && key === '' ? undefined : (after as Json | undefined);
  if (b === undefined && a === undefined) return { key, status: 'same', type: 'value', changes: 0 };
  if (b === undefined) return wholeNode(key, a as Json, 'added');
  if (a === undefined) return wholeNode(key, b, 'removed');
  const tb = containerType(b);
  const ta = containerType(a);
  if (tb === 'object' && ta === 'object') {
    const ob = b as Record<string, Json | undefined>;
    const oa = a as Record<string, Json | undefined>;
    // Keys in their original order, new keys after the old ones.
    const keys = [...new Set([...Object.keys(ob), ...Object.keys(oa)])].filter(
      (k) => ob[k] !== undefined || oa[k] !== undefined,
    );
    return parentNode(key, 'object', b, a, keys.map((k) => diffTree(ob[k], oa[k], k)));
  }
  if (tb === 'array' && ta === 'array') {
    const ab = b as Json[];
    const aa = a as Json[];
    const children = alignArrays(ab, aa).map(([i, j]) =>
      diffTree(i === null ? undefined : ab[i], j === null ? undefined : aa[j], `[${j ?? i}]`),
    );
    return parentNode(key, 'array', b, a, children);
  }
  if (jsonEqual(b, a)) return wholeNode(key, b, 'same');
  return { key, status: 'changed', type: 'value', old: b, new: a, changes: 1 };
}

/** One line of a rendered tree diff. */
export interface DiffLine {
  depth: number;
  /** The property or `[i]`; null for the root and closing brackets. */
  key: string | null;
  status: TreeStatus;
  /** `open` ends in `{`/`[`, `close` is the bracket, `value` a leaf, `summary` folded unchanged lines. */
  kind: 'open' | 'close' | 'value' | 'summary';
  /** Bracket, formatted value (the new one; the old one for removals) or the summary text. */
  text: string;
  /** Changed leaves: the old value. */
  old?: string;
}

const BRACKETS = { object: ['{', '}'], array: ['[', ']'] } as const;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The tree as indented lines. Unchanged containers fold to one line, and a
 * run of more than `context` unchanged siblings folds to "N unchanged".
 */
export function diffLines(node: TreeNode, { context = 3, max = 120 } = {}): DiffLine[] {
  const out: DiffLine[] = [];
  const walk = (n: TreeNode, depth: number, key: string | null) => {
    if (n.type === 'value' || !n.children) {
      const text = formatJsonValue(n.status === 'removed' ? n.old : n.new, max);
      const line: DiffLine = { depth, key, status: n.status, kind: 'value', text };
      if (n.status === 'changed') line.old = formatJsonValue(n.old, max);
      out.push(line);
      return;
    }
    const [open, close] = BRACKETS[n.type];
    if (n.status === 'same' && depth > 0) {
      const size = n.children.length;
      const what = n.type === 'array' ? plural(size, 'item') : plural(size, 'key');
      out.push({ depth, key, status: 'same', kind: 'summary', text: `${open}…${close} ${what}` });
      return;
    }
    out.push({ depth, key, status: n.status, kind: 'open', text: open });
    let run: TreeNode[] = [];
    const flush = () => {
      if (run.length > context) {
        const n = run.length;
        out.push({ depth: depth + 1, key: null, status: 'same', kind: 'summary', text: `${n} unchanged ${n === 1 ? 'entry' : 'entries'}` });
      } else {
        for (const c of run) walk(c, depth + 1, c.key);
      }
      run = [];
    };
    for (const c of n.children) {
      if (c.status === 'same' && n.status === 'changed') {
        run.push(c);
      } else {
        flush();
        walk(c, depth + 1, c.key);
      }
    }
    flush();
    out.push({ depth, key: null, status: n.status, kind: 'close', text: close });
  };
  walk(node, 0, node.key === '' ? null : node.key);
  return out;
}

/** Whether a value is best shown as a tree (an object or array on either side). */
export function isStructured(before: unknown, after: unknown): boolean {
  return containerType(before) !== null || containerType(after) !== null;
}

// ------------------------------------------------------------- line diff
//
// Template versions are text: two versions are compared line by line on
// their longest common subsequence, like `diff`, and long runs of unchanged
// lines fold to "N unchanged lines" with a few lines of context kept.

export type LineKind = 'same' | 'added' | 'removed';

export interface TextLine {
  kind: LineKind;
  text: string;
  /** 1-based line in the old text (same/removed). */
  old?: number;
  /** 1-based line in the new text (same/added). */
  new?: number;
}

// Past this many cells the texts are compared as one replaced block.
const LINE_LCS_LIMIT = 4_000_000;

/** Lines of `after` against `before`: removed lines come before the added ones that replace them. */
export function lineDiff(before: string, after: string): TextLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  // Common head and tail are cheap and shrink the table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const out: TextLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: 'same', text: a[i]!, old: i + 1, new: i + 1 });
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if (n * m > LINE_LCS_LIMIT) {
    am.forEach((text, i) => out.push({ kind: 'removed', text, old: head + i + 1 }));
    bm.forEach((text, j) => out.push({ kind: 'added', text, new: head + j + 1 }));
  } else {
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i]![j] = am[i] === bm[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        out.push({ kind: 'same', text: am[i]!, old: head + i + 1, new: head + j + 1 });
        i++;
        j++;
      } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
        out.push({ kind: 'removed', text: am[i]!, old: head + i + 1 });
        i++;
      } else {
        out.push({ kind: 'added', text: bm[j]!, new: head + j + 1 });
        j++;
      }
    }
  }
  for (let k = 0; k < tail; k++) {
    const i = a.length - tail + k;
    const j = b.length - tail + k;
    out.push({ kind: 'same', text: a[i]!, old: i + 1, new: j + 1 });
  }
  return out;
}

/** A diff line, or a fold standing for `count` unchanged lines. */
export type ShownLine = TextLine | { kind: 'fold'; count: number };

/** Folds runs of unchanged lines longer than 2 × `context` + 1, keeping `context` lines around changes. */
export function foldLines(lines: readonly TextLine[], context = 2): ShownLine[] {
  const out: ShownLine[] = [];
  let i = 0;
  while (i < lines.length) {
    if (lines[i]!.kind !== 'same') {
      out.push(lines[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]!.kind === 'same') j++;
    const run = lines.slice(i, j);
    const keepHead = i === 0 ? 0 : context;
    const keepTail = j === lines.length ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      out.push(...run.slice(0, keepHead));
      out.push({ kind: 'fold', count: run.length - keepHead - keepTail });
      out.push(...run.slice(run.length - keepTail));
    } else {
      out.push(...run);
    }
    i = j;
  }
  return out;
}

/** `+3 −1`: lines added and removed. */
export function lineDiffStats(lines: readonly TextLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const l of lines) {
    if (l.kind === 'added') added++;
    else if (l.kind === 'removed') removed++;
  }
  return { added, removed };
}
