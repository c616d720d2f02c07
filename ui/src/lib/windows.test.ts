import { describe, expect, it } from 'vitest';
import { micros, rfc3339 } from './keyset';
import type { Page } from './paged.svelte';
import { KeysetWindows, type Extent } from './windows.svelte';

// A log held by a fake backend with the real one's paging rules: newest first
// by (ts, id), `from` inclusive, `to` exclusive, an opaque cursor after a
// row, pages of at most 1000. Row n (0 = newest) has id N - n, so the rows of
// any contiguous run have consecutive ids.
interface Row {
  n: number;
  id: number;
  ts: number;
  timestamp: string;
}
interface Query {
  from?: string;
  to?: string;
  cursor?: string;
  limit?: number | null;
  color?: string;
}

const T0 = micros('2026-11-27T12:00:00Z');

function fakeLog(n: number, tsOf: (i: number) => number) {
  const calls: Query[] = [];
  const row = (i: number): Row => ({ n: i, id: n - i, ts: tsOf(i), timestamp: rfc3339(tsOf(i)) });
  /** First index whose row comes after (ts, id) in the order. */
  const after = (ts: number, id: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = tsOf(mid);
      if (t > ts || (t === ts && n - mid >= id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  /** The rows [i, stop) within the query's time bounds (`after(from - 1µs)` is the first row older than `from`). */
  const range = (q: Query): [number, number] => [
    q.to === undefined ? 0 : after(micros(q.to), Infinity),
    q.from === undefined ? n : after(micros(q.from) - 1, Infinity),
  ];
  const fetch = async (q: Query): Promise<Page<Row>> => {
    calls.push(q);
    const limit = Math.min(1000, Math.max(1, q.limit ?? 100));
    const [start, stop] = range(q);
    let i = start;
    if (q.cursor) {
      const [ts, id] = q.cursor.split(':').map(Number) as [number, number];
      i = Math.max(i, after(ts, id));
    }
    const last = Math.min(stop, i + limit);
    const items: Row[] = [];
    for (let k = i; k < last; k++) items.push(row(k));
    const more = last < stop;
    const end = items[items.length - 1];
    return { items, next_cursor: more && end ? `${end.ts}:${end.id}` : null };
  };
  return { calls, fetch, row, range };
}

const keyOf = (r: Row) => ({ ts: r.ts, id: r.id });

/**
 * The backend's extent over the fake log: the first and last rows within the
 * query's bounds and their count, exact up to `cap` and `scale` times the
 * truth above it.
 */
function extentOf(log: ReturnType<typeof fakeLog>, cap = Infinity, scale = 1) {
  const calls: Query[] = [];
  const extent = async (q: Query): Promise<Extent> => {
    calls.push(q);
    const [i, stop] = log.range(q);
    if (i >= stop) return { newest: null, oldest: null, count: 0, exact: true };
    const count = stop - i;
    return {
      newest: keyOf(log.row(i)),
      oldest: keyOf(log.row(stop - 1)),
      count: count <= cap ? count : Math.round(count * scale),
      exact: count <= cap,
    };
  };
  return { calls, extent };
}

function withExtent(log: ReturnType<typeof fakeLog>, extent: (q: Query) => Promise<Extent | null>) {
  return new KeysetWindows<Query, Row>({ fetch: log.fetch, key: keyOf, extent });
}

function windows(log: ReturnType<typeof fakeLog>, estimate?: number) {
  return new KeysetWindows<Query, Row>({
    fetch: log.fetch,
    key: (r) => ({ ts: r.ts, id: r.id }),
    estimate: estimate === undefined ? undefined : async () => estimate,
  });
}

/** Waits until the source has been idle for a few turns of the event loop. */
async function idle(w: KeysetWindows<Query, Row>) {
  let quiet = 0;
  for (let i = 0; i < 5000 && quiet < 5; i++) {
    await new Promise((r) => setTimeout(r, 0));
    quiet = w.loading ? 0 : quiet + 1;
  }
}

async function view(w: KeysetWindows<Query, Row>, start: number, rows = 20) {
  w.show(start, start + rows, start);
  await idle(w);
}

/** The rows [a, b) as held, checking they are one contiguous run of the log. */
function run(w: KeysetWindows<Query, Row>, a: number, b: number): Row[] {
  const rows: Row[] = [];
  for (let i = a; i < b; i++) {
    const r = w.row(i);
    expect(r, `row ${i} held`).toBeDefined();
    rows.push(r!);
  }
  for (let i = 1; i < rows.length; i++) expect(rows[i]!.n, `row after ${rows[i - 1]!.n}`).toBe(rows[i - 1]!.n + 1);
  return rows;
}

// One row every 2 s with a busier stretch, and some rows sharing a microsecond.
const uneven = (i: number) => T0 - (i < 300_000 ? i * 2_000_000 : 600_000_000_000 + (i - 300_000) * 500_000) - (i % 7 === 0 ? 0 : 1);
const sameTime = (i: number) => T0 - Math.floor(i / 3) * 1_000_000;

describe('KeysetWindows', () => {
  it('holds a small result whole and exactly', async () => {
    const log = fakeLog(150, (i) => T0 - i * 1000);
    const w = windows(log);
    await w.reset({});
    await idle(w);
    expect(w.exact).toBe(true);
    expect(w.total).toBe(150);
    expect(run(w, 0, 150)[149]!.n).toBe(149);
    expect(log.calls).toHaveLength(1);
  });

  it('pages down by cursor and knows the end exactly when it gets there', async () => {
    const log = fakeLog(1000, (i) => T0 - i * 1000);
    const w = windows(log);
    await w.reset({});
    await idle(w);
    // The end was found by bisection, its rows placed at the end.
    expect(w.row(w.total - 1)!.n).toBe(999);
    for (let s = 0; s < 1000; s += 20) await view(w, s);
    expect(w.exact).toBe(true);
    expect(w.total).toBe(1000);
    run(w, 0, 1000);
  });

  it('jumps into the middle of a million rows and scrolls both ways without gaps or repeats', async () => {
    const log = fakeLog(1_000_000, uneven);
    const w = windows(log, 1_000_000);
    await w.reset({});
    await idle(w);
    expect(w.total).toBe(1_000_000);
    expect(w.row(999_999)!.n).toBe(999_999);

    const calls = log.calls.length;
    await view(w, 500_000);
    // One page at the guessed time, then the margins.
    expect(log.calls.length - calls).toBeLessThanOrEqual(6);
    const here = run(w, 500_000, 500_020);
    const seen: Row[] = [];
    for (let s = 500_000; s > 497_000; s -= 37) {
      await view(w, s);
      run(w, s, s + 20);
    }
    for (let s = 497_000; s < 503_000; s += 20) {
      await view(w, s);
      seen.push(...run(w, s, s + 20));
    }
    // Scrolling down from where it went up passes the first rows seen, each row once.
    expect(seen.filter((r) => r.n === here[0]!.n)).toHaveLength(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.n).toBe(seen[i - 1]!.n + 1);
    // Memory stays bounded.
    expect(w.held).toBeLessThan(5_000);
  });

  it('reaches the last row with End and the first with Home', async () => {
    const log = fakeLog(1_000_000, uneven);
    const w = windows(log, 1_000_000);
    await w.reset({});
    await view(w, 999_980);
    expect(run(w, 999_980, 1_000_000)[19]!.n).toBe(999_999);
    await view(w, 0);
    expect(run(w, 0, 20)[0]!.n).toBe(0);
  });

  it('waits for the backend’s estimate before fetching around the view', async () => {
    const log = fakeLog(50_000, (i) => T0 - i * 1_000_000);
    let release!: (n: number) => void;
    const w = new KeysetWindows<Query, Row>({
      fetch: log.fetch,
      key: (r) => ({ ts: r.ts, id: r.id }),
      estimate: () => new Promise<number>((ok) => (release = ok)),
    });
    const done = w.reset({});
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    w.show(0, 20, 0);
    await new Promise((r) => setTimeout(r, 0));
    expect(w.loaded).toBe(true);
    expect(log.calls).toHaveLength(1);
    release(50_000);
    await done;
    await idle(w);
    expect(w.total).toBe(50_000);
    expect(w.row(49_999)!.n).toBe(49_999);
  });

  it('takes a small estimate over the provisional count', async () => {
    // 475 rows: more than a page, fewer than the first page plus the provisional margin.
    const log = fakeLog(475, (i) => T0 - i * 1_000_000);
    const w = windows(log, 475);
    await w.reset({});
    expect(w.total).toBe(475);
    await view(w, 460, 15);
    expect(w.row(474)!.n).toBe(474);
    expect(w.total).toBe(475);
  });

  it('estimates the count from densities when the backend cannot', async () => {
    const log = fakeLog(400_000, (i) => T0 - i * 1_000_000);
    const w = windows(log);
    await w.reset({});
    await idle(w);
    expect(w.exact).toBe(false);
    expect(w.total).toBeGreaterThan(300_000);
    expect(w.total).toBeLessThan(500_000);
    expect(w.row(w.total - 1)!.n).toBe(399_999);
    // A probe is a page, not a walk: a few dozen requests at most.
    expect(log.calls.length).toBeLessThan(60);
  });

  it('closes the gap between a seek and the top, keeping the row on screen in place', async () => {
    const log = fakeLog(100_000, uneven);
    // The estimate is twice the truth, so seeks land at the wrong index.
    const w = windows(log, 200_000);
    await w.reset({});
    await idle(w);
    await view(w, 3_000);
    const onScreen = w.row(3_000)!;
    const origin = w.origin;
    // Scroll up, following the rows when they move (as the table does), until they meet the first page.
    let at = 3_000;
    for (let i = 0; i < 400 && w.segments.length > 2; i++) {
      at = Math.max(0, at - 40);
      const before = w.origin;
      await view(w, at);
      at += w.origin - before;
    }
    expect(w.segments[0]!.rows.length).toBeGreaterThan(200);
    expect(w.origin).not.toBe(origin);
    // The row that was on screen moved by exactly what origin says.
    expect(w.row(3_000 + (w.origin - origin))?.n).toBe(onScreen.n);
    run(w, 0, at + 20);
  });

  it('is exact when many rows share a microsecond', async () => {
    const log = fakeLog(30_000, sameTime);
    const w = windows(log, 30_000);
    await w.reset({});
    await view(w, 15_000);
    for (let s = 15_000; s > 14_000; s -= 29) await view(w, s);
    for (let s = 14_000; s < 17_000; s += 31) await view(w, s);
    run(w, 14_000, 17_020);
  });

  it('keeps the query’s own time bounds', async () => {
    const log = fakeLog(50_000, (i) => T0 - i * 60_000_000);
    const w = windows(log);
    const to = rfc3339(T0 - 1000 * 60_000_000);
    const from = rfc3339(T0 - 40_000 * 60_000_000);
    await w.reset({ from, to, color: 'red' });
    await idle(w);
    await view(w, Math.floor(w.total / 2));
    await view(w, w.total - 20);
    expect(w.row(0)!.n).toBe(1000);
    expect(w.row(w.total - 1)!.n).toBe(40_000);
    for (const q of log.calls) {
      expect(q.color).toBe('red');
      expect(micros(q.to!)).toBeLessThanOrEqual(micros(to));
      expect(micros(q.from!)).toBeGreaterThanOrEqual(micros(from));
    }
  });

  it('drops answers for an older query', async () => {
    const log = fakeLog(10_000, (i) => T0 - i * 1000);
    const w = windows(log);
    const first = w.reset({ color: 'old' });
    const second = w.reset({ color: 'new' });
    await Promise.all([first, second]);
    await idle(w);
    expect(log.calls.filter((q) => q.color === 'old')).toHaveLength(1);
    expect(w.loaded).toBe(true);
  });

  describe('with the backend’s extent', () => {
    it('takes the count and finds the last row in one request, no bisection', async () => {
      const log = fakeLog(1_000_000, uneven);
      const ext = extentOf(log);
      const w = withExtent(log, ext.extent);
      await w.reset({});
      expect(w.exact).toBe(true);
      expect(w.total).toBe(1_000_000);
      await idle(w);
      // The first page, then one page from the last row's time up.
      expect(log.calls).toHaveLength(2);
      expect(ext.calls).toHaveLength(1);
      expect(w.row(999_999)!.n).toBe(999_999);
      await view(w, 999_980);
      expect(run(w, 999_980, 1_000_000)[19]!.n).toBe(999_999);
      await view(w, 500_000);
      run(w, 500_000, 500_020);
      expect(w.exact).toBe(true);
      expect(w.total).toBe(1_000_000);
      expect(w.complete).toBe(false);
    });

    it('keeps an estimated count above the cap as an estimate', async () => {
      const log = fakeLog(300_000, uneven);
      const w = withExtent(log, extentOf(log, 100_000, 1.3).extent);
      await w.reset({});
      expect(w.exact).toBe(false);
      expect(w.total).toBe(390_000);
      await view(w, w.total - 20);
      // The last rows sit at the end of the estimate, whatever their true index.
      expect(w.row(w.total - 1)!.n).toBe(299_999);
      run(w, w.total - 20, w.total);
      expect(w.exact).toBe(false);
    });

    it('does not trust a count that saw rows the first page did not', async () => {
      const log = fakeLog(5_000, (i) => T0 - i * 1_000_000);
      const ext = extentOf(log);
      // Three rows arrived between the count and the first page's read.
      const w = withExtent(log, async (q) => {
        const e = await ext.extent(q);
        return { ...e, newest: { ts: T0 + 3, id: 5_003 }, count: e.count + 3 };
      });
      await w.reset({});
      expect(w.exact).toBe(false);
      expect(w.total).toBe(5_003);
      // Walking down from the top meets the last rows and knows the count.
      for (let s = 0; s < 5_000; s += 20) await view(w, s);
      expect(w.exact).toBe(true);
      expect(w.total).toBe(5_000);
      run(w, 4_000, 5_000);
    });

    it('stays exact while walking down to the end, and is complete there', async () => {
      const log = fakeLog(3_000, sameTime);
      const w = withExtent(log, extentOf(log).extent);
      await w.reset({});
      expect(w.complete).toBe(false);
      for (let s = 0; s < 3_000; s += 20) {
        await view(w, s);
        expect(w.exact).toBe(true);
        expect(w.total).toBe(3_000);
      }
      run(w, 0, 3_000);
      expect(w.complete).toBe(true);
    });

    it('places a short result’s last rows over its first page', async () => {
      // A page and a bit: the last rows fetched overlap the first page.
      const log = fakeLog(250, (i) => T0 - i * 1_000_000);
      const w = withExtent(log, extentOf(log).extent);
      await w.reset({});
      await view(w, 230);
      expect(w.exact).toBe(true);
      expect(w.total).toBe(250);
      expect(run(w, 0, 250)[249]!.n).toBe(249);
    });

    it('keeps the query’s own time bounds', async () => {
      const log = fakeLog(50_000, (i) => T0 - i * 60_000_000);
      const ext = extentOf(log);
      const w = withExtent(log, ext.extent);
      const to = rfc3339(T0 - 1000 * 60_000_000);
      const from = rfc3339(T0 - 40_000 * 60_000_000);
      await w.reset({ from, to, color: 'red' });
      expect(w.total).toBe(39_001);
      await view(w, w.total - 20);
      await view(w, 20_000);
      expect(w.row(0)!.n).toBe(1000);
      expect(w.row(w.total - 1)!.n).toBe(40_000);
      run(w, 20_000, 20_020);
      expect(ext.calls).toEqual([{ from, to, color: 'red' }]);
      for (const q of log.calls) {
        expect(q.color).toBe('red');
        expect(micros(q.to!)).toBeLessThanOrEqual(micros(to));
        expect(micros(q.from!)).toBeGreaterThanOrEqual(micros(from));
      }
    });

    it('finds the end by bisection when the extent fails', async () => {
      const log = fakeLog(400_000, (i) => T0 - i * 1_000_000);
      const w = withExtent(log, () => Promise.reject(new Error('no extent')));
      await w.reset({});
      await idle(w);
      expect(w.exact).toBe(false);
      expect(w.row(w.total - 1)!.n).toBe(399_999);
      expect(w.error).toBeNull();
    });
  });

  it('shows an error and stops fetching', async () => {
    const w = new KeysetWindows<Query, Row>({
      fetch: () => Promise.reject(new Error('boom')),
      key: (r) => ({ ts: r.ts, id: r.id }),
    });
    await w.reset({});
    expect(w.error).toContain('boom');
    expect(w.total).toBe(0);
    expect(w.loading).toBe(false);
  });
});
