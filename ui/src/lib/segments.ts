// Segments of a keyset-paged log held in memory (see windows.svelte.ts): each
// is a contiguous run of rows, exactly as the backend orders them, placed at
// an index in the table. Only a segment that grew from the top of the log
// knows its index for certain; one that started at a seek sits where the
// time interpolation put it until it meets a neighbour. Pure functions here;
// the fetching lives in windows.svelte.ts.
import { compareKeys, seekIndex, type Key } from './keyset';

export interface Segment<T> {
  /** Index of `rows[0]` in the table. */
  base: number;
  /** Contiguous rows, newest first; never empty. */
  rows: T[];
  /** The cursor after the last row; null: the last row is the end; undefined: not known (resume from its key). */
  next: string | null | undefined;
  /** `rows[0]` is the first row of the result (so `base` is 0). */
  top: boolean;
  /** `base` is exact: counted from the top, not estimated. */
  fixed: boolean;
}

export const end = (s: Segment<unknown>): number => s.base + s.rows.length;

/** The segment holding `index` and the row's position in it, if any (segments sorted by base). */
export function locate<T>(segs: readonly Segment<T>[], index: number): { seg: number; at: number } | undefined {
  let lo = 0;
  let hi = segs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segs[mid]!.base <= index) lo = mid + 1;
    else hi = mid;
  }
  const s = segs[lo - 1];
  if (!s || index >= end(s)) return undefined;
  return { seg: lo - 1, at: index - s.base };
}

/** The index of the row with `key`, if held. */
export function indexOfKey<T>(segs: readonly Segment<T>[], key: Key, keyOf: (row: T) => Key): number | undefined {
  for (const s of segs) {
    const i = seekIndex(s.rows, key, keyOf);
    if (i < s.rows.length && compareKeys(keyOf(s.rows[i]!), key) === 0) return s.base + i;
  }
  return undefined;
}

/** The first index in [from, to) that no segment holds. */
export function firstMissing(segs: readonly Segment<unknown>[], from: number, to: number): number | undefined {
  let i = Math.max(0, from);
  for (const s of segs) {
    if (end(s) <= i) continue;
    if (s.base > i) break;
    i = end(s);
  }
  return i < to ? i : undefined;
}

/**
 * Two runs of the same ordered log that overlap: their union, still
 * contiguous. `a` starts no later than `b`. The base follows the exact one,
 * else the one holding `pin` (the row on screen, which must not move), else `a`.
 */
function merge<T>(a: Segment<T>, b: Segment<T>, keyOf: (row: T) => Key, pin?: Key): Segment<T> {
  const bFirst = keyOf(b.rows[0]!);
  const bLast = keyOf(b.rows[b.rows.length - 1]!);
  const before = a.rows.slice(0, seekIndex(a.rows, bFirst, keyOf));
  const afterAt = seekIndex(a.rows, bLast, keyOf);
  const tail = a.rows.slice(afterAt < a.rows.length && compareKeys(keyOf(a.rows[afterAt]!), bLast) === 0 ? afterAt + 1 : afterAt);
  const rows = [...before, ...b.rows, ...tail];
  const pinnedInB = pin !== undefined && b.rows.length > 0 && compareKeys(pin, bFirst) >= 0 && compareKeys(pin, bLast) <= 0;
  const base = a.fixed ? a.base : b.fixed || pinnedInB ? b.base - before.length : a.base;
  return {
    base,
    rows,
    next: tail.length > 0 ? a.next : b.next,
    top: a.top || (b.top && before.length === 0),
    fixed: a.fixed || b.fixed,
  };
}

/**
 * Puts segments in order: sorted by their rows, overlapping ones merged, and
 * none sharing an index (a later one is pushed down, unless it is exact and
 * the earlier one is not, which then moves up if there is room). A top
 * segment sits at 0.
 */
export function settle<T>(input: readonly Segment<T>[], keyOf: (row: T) => Key, pin?: Key): Segment<T>[] {
  const sorted = input
    .filter((s) => s.rows.length > 0)
    .map((s) => (s.top ? { ...s, base: 0, fixed: true } : { ...s }))
    .sort((x, y) => compareKeys(keyOf(x.rows[0]!), keyOf(y.rows[0]!)) || x.base - y.base);
  const out: Segment<T>[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    // `prev` reaches into `s` when its last row is at or past `s`'s first one.
    if (prev && compareKeys(keyOf(prev.rows[prev.rows.length - 1]!), keyOf(s.rows[0]!)) >= 0) {
      out[out.length - 1] = merge(prev, s, keyOf, pin);
    } else {
      out.push(s);
    }
  }
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1]!;
    const cur = out[i]!;
    if (cur.base >= end(prev)) continue;
    const room = i >= 2 ? end(out[i - 2]!) : 0;
    if (cur.fixed && !prev.fixed && cur.base - prev.rows.length >= room) {
      prev.base = cur.base - prev.rows.length;
    } else {
      cur.base = end(prev);
    }
  }
  return out;
}

/**
 * Cuts segments down to the index ranges worth keeping. The pieces of a cut
 * segment keep their bases; an upper piece forgets its cursor (the rows after
 * it are found again from its last row's key).
 */
export function keepOnly<T>(segs: readonly Segment<T>[], ranges: readonly [number, number][]): Segment<T>[] {
  const spans = ranges
    .filter(([a, b]) => b > a)
    .map(([a, b]) => [a, b] as [number, number])
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const r of spans) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  const out: Segment<T>[] = [];
  for (const s of segs) {
    for (const [a, b] of merged) {
      const from = Math.max(a, s.base);
      const to = Math.min(b, end(s));
      if (to <= from) continue;
      out.push({
        base: from,
        rows: from === s.base && to === end(s) ? s.rows : s.rows.slice(from - s.base, to - s.base),
        next: to === end(s) ? s.next : undefined,
        top: s.top && from === s.base,
        fixed: s.fixed,
      });
    }
  }
  return out;
}
