// A keyset-paged list: the first page for the current filters, then more
// pages via the server's `next_cursor`. Responses for superseded filters are
// dropped, so typing fast in the filter box never shows stale rows.
import { describeError } from './backend';

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export class PagedList<F, T> {
  // Raw state: rows are replaced, never mutated, and a deep proxy over
  // thousands of rows would only cost time.
  items: T[] = $state.raw([]);
  nextCursor: string | null = $state(null);
  loading = $state(false);
  error: string | null = $state(null);
  /** True once the first page for the current filters has arrived. */
  loaded = $state(false);

  #fetch: (filters: F, cursor: string | null) => Promise<Page<T>>;
  #filters: F | null = null;
  #generation = 0;

  constructor(fetchPage: (filters: F, cursor: string | null) => Promise<Page<T>>) {
    this.#fetch = fetchPage;
  }

  get hasMore(): boolean {
    return this.nextCursor !== null;
  }

  /** Starts over with new filters (or the same ones, to refresh). */
  async reset(filters: F): Promise<void> {
    this.#filters = filters;
    const gen = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await this.#fetch(filters, null);
      if (gen !== this.#generation) return;
      this.items = page.items;
      this.nextCursor = page.next_cursor;
      this.loaded = true;
    } catch (err) {
      if (gen !== this.#generation) return;
      this.items = [];
      this.nextCursor = null;
      this.error = describeError(err);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }

  /** Appends the next page; does nothing while loading or at the end. */
  async loadMore(): Promise<void> {
    if (this.loading || this.nextCursor === null || this.#filters === null) return;
    const gen = this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await this.#fetch(this.#filters, this.nextCursor);
      if (gen !== this.#generation) return;
      this.items = [...this.items, ...page.items];
      this.nextCursor = page.next_cursor;
    } catch (err) {
      if (gen !== this.#generation) return;
      this.error = describeError(err);
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }
}
