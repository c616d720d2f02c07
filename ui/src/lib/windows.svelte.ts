// Any row of a log of millions, a few hundred at a time. The table says which
// rows are on screen (`show`); this fetches keyset pages around them and
// forgets rows far away, so memory stays bounded however far one scrolls.
//
// The backend only pages forward from an opaque cursor, newest first, and
// never counts. Everything else is built on its public time bounds:
//  - down from a segment: its `next_cursor`, or, once forgotten, `to` just
//    past its last row's time, dropping the rows at or before that row;
//  - up from a segment: `from` its first row's time and `to` a guess at a
//    page's worth above it; a window that comes back full was too wide and is
//    narrowed, so what is prepended is exactly the rows in between;
//  - a far jump (scrollbar drag, End): the time at that index is
//    interpolated between known rows, and a page starts just below it;
//  - the end: with the backend's extent (the oldest row's key), a page from
//    that row's time up; without it, bisecting `to` until at most a page lies
//    below it.
// The row count is the extent's (exact up to the backend's cap) when given,
// else the backend's estimate (unfiltered views), else integrated from the
// densities seen while finding the end; it is exact once the top's segment
// reaches the end. Segments meeting by their rows are merged, and the row on
// screen keeps its place (`origin` tells the table by how much indices moved).
import { describeError } from './backend';
import { compareKeys, earlierTo, estimateRows, laterFrom, timeAt, type Anchor, type Key, type Sample } from './keyset';
import type { Page } from './paged.svelte';
import { PAGE_SIZE } from './query';
import { end, firstMissing, indexOfKey, keepOnly, locate, settle, type Segment } from './segments';

/** What `VirtualTable` reads from a row source. */
export interface RowSource<T> {
  /** Rows in the table: exact when `exact`, else an estimate. */
  readonly total: number;
  readonly exact: boolean;
  readonly loading: boolean;
  /** Grows by n when the rows already held move n places down (the table follows them). */
  readonly origin: number;
  /** Rows in memory. */
  readonly held: number;
  /** The row at `index`, when held. */
  row(index: number): T | undefined;
  /** The rows in view, [start, end), `anchor` being the first one fully visible. */
  show(start: number, end: number, anchor: number): void;
}

/** The query fields this class sets; the rest is passed through. */
export interface Bounded {
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number | null;
}

/** The backend's extent of a query: its newest and oldest rows' keys (null when none) and its row count. */
export interface Extent {
  newest: Key | null;
  oldest: Key | null;
  count: number;
  /** The count is exact (else an estimate). */
  exact: boolean;
}

export interface WindowsOptions<Q, T> {
  fetch: (q: Q) => Promise<Page<T>>;
  key: (row: T) => Key;
  /** The query's extent (its cursor and limit ignored); null when the backend cannot tell. Preferred over `estimate`. */
  extent?: (q: Q) => Promise<Extent | null>;
  /** Rows matching the query, when the backend can tell cheaply; null when it cannot. */
  estimate?: (q: Q) => Promise<number | null>;
  pageSize?: number;
}

/** The backend's largest page. */
const MAX_LIMIT = 1000;
/** Bisection steps before giving up on finding the end. */
const MAX_PROBES = 64;

export class KeysetWindows<Q extends Bounded, T> implements RowSource<T> {
  segments: Segment<T>[] = $state.raw([]);
  total = $state(0);
  exact = $state(false);
  loading = $state(false);
  error: string | null = $state(null);
  /** True once the first page for the current query has arrived. */
  loaded = $state(false);
  origin = $state(0);

  readonly page: number;
  /** Rows fetched ahead of the view either side. */
  readonly margin: number;
  /** A gap this close to a segment is filled from it; a farther one is jumped to. */
  readonly reach: number;
  /** Rows kept either side of the view; farther ones are forgotten. */
  readonly keep: number;

  #fetch: (q: Q) => Promise<Page<T>>;
  #key: (row: T) => Key;
  #estimate: ((q: Q) => Promise<number | null>) | undefined;
  #extent: ((q: Q) => Promise<Extent | null>) | undefined;
  #query: Q | null = null;
  #generation = 0;
  #running = false;
  #view = { start: 0, end: 0, anchor: 0 };
  /** Time of the last row, once its rows are placed. */
  #oldest: number | undefined;
  /** The last row's key, from the extent (before its rows are fetched). */
  #last: Key | undefined;
  /** `total` is the backend's exact count of this very result. */
  #counted = $state(false);
  #endSearched = false;
  #estimated = false;
  #samples: Sample[] = [];
  /** The first page and the backend's estimate are in: fetching around the view may start. */
  #ready = false;
  /** Where the view was when a fetch brought nothing new; no retry until it moves a page away. */
  #stalledAt: number | undefined;

  constructor(options: WindowsOptions<Q, T>) {
    this.#fetch = options.fetch;
    // Keys are looked up many times per row (sorting, merging, binary search); a timestamp is parsed once.
    const keys = new WeakMap<object, Key>();
    this.#key = (row) => {
      if (typeof row !== 'object' || row === null) return options.key(row);
      let k = keys.get(row);
      if (k === undefined) keys.set(row, (k = options.key(row)));
      return k;
    };
    this.#estimate = options.estimate;
    this.#extent = options.extent;
    this.page = Math.max(1, Math.min(MAX_LIMIT, options.pageSize ?? PAGE_SIZE));
    this.margin = this.page;
    this.reach = 2 * this.page;
    this.keep = 10 * this.page;
  }

  /** Rows in memory. */
  get held(): number {
    return this.segments.reduce((n, s) => n + s.rows.length, 0);
  }

  /**
   * Every row is accounted for: the result was walked to its end, or the
   * backend counted it and every row is held (an exact count alone leaves
   * rows to fetch).
   */
  get complete(): boolean {
    return this.loaded && this.exact && (!this.#counted || this.held >= this.total);
  }

  /** The rows in memory, newest first (a few thousand at most), e.g. for filter options. */
  get items(): T[] {
    return this.segments.flatMap((s) => s.rows);
  }

  row(index: number): T | undefined {
    const at = locate(this.segments, index);
    return at && this.segments[at.seg]!.rows[at.at];
  }

  show(start: number, end: number, anchor: number): void {
    this.#view = { start, end, anchor };
    if (this.#stalledAt !== undefined && Math.abs(start - this.#stalledAt) > this.page) this.#stalledAt = undefined;
    void this.#pump();
  }

  /** Starts over with a new query (or the same one, to refresh). */
  async reset(query: Q): Promise<void> {
    this.#query = query;
    const gen = ++this.#generation;
    this.#running = false;
    this.#oldest = undefined;
    this.#last = undefined;
    this.#counted = false;
    this.#endSearched = false;
    this.#estimated = false;
    this.#samples = [];
    this.#stalledAt = undefined;
    this.#ready = false;
    this.loading = true;
    this.error = null;
    this.loaded = false;
    const extent = this.#extent ? this.#extent(query).catch(() => null) : Promise.resolve(null);
    const estimate = this.#estimate && !this.#extent ? this.#estimate(query).catch(() => null) : Promise.resolve(null);
    try {
      const p = await this.#get({ limit: this.page });
      if (gen !== this.#generation) return;
      this.segments = p.items.length > 0 ? [{ base: 0, rows: p.items, next: p.next_cursor, top: true, fixed: true }] : [];
      this.exact = p.next_cursor === null;
      this.total = this.exact ? p.items.length : p.items.length + 4 * this.page;
      this.loaded = true;
      this.loading = false;
      if (this.exact) return;
      const e = await extent;
      if (gen !== this.#generation) return;
      const n = e ? null : await estimate;
      if (gen !== this.#generation) return;
      if (e && e.oldest && Number.isFinite(e.count) && e.count > 0) {
        this.#useExtent(e, e.oldest, p.items);
      } else if (n !== null && Number.isFinite(n) && n > 0) {
        this.#estimated = true;
        // The estimate replaces the provisional count (a first page and a few more), never
        // going below the rows already held.
        this.total = Math.max(Math.round(n), p.items.length);
      }
      this.#ready = true;
      void this.#pump();
    } catch (err) {
      if (gen !== this.#generation) return;
      this.segments = [];
      this.total = 0;
      this.exact = false;
      this.error = describeError(err);
      this.loading = false;
    }
  }

  /** Takes the count and the last row's key from the backend's extent. */
  #useExtent(e: Extent, oldest: Key, first: T[]): void {
    // A count taken while rows arrived may hold rows the first page does not (or miss some it
    // does): only one whose newest row is the first page's describes exactly this result.
    const same = e.newest !== null && first.length > 0 && compareKeys(e.newest, this.#key(first[0]!)) === 0;
    this.#last = oldest;
    this.#estimated = true;
    // (The first page was not the whole result, so there is at least one row more.)
    this.#counted = e.exact && same && e.count > first.length;
    this.total = Math.max(Math.round(e.count), first.length);
    this.exact = this.#counted;
  }

  /** One page of the query within extra bounds: `from` inclusive and `to` exclusive, in µs. */
  #get(part: { cursor?: string; from?: number; to?: number; limit: number }): Promise<Page<T>> {
    const q = this.#query as Q;
    const req: Q = { ...q, limit: part.limit };
    const from = laterFrom(q.from, part.from);
    const to = earlierTo(q.to, part.to);
    if (from === undefined) delete req.from;
    else req.from = from;
    if (to === undefined) delete req.to;
    else req.to = to;
    if (part.cursor) req.cursor = part.cursor;
    else delete req.cursor;
    return this.#fetch(req);
  }

  /** Fetches until the rows in view (and a margin) are held, one request at a time. */
  async #pump(): Promise<void> {
    if (this.#running || !this.#ready || this.error !== null || this.#stalledAt !== undefined) return;
    if (this.segments.length === 0) return;
    this.#running = true;
    const gen = this.#generation;
    try {
      for (let step = 0; step < 64; step++) {
        const job = this.#next();
        if (!job) break;
        this.loading = true;
        const before = this.#signature();
        await job();
        if (gen !== this.#generation) return;
        this.#evict();
        if (this.#signature() === before) {
          this.#stalledAt = this.#view.start;
          break;
        }
      }
    } catch (err) {
      if (gen === this.#generation) this.error = describeError(err);
    } finally {
      if (gen === this.#generation) {
        this.#running = false;
        this.loading = false;
      }
    }
  }

  /** Changes whenever a fetch made progress. */
  #signature(): string {
    return `${this.total}:${this.#oldest}:${this.#endSearched}:${this.segments.map((s) => `${s.base}+${s.rows.length}`).join(',')}`;
  }

  /** What to fetch next, if anything: rows in view first, then the margins, then the end. */
  #next(): (() => Promise<void>) | null {
    const segs = this.segments;
    const { start, end: stop } = this.#view;
    const visible = firstMissing(segs, start, Math.min(stop, this.total));
    const m = visible ?? firstMissing(segs, start - this.margin, Math.min(stop + this.margin, this.total));
    if (m !== undefined) return this.#fill(m);
    const last = segs[segs.length - 1];
    if (!this.#endSearched && last !== undefined && last.next !== null) return () => this.#findEnd();
    return null;
  }

  /** The job that brings row `m` closer: grow a neighbour, or jump. */
  #fill(m: number): () => Promise<void> {
    const segs = this.segments;
    let i = segs.length - 1;
    while (i >= 0 && segs[i]!.base > m) i--;
    const above = segs[i];
    const below = segs[i + 1];
    if (above && above.next !== null && m - end(above) < this.reach) return () => this.#extendDown(above);
    if (below && !below.top && below.base - m <= this.reach + (this.#view.end - this.#view.start)) {
      return () => this.#extendUp(below);
    }
    if (this.#oldest === undefined && !this.#endSearched) return () => this.#findEnd();
    return () => this.#seek(m);
  }

  /** The rows after a segment's last one. */
  async #extendDown(seg: Segment<T>): Promise<void> {
    const gen = this.#generation;
    const last = this.#key(seg.rows[seg.rows.length - 1]!);
    let rows: T[];
    let next: string | null;
    if (typeof seg.next === 'string') {
      const p = await this.#get({ cursor: seg.next, limit: this.page });
      rows = p.items;
      next = p.next_cursor;
    } else {
      // Rows sharing the last row's microsecond come first; those at or before it are dropped.
      const p = await this.#get({ to: last.ts + 1, limit: this.page });
      rows = p.items.filter((r) => compareKeys(this.#key(r), last) > 0);
      next = p.next_cursor;
    }
    if (gen !== this.#generation) return;
    const grown = { ...seg, rows: [...seg.rows, ...rows], next };
    this.#commit(this.segments.map((s) => (s === seg ? grown : s)));
  }

  /** The rows just before a segment's first one. */
  async #extendUp(seg: Segment<T>): Promise<void> {
    const gen = this.#generation;
    const first = this.#key(seg.rows[0]!);
    const idx = this.segments.indexOf(seg);
    const prev = idx > 0 ? this.segments[idx - 1] : undefined;
    const ceiling = prev ? this.#key(prev.rows[prev.rows.length - 1]!) : undefined;
    // Guess the time span of a page from the segment's own density.
    let span = this.#spanOfPage(seg);
    for (let attempt = 0; attempt < 12; attempt++) {
      let to = first.ts + Math.max(1, Math.round(span));
      const capped = ceiling !== undefined && to > ceiling.ts;
      if (capped) to = ceiling.ts + 1;
      const p = await this.#get({ from: first.ts, to, limit: MAX_LIMIT });
      if (gen !== this.#generation) return;
      if (p.next_cursor !== null) {
        // More than a full page in the window: the rows next to the segment are not all here.
        span = Math.max(1, span / 4);
        continue;
      }
      // The whole window: rows newer than the segment, up to and including the ceiling row.
      const rows = p.items.filter(
        (r) => compareKeys(this.#key(r), first) < 0 && (ceiling === undefined || compareKeys(this.#key(r), ceiling) >= 0),
      );
      if (rows.length === 0 && !capped) {
        span *= 4;
        continue;
      }
      const grown = { ...seg, base: seg.base - rows.length, rows: [...rows, ...seg.rows] };
      this.#commit(this.segments.map((s) => (s === seg ? grown : s)));
      return;
    }
  }

  /** Microseconds that a page of rows probably spans near `seg`. */
  #spanOfPage(seg: Segment<T>): number {
    const a = this.#key(seg.rows[0]!).ts;
    const b = this.#key(seg.rows[seg.rows.length - 1]!).ts;
    if (seg.rows.length > 1 && a > b) return ((a - b) / (seg.rows.length - 1)) * this.page;
    return this.#slope() * this.page;
  }

  /** Time of the last row, if known. */
  #oldestTs(): number | undefined {
    return this.#oldest ?? this.#last?.ts;
  }

  /** Microseconds per row over the whole log, as far as known. */
  #slope(): number {
    const segs = this.segments;
    const top = segs[0];
    const oldest = this.#oldestTs();
    if (top && oldest !== undefined && this.total > 1) {
      return Math.max(0, (this.#key(top.rows[0]!).ts - oldest) / (this.total - 1));
    }
    const rates = segs
      .filter((s) => s.rows.length > 1)
      .map((s) => (this.#key(s.rows[0]!).ts - this.#key(s.rows[s.rows.length - 1]!).ts) / (s.rows.length - 1));
    return rates.length > 0 ? Math.max(...rates) : 1_000_000;
  }

  /** A page starting at the time where row `m` probably is. */
  async #seek(m: number): Promise<void> {
    const gen = this.#generation;
    const anchors: Anchor[] = this.segments.flatMap((s) => [
      { index: s.base, ts: this.#key(s.rows[0]!).ts },
      { index: end(s) - 1, ts: this.#key(s.rows[s.rows.length - 1]!).ts },
    ]);
    const bottom = this.segments[this.segments.length - 1];
    const oldest = this.#oldestTs();
    if (oldest !== undefined && bottom?.next !== null) anchors.push({ index: this.total - 1, ts: oldest });
    const at = timeAt(anchors, m, this.#slope(), oldest);
    // `to` is exclusive: one µs past the time, so rows at that time are included.
    const p = await this.#get({ to: at + 1, limit: this.page });
    if (gen !== this.#generation) return;
    if (p.items.length === 0) {
      // Past the end: the count was too high.
      this.#counted = false;
      if (bottom) this.total = Math.max(end(bottom), Math.min(this.total, m));
      return;
    }
    const seg: Segment<T> = { base: m, rows: p.items, next: p.next_cursor, top: false, fixed: false };
    this.#commit([...this.segments, seg]);
  }

  /**
   * The last rows: from the last row's time when the extent gave it, else by
   * bisecting `to` until at most a page lies below it (first stepping down
   * in growing strides), noting how dense each full page was.
   */
  async #findEnd(): Promise<void> {
    this.#endSearched = true;
    const gen = this.#generation;
    const segs = this.segments;
    const top = segs[0];
    const lowest = segs[segs.length - 1];
    if (!top || !lowest) return;
    const newest = this.#key(top.rows[0]!).ts;
    if (this.#last !== undefined && (await this.#endFrom(this.#last, newest))) return;
    if (gen !== this.#generation) return;
    this.#samples.push(this.#sampleOf(top));
    let hi = this.#key(lowest.rows[lowest.rows.length - 1]!).ts;
    let lo: number | undefined;
    let step = Math.max(60_000_000, newest - hi);
    for (let probe = 0; probe < MAX_PROBES; probe++) {
      if (lo !== undefined && hi - lo <= 1) return;
      const at = lo === undefined ? hi - step : Math.floor((lo + hi) / 2);
      const p = await this.#get({ to: at, limit: this.page });
      if (gen !== this.#generation) return;
      if (p.items.length === 0) {
        lo = at;
        continue;
      }
      const lastTs = this.#key(p.items[p.items.length - 1]!).ts;
      if (p.next_cursor === null) {
        this.#placeEnd(p.items, newest);
        return;
      }
      this.#samples.push({ ts: at, rows: p.items.length, span: at - lastTs });
      hi = lastTs;
      if (lo === undefined) step *= 4;
    }
  }

  /**
   * The rows from the last one's time up to a bound guessed from the average
   * density to hold a page, narrowed while more than the backend's largest
   * page lies below it. False when that does not work out (the row is gone).
   */
  async #endFrom(last: Key, newest: number): Promise<boolean> {
    const gen = this.#generation;
    let span = Math.max(1, ((newest - last.ts) / Math.max(1, this.total - 1)) * this.page);
    for (let attempt = 0; attempt < 12; attempt++) {
      const p = await this.#get({ from: last.ts, to: last.ts + Math.max(1, Math.round(span)), limit: MAX_LIMIT });
      if (gen !== this.#generation) return true;
      if (p.next_cursor !== null) {
        span /= 4;
        continue;
      }
      if (p.items.length === 0) return false;
      this.#placeEnd(p.items, newest);
      return true;
    }
    return false;
  }

  #sampleOf(seg: Segment<T>): Sample {
    const a = this.#key(seg.rows[0]!).ts;
    const b = this.#key(seg.rows[seg.rows.length - 1]!).ts;
    return { ts: a, rows: seg.rows.length - 1, span: a - b };
  }

  /** Places the last rows at the end, the count estimated unless the backend gave one. */
  #placeEnd(rows: T[], newest: number): void {
    const oldest = this.#key(rows[rows.length - 1]!).ts;
    this.#oldest = oldest;
    const lowest = this.segments[this.segments.length - 1];
    // Rows the lowest segment already holds (a short result) are not below it.
    const lowestLast = lowest && this.#key(lowest.rows[lowest.rows.length - 1]!);
    const below = lowestLast ? rows.filter((r) => compareKeys(this.#key(r), lowestLast) > 0).length : rows.length;
    const floor = (lowest ? end(lowest) : 0) + below;
    if (!this.#estimated) {
      const n = estimateRows(this.#samples, oldest, newest);
      if (Number.isFinite(n)) this.total = n;
    }
    if (floor > this.total) this.#counted = false;
    this.total = Math.max(this.total, floor);
    // Placed by an exact count, the end's index is exact too.
    const seg: Segment<T> = { base: this.total - rows.length, rows, next: null, top: false, fixed: this.#counted };
    this.#commit([...this.segments, seg]);
  }

  /** Installs new segments, keeping the row on screen where it is. */
  #commit(next: Segment<T>[]): void {
    const { anchor } = this.#view;
    const pinned = this.row(anchor);
    const pin = pinned === undefined ? undefined : this.#key(pinned);
    // Under an exact count, a run that reaches the end sits exactly at the end.
    const placed = this.#counted ? next.map((s) => (s.next === null && !s.fixed ? { ...s, base: this.total - s.rows.length, fixed: true } : s)) : next;
    const segs = settle(placed, this.#key, pin);
    this.segments = segs;
    const last = segs[segs.length - 1];
    if (last) {
      if (last.next === null) {
        this.total = end(last);
        this.exact = last.fixed;
      } else if (this.#counted && end(last) <= this.total) {
        // The end is not held, but the backend counted the rows.
        this.exact = true;
      } else {
        this.#counted = false;
        this.total = Math.max(this.total, end(last) + 1);
        this.exact = false;
      }
    }
    if (pin === undefined) return;
    const moved = indexOfKey(segs, pin, this.#key);
    if (moved === undefined || moved === anchor) return;
    const d = moved - anchor;
    this.#view = { start: this.#view.start + d, end: this.#view.end + d, anchor: moved };
    this.origin += d;
  }

  /** Forgets rows far from the view, keeping the first and the last page. */
  #evict(): void {
    const { start, end: stop } = this.#view;
    const ranges: [number, number][] = [
      [start - this.keep, stop + this.keep],
      [0, this.page],
    ];
    const last = this.segments[this.segments.length - 1];
    if (last?.next === null) ranges.push([end(last) - this.page, end(last)]);
    if (this.held <= 2 * this.keep + 2 * this.page) return;
    this.segments = keepOnly(this.segments, ranges);
  }
}
