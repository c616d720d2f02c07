import { describe, expect, it } from 'vitest';
import {
  cellText,
  CHUNK_ROWS,
  contentTop,
  gridTracks,
  isNavKey,
  MAX_SPACER_PX,
  maxRowsFor,
  moveSelection,
  rowsPerPage,
  scaleFor,
  scrollTopFor,
  scrollToReveal,
  shouldLoadMore,
  shownRows,
  windowAt,
  windowFor,
} from './virtual';

describe('windowFor', () => {
  it('renders the visible rows plus overscan', () => {
    // Rows 10..19 are visible at 32 px; 3 rows of overscan either side.
    expect(windowFor(320, 320, 32, 1000, 3)).toEqual({ start: 7, end: 23, base: 0, offset: 0, height: 32000 });
  });

  it('counts a partly visible row', () => {
    const w = windowFor(330, 300, 32, 1000, 0);
    expect([w.start, w.end]).toEqual([10, 20]);
  });

  it('clamps at the top and bottom', () => {
    expect(windowFor(0, 320, 32, 1000, 5)).toEqual({ start: 0, end: 15, base: 0, offset: 0, height: 32000 });
    expect(windowFor(-500, 320, 32, 1000, 5).start).toBe(0);
    const bottom = windowFor(1e9, 320, 32, 1000, 5);
    expect(bottom).toEqual({ start: 985, end: 1000, base: 0, offset: 0, height: 32000 });
  });

  it('handles no rows, fewer rows than fit, and no viewport yet', () => {
    expect(windowFor(100, 320, 32, 0)).toEqual({ start: 0, end: 0, base: 0, offset: 0, height: 0 });
    expect(windowFor(0, 320, 32, 3)).toEqual({ start: 0, end: 3, base: 0, offset: 0, height: 96 });
    expect(windowFor(0, 0, 32, 1000, 4)).toEqual({ start: 0, end: 4, base: 0, offset: 0, height: 32000 });
  });

  it('survives nonsense input', () => {
    expect(windowFor(NaN, -10, 0, -5, -1)).toEqual({ start: 0, end: 0, base: 0, offset: 0, height: 0 });
    expect(windowFor(Infinity, Infinity, 32, 10, 2)).toEqual({ start: 0, end: 2, base: 0, offset: 0, height: 320 });
    expect(windowFor(0, 64, 32, 10.7, 0)).toEqual({ start: 0, end: 2, base: 0, offset: 0, height: 320 });
  });

  it('keeps the spacer below the browser limit and reaches the last of a million rows', () => {
    const w = windowFor(1e12, 640, 32, 1_000_000, 2);
    expect(w.height).toBe(MAX_SPACER_PX);
    expect(w.end).toBe(1_000_000);
    expect(w.end - w.start).toBe(22);
    // The last row's bottom is the spacer's bottom.
    expect(w.offset + (w.end - w.base) * 32).toBeCloseTo(MAX_SPACER_PX, 3);
    expect(maxRowsFor(32)).toBe(468_750);
    expect(shownRows(1_000_000, 32)).toBe(468_750);
    expect(shownRows(12, 32)).toBe(12);
  });
});

describe('scaled scrolling', () => {
  it('is the identity while all rows fit', () => {
    const s = scaleFor(1000, 32, 600);
    expect(s).toEqual({ content: 32000, spacer: 32000, ratio: 1 });
    expect(contentTop(500, s, 600)).toBe(500);
    expect(scrollTopFor(500, s, 600)).toBe(500);
    // Exactly at the cap is not scaled yet.
    expect(scaleFor(468_750, 32, 600).ratio).toBe(1);
  });

  it('maps the whole scroll range onto all rows beyond the cap', () => {
    const v = 640;
    const s = scaleFor(3_000_000, 32, v);
    expect(s.spacer).toBe(MAX_SPACER_PX);
    expect(s.content).toBe(96_000_000);
    expect(s.ratio).toBeCloseTo((96_000_000 - v) / (MAX_SPACER_PX - v), 9);
    expect(contentTop(0, s, v)).toBe(0);
    expect(contentTop(MAX_SPACER_PX - v, s, v)).toBeCloseTo(96_000_000 - v, 3);
    expect(contentTop(1e12, s, v)).toBe(96_000_000 - v);
    // Halfway down the scrollbar is halfway through the rows.
    expect(contentTop((MAX_SPACER_PX - v) / 2, s, v)).toBeCloseTo((96_000_000 - v) / 2, 3);
    // And back.
    for (const t of [0, 1234.5, 48_000_000, 96_000_000 - v]) {
      expect(contentTop(scrollTopFor(t, s, v), s, v)).toBeCloseTo(t, 3);
    }
    expect(scrollTopFor(1e12, s, v)).toBe(MAX_SPACER_PX - v);
  });

  it('places the rows relative to the viewport when scaled', () => {
    const v = 320;
    const s = scaleFor(1_000_000, 32, v);
    // Content position of row 500,000 (plus 10 px) at the top, wherever the spacer is scrolled.
    const top = 500_000 * 32 + 10;
    const scroll = scrollTopFor(top, s, v);
    const w = windowAt(top, scroll, v, 32, 1_000_000, 2);
    expect([w.start, w.end]).toEqual([499_998, 500_013]);
    expect(w.base).toBe(499_998 - (499_998 % CHUNK_ROWS));
    // Row 500,000 starts 10 px above the viewport's top.
    expect(w.offset + (500_000 - w.base) * 32 - scroll).toBeCloseTo(-10, 6);
    expect(w.height).toBe(MAX_SPACER_PX);
    // A few rows further only the offset moves: the rows keep their positions from the base.
    const next = windowAt(top + 100, scrollTopFor(top + 100, s, v), v, 32, 1_000_000, 2);
    expect(next.base).toBe(w.base);
    expect(next.offset + (500_000 - next.base) * 32 - scrollTopFor(top + 100, s, v)).toBeCloseTo(-110, 6);
  });

  it('survives nonsense', () => {
    const s = scaleFor(NaN, 0, -5);
    expect(s).toEqual({ content: 0, spacer: 0, ratio: 1 });
    expect(contentTop(NaN, s, 100)).toBe(0);
    expect(scrollTopFor(Infinity, s, 100)).toBe(0);
    expect(windowAt(NaN, NaN, 320, 32, 5_000_000, 1).start).toBe(0);
  });
});

describe('keyboard helpers', () => {
  it('moves the selection and clamps it', () => {
    expect(moveSelection('ArrowDown', 3, 10, 5)).toBe(4);
    expect(moveSelection('ArrowUp', 3, 10, 5)).toBe(2);
    expect(moveSelection('ArrowUp', 0, 10, 5)).toBe(0);
    expect(moveSelection('ArrowDown', 9, 10, 5)).toBe(9);
    expect(moveSelection('PageDown', 8, 10, 5)).toBe(9);
    expect(moveSelection('PageUp', 3, 10, 5)).toBe(0);
    expect(moveSelection('Home', 7, 10, 5)).toBe(0);
    expect(moveSelection('End', 2, 10, 5)).toBe(9);
  });

  it('starts a selection and copes with a shrunken list', () => {
    expect(moveSelection('ArrowDown', -1, 10, 5)).toBe(0);
    expect(moveSelection('ArrowUp', -1, 10, 5)).toBe(0);
    expect(moveSelection('End', -1, 10, 5)).toBe(9);
    expect(moveSelection('ArrowUp', 50, 10, 5)).toBe(9);
    expect(moveSelection('ArrowDown', 0, 0, 5)).toBe(-1);
  });

  it('knows its keys', () => {
    expect(isNavKey('PageDown')).toBe(true);
    expect(isNavKey('Enter')).toBe(false);
  });

  it('scrolls just enough to reveal a row', () => {
    // Viewport shows rows 10..19 (320..640 px).
    expect(scrollToReveal(12, 320, 320, 32)).toBe(320);
    expect(scrollToReveal(9, 320, 320, 32)).toBe(288);
    expect(scrollToReveal(20, 320, 320, 32)).toBe(352);
    expect(scrollToReveal(0, 320, 320, 32)).toBe(0);
    expect(scrollToReveal(3, 0, 0, 32)).toBe(128);
  });

  it('counts whole rows per page', () => {
    expect(rowsPerPage(330, 32)).toBe(10);
    expect(rowsPerPage(0, 32)).toBe(1);
  });
});

describe('shouldLoadMore', () => {
  const base = { end: 90, loaded: 100, hasMore: true, loading: false, rowHeight: 32, threshold: 20 };

  it('asks near the end of the loaded rows', () => {
    expect(shouldLoadMore(base)).toBe(true);
    expect(shouldLoadMore({ ...base, end: 70 })).toBe(false);
  });

  it('never asks twice while loading, at the end, or at the cap', () => {
    expect(shouldLoadMore({ ...base, loading: true })).toBe(false);
    expect(shouldLoadMore({ ...base, hasMore: false })).toBe(false);
    const cap = maxRowsFor(32);
    expect(shouldLoadMore({ ...base, end: cap, loaded: cap })).toBe(false);
  });

  it('asks for the first page of an empty list that has more', () => {
    expect(shouldLoadMore({ ...base, end: 0, loaded: 0 })).toBe(true);
  });
});

describe('columns', () => {
  it('builds grid tracks with a flexible default', () => {
    expect(gridTracks([{ width: '10rem' }, {}, { width: ' 1fr ' }, { width: '' }])).toBe(
      '10rem minmax(0, 1fr) 1fr minmax(0, 1fr)',
    );
  });

  it('formats cells', () => {
    const row = { id: 7, name: 'Wanjiru', gone: null };
    expect(cellText({ key: 'id' }, row)).toBe('7');
    expect(cellText({ key: 'gone' }, row)).toBe('');
    expect(cellText({ key: 'missing' }, row)).toBe('');
    expect(cellText({ key: 'name', format: (r: typeof row) => r.name.toUpperCase() }, row)).toBe('WANJIRU');
  });
});
