import { describe, expect, it } from 'vitest';
import { BackendError } from './backend';
import { PagedList, type Page } from './paged.svelte';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PagedList', () => {
  it('loads the first page and appends the next one', async () => {
    const calls: [string, string | null][] = [];
    const list = new PagedList<string, number>(async (f, cursor) => {
      calls.push([f, cursor]);
      return cursor === null ? { items: [3, 2], next_cursor: 'c2' } : { items: [1], next_cursor: null };
    });
    await list.reset('all');
    expect(list.items).toEqual([3, 2]);
    expect(list.hasMore).toBe(true);
    await list.loadMore();
    expect(list.items).toEqual([3, 2, 1]);
    expect(list.hasMore).toBe(false);
    await list.loadMore();
    expect(calls).toEqual([
      ['all', null],
      ['all', 'c2'],
    ]);
  });

  it('drops the answer to superseded filters', async () => {
    const slow = deferred<Page<string>>();
    const list = new PagedList<string, string>((f) =>
      f === 'old' ? slow.promise : Promise.resolve({ items: ['new'], next_cursor: null }),
    );
    const first = list.reset('old');
    await list.reset('new');
    slow.resolve({ items: ['stale'], next_cursor: 'x' });
    await first;
    expect(list.items).toEqual(['new']);
    expect(list.hasMore).toBe(false);
    expect(list.loading).toBe(false);
  });

  it('shows an error without a stack trace', async () => {
    const list = new PagedList<string, string>(() => Promise.reject(new BackendError('unavailable', 'db down')));
    await list.reset('x');
    expect(list.error).toBe('Backend unavailable: db down');
    expect(list.items).toEqual([]);
    expect(list.loading).toBe(false);
  });
});
