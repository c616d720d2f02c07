// Pure helpers for reaching any row of a newest-first keyset-paged log
// (see windows.svelte.ts). The backend orders rows by (timestamp, id) — the
// audit trail by (timestamp, seq) — descending, and its cursor is opaque, so
// a far position is reached through the public time bounds instead: `to`
// (exclusive) starts a page just below a time, `from` (inclusive) stops one.
// Timestamps travel as RFC 3339 with microseconds; here they are integers of
// microseconds since the epoch (2^53 µs is ~285 years, plenty).

/** A row's place in the log's order. */
export interface Key {
  /** Microseconds since the epoch. */
  ts: number;
  /** The tie-breaker: an activity id or an audit seq. */
  id: number;
}

/** Negative when `a` comes before `b` (is newer), 0 for the same row. */
export function compareKeys(a: Key, b: Key): number {
  return b.ts - a.ts || b.id - a.id;
}

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i;
const DATE = /^\d{4}-\d\d-\d\d$/;

/** An RFC 3339 time or a `YYYY-MM-DD` date (midnight UTC) in microseconds; NaN otherwise. */
export function micros(text: string): number {
  const s = text.trim();
  if (DATE.test(s)) return Date.parse(`${s}T00:00:00Z`) * 1000;
  const m = RFC3339.exec(s);
  if (!m) return NaN;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  const frac = Number(((m[2] ?? '') + '000000').slice(0, 6));
  return ms * 1000 + frac;
}

/** Microseconds as the RFC 3339 text the backend writes: UTC, six fractional digits. */
export function rfc3339(us: number): string {
  const t = Math.floor(us);
  const secs = Math.floor(t / 1_000_000);
  const frac = String(t - secs * 1_000_000).padStart(6, '0');
  return new Date(secs * 1000).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** The later of two inclusive lower bounds (either may be absent). */
export function laterFrom(a: string | undefined, b: number | undefined): string | undefined {
  if (b === undefined) return a;
  if (a === undefined || !(micros(a) >= b)) return rfc3339(b);
  return a;
}

/** The earlier of two exclusive upper bounds (either may be absent). */
export function earlierTo(a: string | undefined, b: number | undefined): string | undefined {
  if (b === undefined) return a;
  if (a === undefined || !(micros(a) <= b)) return rfc3339(b);
  return a;
}

/** A known (row index, time) pair. */
export interface Anchor {
  index: number;
  ts: number;
}

/**
 * The time at which row `index` probably is: linear between the nearest
 * anchors (sorted by index, times non-increasing), and beyond the last one
 * at `slope` µs per row (never below `floor`, the oldest time when known).
 */
export function timeAt(anchors: readonly Anchor[], index: number, slope: number, floor?: number): number {
  if (anchors.length === 0) return NaN;
  let below = anchors[0]!;
  for (const a of anchors) {
    if (a.index > index) {
      if (a.index === below.index) return a.ts;
      if (index <= below.index) return below.ts;
      const f = (index - below.index) / (a.index - below.index);
      return Math.round(below.ts + f * (a.ts - below.ts));
    }
    below = a;
  }
  const t = Math.round(below.ts - Math.max(0, index - below.index) * Math.max(0, slope));
  return floor === undefined ? t : Math.max(floor, t);
}

/** A page's density: `rows` rows seen over `span` µs ending (or starting) at `ts`. */
export interface Sample {
  ts: number;
  rows: number;
  span: number;
}

/**
 * Rows between `oldest` and `newest`, from density samples: the trapezoid
 * rule over the samples sorted by time, each density held flat to the ends.
 * Returns NaN without a usable sample.
 */
export function estimateRows(samples: readonly Sample[], oldest: number, newest: number): number {
  const pts = samples
    .filter((s) => s.span > 0 && s.rows > 0 && Number.isFinite(s.ts))
    .map((s) => ({ ts: Math.min(newest, Math.max(oldest, s.ts)), rate: s.rows / s.span }))
    .sort((a, b) => a.ts - b.ts);
  if (pts.length === 0 || !(newest >= oldest)) return NaN;
  let sum = (pts[0]!.ts - oldest) * pts[0]!.rate;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    sum += ((b.ts - a.ts) * (a.rate + b.rate)) / 2;
  }
  const last = pts[pts.length - 1]!;
  sum += (newest - last.ts) * last.rate;
  return Math.round(sum);
}

/** The first index in `rows` (sorted newest first) at or after `key`; `rows.length` when none. */
export function seekIndex<T>(rows: readonly T[], key: Key, keyOf: (row: T) => Key): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keyOf(rows[mid]!), key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
