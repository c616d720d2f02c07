// Arithmetic for the virtualized table: which rows to render for a scroll
// position, where to scroll to reveal a row, and when to fetch the next page.
// Rows have one fixed height, so all of it is a few divisions.
//
// Browsers stop growing an element somewhere between ~17 M px (Firefox) and
// ~33 M px (Chromium). Rather than remap scroll positions (which makes one
// wheel notch jump hundreds of rows), the table renders at most
// `maxRowsFor(rowHeight)` rows (~468k at 32 px) and asks the person to
// narrow the filters beyond that. Keyset paging means nobody reaches that
// point by accident, and the rows already held in memory are bounded too.

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

export interface RowWindow {
  /** First rendered row (inclusive). */
  start: number;
  /** One past the last rendered row. */
  end: number;
  /** Pixels from the top of the spacer to the first rendered row. */
  offset: number;
  /** Height of the spacer (all rows that can be shown). */
  height: number;
}

function finite(n: number, fallback = 0): number {
  return Number.isFinite(n) ? n : fallback;
}

function rowHeightOf(rowHeight: number): number {
  return Math.max(1, finite(rowHeight, 1));
}

/** How many rows fit under the spacer cap at this row height. */
export function maxRowsFor(rowHeight: number): number {
  return Math.floor(MAX_SPACER_PX / rowHeightOf(rowHeight));
}

/** Row count clamped to [0, maxRowsFor(rowHeight)]. */
export function shownRows(total: number, rowHeight: number): number {
  return Math.min(Math.max(0, Math.floor(finite(total))), maxRowsFor(rowHeight));
}

/** The rows to render for a scroll position, with `overscan` extra rows on either side. */
export function windowFor(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): RowWindow {
  const rh = rowHeightOf(rowHeight);
  const n = shownRows(total, rh);
  const height = n * rh;
  const viewport = Math.max(0, finite(viewportHeight));
  const over = Math.max(0, Math.floor(finite(overscan)));
  // A stale scrollTop (rows just replaced by a shorter list) still yields the last screenful.
  const top = Math.min(Math.max(0, finite(scrollTop)), Math.max(0, height - viewport));
  const first = Math.floor(top / rh);
  const last = Math.ceil((top + viewport) / rh);
  const end = Math.min(n, last + over);
  const start = Math.min(Math.max(0, first - over), end);
  return { start, end, offset: start * rh, height };
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
