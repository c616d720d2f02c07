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
