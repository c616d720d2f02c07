import { describe, expect, it } from 'vitest';
import { firstMissing, indexOfKey, keepOnly, locate, settle, type Segment } from './segments';

// Row n of the log has key (ts = -n, id = 0): newest first means ascending n.
const key = (n: number) => ({ ts: -n, id: 0 });
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

function seg(base: number, a: number, b: number, more: Partial<Segment<number>> = {}): Segment<number> {
  return { base, rows: range(a, b), next: 'c', top: false, fixed: false, ...more };
}

describe('locate and firstMissing', () => {
  const segs = [seg(0, 0, 10, { top: true, fixed: true }), seg(100, 500, 520)];

  it('finds rows by index', () => {
    expect(locate(segs, 0)).toEqual({ seg: 0, at: 0 });
    expect(locate(segs, 9)).toEqual({ seg: 0, at: 9 });
    expect(locate(segs, 10)).toBeUndefined();
    expect(locate(segs, 105)).toEqual({ seg: 1, at: 5 });
    expect(locate(segs, 120)).toBeUndefined();
    expect(locate(segs, -1)).toBeUndefined();
    expect(indexOfKey(segs, key(505), key)).toBe(105);
    expect(indexOfKey(segs, key(50), key)).toBeUndefined();
  });

  it('finds the first gap', () => {
    expect(firstMissing(segs, 0, 10)).toBeUndefined();
    expect(firstMissing(segs, 0, 50)).toBe(10);
    expect(firstMissing(segs, 100, 120)).toBeUndefined();
    expect(firstMissing(segs, 95, 120)).toBe(95);
    expect(firstMissing(segs, 110, 130)).toBe(120);
  });
});

describe('settle', () => {
  it('merges overlapping runs, the exact one deciding the place', () => {
    const top = seg(0, 0, 10, { top: true, fixed: true, next: 'c10' });
    const seek = seg(40, 8, 30, { next: 'c30' });
    const [s, ...rest] = settle([seek, top], key);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ base: 0, rows: range(0, 30), next: 'c30', top: true, fixed: true });
  });

  it('keeps the pinned row in place when two estimates meet', () => {
    const a = seg(100, 100, 120);
    const b = seg(150, 119, 140);
    // The row on screen (130) is in b at index 161: it stays there, a moves.
    const [s] = settle([a, b], key, key(130));
    expect(s!.rows).toEqual(range(100, 140));
    expect(s!.base).toBe(150 - 19);
    // Without a pin, the upper one stays.
    expect(settle([a, b], key)[0]!.base).toBe(100);
  });

  it('keeps a run that contains the other whole', () => {
    const [s] = settle([seg(0, 0, 50, { next: 'x' }), seg(10, 10, 20, { next: 'y' })], key);
    expect(s).toMatchObject({ base: 0, rows: range(0, 50), next: 'x' });
  });

  it('pushes a later run down rather than overlapping indices', () => {
    const segs = settle([seg(0, 0, 10, { top: true, fixed: true }), seg(5, 100, 110)], key);
    expect(segs.map((s) => s.base)).toEqual([0, 10]);
  });

  it('moves an estimated run up for an exact one below it when there is room', () => {
    const segs = settle([seg(0, 0, 10, { top: true, fixed: true }), seg(50, 100, 110), seg(55, 200, 210, { fixed: true })], key);
    expect(segs.map((s) => s.base)).toEqual([0, 45, 55]);
  });

  it('puts the top at 0', () => {
    expect(settle([seg(7, 0, 3, { top: true })], key)[0]).toMatchObject({ base: 0, fixed: true });
  });
});

describe('keepOnly', () => {
  it('cuts segments to ranges; an upper piece forgets its cursor', () => {
    const s = seg(0, 0, 1000, { top: true, fixed: true, next: 'end' });
    const out = keepOnly([s], [
      [0, 100],
      [500, 600],
      [550, 700],
    ]);
    expect(out.map((p) => [p.base, p.rows.length, p.next, p.top])).toEqual([
      [0, 100, undefined, true],
      [500, 200, undefined, false],
    ]);
    expect(out[1]!.rows[0]).toBe(500);
    const whole = keepOnly([s], [[-10, 2000]]);
    expect(whole[0]).toMatchObject({ base: 0, next: 'end', top: true });
    expect(whole[0]!.rows).toBe(s.rows);
  });
});
