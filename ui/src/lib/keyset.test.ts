import { describe, expect, it } from 'vitest';
import { compareKeys, earlierTo, estimateRows, laterFrom, micros, rfc3339, seekIndex, timeAt } from './keyset';

describe('times', () => {
  it('reads RFC 3339 with microseconds and bare dates', () => {
    expect(micros('2026-11-27T06:41:00.123456Z')).toBe(Date.UTC(2026, 10, 27, 6, 41) * 1000 + 123_456);
    expect(micros('2026-11-27T06:41:00Z')).toBe(Date.UTC(2026, 10, 27, 6, 41) * 1000);
    expect(micros('2026-11-27T09:41:00.5+03:00')).toBe(Date.UTC(2026, 10, 27, 6, 41) * 1000 + 500_000);
    expect(micros('2026-11-27')).toBe(Date.UTC(2026, 10, 27) * 1000);
    expect(micros('yesterday')).toBeNaN();
  });

  it('writes what the backend writes and round-trips', () => {
    const us = Date.UTC(2026, 10, 27, 6, 41) * 1000 + 7;
    expect(rfc3339(us)).toBe('2026-11-27T06:41:00.000007Z');
    for (const t of [0, 1, 999_999, 1_795_769_257_916_868, -1]) expect(micros(rfc3339(t))).toBe(t);
  });

  it('intersects bounds', () => {
    const day = micros('2026-11-27');
    expect(laterFrom(undefined, undefined)).toBeUndefined();
    expect(laterFrom('2026-11-27', undefined)).toBe('2026-11-27');
    expect(laterFrom(undefined, day + 5)).toBe(rfc3339(day + 5));
    expect(laterFrom('2026-11-27', day - 5)).toBe('2026-11-27');
    expect(laterFrom('2026-11-27', day + 5)).toBe(rfc3339(day + 5));
    expect(earlierTo('2026-11-27', day + 5)).toBe('2026-11-27');
    expect(earlierTo('2026-11-27', day - 5)).toBe(rfc3339(day - 5));
    expect(earlierTo(undefined, day)).toBe(rfc3339(day));
  });
});

describe('keys', () => {
  it('orders newest first, the id breaking ties', () => {
    expect(compareKeys({ ts: 10, id: 1 }, { ts: 9, id: 5 })).toBeLessThan(0);
    expect(compareKeys({ ts: 10, id: 1 }, { ts: 10, id: 2 })).toBeGreaterThan(0);
    expect(compareKeys({ ts: 10, id: 2 }, { ts: 10, id: 2 })).toBe(0);
  });

  it('finds a key in sorted rows', () => {
    const rows = [
      { ts: 30, id: 9 },
      { ts: 20, id: 8 },
      { ts: 20, id: 7 },
      { ts: 10, id: 6 },
    ];
    const k = (r: (typeof rows)[number]) => r;
    expect(seekIndex(rows, { ts: 20, id: 7 }, k)).toBe(2);
    expect(seekIndex(rows, { ts: 25, id: 0 }, k)).toBe(1);
    expect(seekIndex(rows, { ts: 99, id: 0 }, k)).toBe(0);
    expect(seekIndex(rows, { ts: 1, id: 0 }, k)).toBe(4);
  });
});

describe('timeAt', () => {
  const anchors = [
    { index: 0, ts: 1000 },
    { index: 99, ts: 901 },
    { index: 1000, ts: 100 },
  ];

  it('interpolates between anchors', () => {
    expect(timeAt(anchors, 0, 1)).toBe(1000);
    expect(timeAt(anchors, 99, 1)).toBe(901);
    expect(timeAt(anchors, 50, 1)).toBe(950);
    expect(timeAt(anchors, 549.5, 1)).toBe(Math.round(901 + 0.5 * (100 - 901)));
    expect(timeAt(anchors, -5, 1)).toBe(1000);
  });

  it('extrapolates past the last anchor, not below the oldest time', () => {
    expect(timeAt(anchors, 1010, 2)).toBe(80);
    expect(timeAt(anchors, 1100, 2, 50)).toBe(50);
    expect(timeAt([], 3, 1)).toBeNaN();
  });
});

describe('estimateRows', () => {
  it('integrates densities over the time range', () => {
    // 1 row per µs everywhere: 1000 µs hold 1000 rows.
    const flat = [
      { ts: 900, rows: 100, span: 100 },
      { ts: 300, rows: 50, span: 50 },
    ];
    expect(estimateRows(flat, 0, 1000)).toBe(1000);
    // Twice as dense at the newest end: between 1 and 2 per µs.
    const rising = [
      { ts: 0, rows: 10, span: 10 },
      { ts: 1000, rows: 20, span: 10 },
    ];
    expect(estimateRows(rising, 0, 1000)).toBe(1500);
  });

  it('ignores useless samples', () => {
    expect(estimateRows([{ ts: 5, rows: 0, span: 10 }], 0, 10)).toBeNaN();
    expect(estimateRows([{ ts: 5, rows: 3, span: 0 }], 0, 10)).toBeNaN();
  });
});
