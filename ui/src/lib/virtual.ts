// Arithmetic for the virtualized table: which rows to render for a scroll
// position, where to scroll to reveal a row, and when to fetch the next page.
// Rows have one fixed height, so all of it is a few divisions.
//
// Browsers stop growing an element somewhere between ~17 M px (Firefox) and
// ~33 M px (Chromium, WebKit), i.e. ~468k rows of 32 px under our cap. Past
// that the table scrolls scaled: the spacer stays at `MAX_SPACER_PX` and a
// scroll position maps proportionally to a position in all the rows
// (`Scale`); the rendered rows are placed relative to the viewport. The
// table moves that position by the wheel's own distance and sets the scroll
// position to match, so a wheel notch moves as many rows as always and only
// dragging the scrollbar covers the whole table.

import type { Snippet } from 'svelte';

/** A column of `VirtualTable`. */
export interface Column<T> {
  key: string;
  label: string;
  /** A CSS grid track: `10rem`, `1fr`, `minmax(8rem, 2fr)`. Default `minmax(0, 1fr)`. */
  width?: string;
  /** The cell as plain text (also its tooltip). Default: `String(row[key])`. */
  format?: (row: T) => string;
  /** Rich cell content; wins over `format`. Gets the row and its index. */
  cell?: Snippet<[row: T, index: number]>;
  align?: 'start' | 'end';
  /** Extra class on every cell of the column, e.g. `mono`. */
  class?: string;
}

/** `grid-template-columns` for the columns. */
export function gridTracks(columns: readonly { width?: string }[]): string {
  return columns.map((c) => c.width?.trim() || 'minmax(0, 1fr)').join(' ');
}

/** A cell's text when no snippet renders it. */
export function cellText<T>(column: Pick<Column<T>, 'key' | 'format'>, row: T): string {
  if (column.format) return column.format(row);
  const v = row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[column.key] : undefined;
  return v === null || v === undefined ? '' : String(v);
}

/** The tallest spacer we let the table grow to, safely below every browser's limit. */
export const MAX_SPACER_PX = 15_000_000;

/** Scaled, rows are positioned from a multiple of this (a few million px: exact in every browser). */
export const CHUNK_ROWS = 65_536;

export interface RowWindow {
  /** First rendered row (inclusive). */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /**
   * The row the rendered rows are positioned from: row i sits
   * `(i - base) * rowHeight` px below `offset`. 0 unless scaled; scaled, it
   * changes only every `CHUNK_ROWS` rows, so while scrolling only `offset`
   * moves (a composited transform) and rows already in the DOM stay put.
   */
  base: number;
  /** Pixels from the top of the spacer to where row `base` is drawn. */
  offset: number;
  /** Height of the spacer (see `Scale`). */
  height: number;
}

function finite(n: number, fallback = 0): number {
  return Number.isFinite(n) ? n : fallback;
}

function rowHeightOf(rowHeight: number): number {
  return Math.max(1, finite(rowHeight, 1));
}

/** How many rows fit under the spacer cap at this row height unscaled. */
export function maxRowsFor(rowHeight: number): number {
  return Math.floor(MAX_SPACER_PX / rowHeightOf(rowHeight));
}

/** Row count clamped to [0, maxRowsFor(rowHeight)]: what a table of rows held in an array shows. */
export function shownRows(total: number, rowHeight: number): number {
  return Math.min(Math.max(0, Math.floor(finite(total))), maxRowsFor(rowHeight));
}

/** How scroll positions map to positions in all the rows. */
export interface Scale {
  /** Height of all rows (px). */
  content: number;
  /** Height of the spacer (px): `content`, or `MAX_SPACER_PX` when that is more. */
  spacer: number;
  /** Content pixels per scroll pixel: 1 unless scaled. */
  ratio: number;
}

/** The scale for `total` rows in a viewport of `viewportHeight` px. */
export function scaleFor(total: number, rowHeight: number, viewportHeight: number): Scale {
  const content = Math.max(0, Math.floor(finite(total))) * rowHeightOf(rowHeight);
  if (content <= MAX_SPACER_PX) return { content, spacer: content, ratio: 1 };
  const viewport = Math.min(Math.max(0, finite(viewportHeight)), MAX_SPACER_PX / 2);
  return { content, spacer: MAX_SPACER_PX, ratio: (content - viewport) / (MAX_SPACER_PX - viewport) };
}

/** The content position (px into all rows) at the viewport's top for a scroll position. */
export function contentTop(scrollTop: number, scale: Scale, viewportHeight: number): number {
  const max = Math.max(0, scale.content - Math.max(0, finite(viewportHeight)));
  return Math.min(Math.max(0, finite(scrollTop) * scale.ratio), max);
}

/** The scroll position that shows content position `top` at the viewport's top. */
export function scrollTopFor(top: number, scale: Scale, viewportHeight: number): number {
  const max = Math.max(0, scale.spacer - Math.max(0, finite(viewportHeight)));
  return Math.min(Math.max(0, finite(top) / scale.ratio), max);
}

/** The rows to render for a scroll position, with `overscan` extra rows on either side. */
export function windowFor(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowWindow {
  const scale = scaleFor(total, rowHeight, viewportHeight);
  return windowAt(contentTop(scrollTop, scale, viewportHeight), scrollTop, viewportHeight, rowHeight, total, overscan);
}

/**
 * The rows to render with content position `top` at the viewport's top
 * while the spacer is scrolled to `scrollTop`. Unscaled, rows sit where they
 * are in the spacer (`offset` 0, `base` 0), so the browser scrolls them
 * without repainting; scaled, `offset` puts them where they belong relative
 * to the viewport.
 */
export function windowAt(
  top: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowWindow {
  const rh = rowHeightOf(rowHeight);
  const n = Math.max(0, Math.floor(finite(total)));
  const scale = scaleFor(n, rh, viewportHeight);
  const viewport = Math.max(0, finite(viewportHeight));
  const over = Math.max(0, Math.floor(finite(overscan)));
  // A stale position (rows just replaced by a shorter list) still yields the last screenful.
  const t = Math.min(Math.max(0, finite(top)), Math.max(0, scale.content - viewport));
  const s = Math.min(Math.max(0, finite(scrollTop)), Math.max(0, scale.spacer - viewport));
  const first = Math.floor(t / rh);
  const last = Math.ceil((t + viewport) / rh);
  const end = Math.min(n, last + over);
  const start = Math.min(Math.max(0, first - over), end);
  if (scale.ratio === 1) return { start, end, base: 0, offset: 0, height: scale.spacer };
  const base = start - (start % CHUNK_ROWS);
  return { start, end, base, offset: s + base * rh - t, height: scale.spacer };
}

/** Whole rows visible in a viewport (at least 1), for PageUp/PageDown. */
export function rowsPerPage(viewportHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(Math.max(0, finite(viewportHeight)) / rowHeightOf(rowHeight)));
}

/** The scrollTop that brings row `index` fully into view, moving as little as possible. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const rh = rowHeightOf(rowHeight);
  const top = Math.max(0, finite(scrollTop));
  const rowTop = Math.max(0, Math.floor(finite(index))) * rh;
  if (rowTop < top) return rowTop;
  const viewport = Math.max(0, finite(viewportHeight));
  if (rowTop + rh > top + viewport) return Math.max(0, rowTop + rh - viewport);
  return top;
}

/** Keys the table handles; anything else is left to the browser. */
export type NavKey = 'ArrowUp' | 'ArrowDown' | 'Home' | 'End' | 'PageUp' | 'PageDown';

export function isNavKey(key: string): key is NavKey {
  return ['ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);
}

/** The selection after a navigation key; -1 (nothing selected) only when there are no rows. */
export function moveSelection(key: NavKey, current: number, total: number, pageRows: number): number {
  const n = Math.max(0, Math.floor(finite(total)));
  if (n === 0) return -1;
  const page = Math.max(1, Math.floor(finite(pageRows, 1)));
  const cur = Math.floor(finite(current, -1));
  // With nothing selected, the first key press selects the first row (End: the last).
  if (cur < 0) return key === 'End' ? n - 1 : 0;
  if (cur >= n) return n - 1;
  const next = {
    ArrowUp: cur - 1,
    ArrowDown: cur + 1,
    Home: 0,
    End: n - 1,
    PageUp: cur - page,
    PageDown: cur + page,
  }[key];
  return Math.min(n - 1, Math.max(0, next));
}

export interface LoadState {
  /** `end` of the rendered window. */
  end: number;
  /** Rows loaded so far. */
  loaded: number;
  hasMore: boolean;
  loading: boolean;
  rowHeight: number;
  /** Start fetching when the window ends this close to the loaded rows. */
  threshold?: number;
}

/** Whether to ask for the next page: near the end, more exists, nothing in flight, below the cap. */
export function shouldLoadMore({ end, loaded, hasMore, loading, rowHeight, threshold = 50 }: LoadState): boolean {
  if (!hasMore || loading) return false;
  if (loaded >= maxRowsFor(rowHeight)) return false;
  return end >= loaded - Math.max(0, threshold);
}
