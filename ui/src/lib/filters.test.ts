import { describe, expect, it } from 'vitest';
import {
  activeCount,
  clearedParams,
  filterKey,
  filterParams,
  formatHistory,
  isDate,
  parseHistory,
  readFilters,
} from './filters';
import { formatRoute, parseRoute } from './route.svelte';

describe('reading filters from the route', () => {
  it('gives every key of the view, blank when unset', () => {
    expect(readFilters('me', {})).toEqual({ q: '', action: '', from: '', to: '' });
    expect(Object.keys(readFilters('activity', {}))).toEqual([
      'q',
      'user',
      'action',
      'from',
      'to',
      'ip',
      'type',
      'object',
      'session',
    ]);
  });

  it('reads a bookmarked audit URL', () => {
    const { query } = parseRoute('#/audit?q=price&user=admin1&severity=high&from=2026-11-01&table=cars&record=42');
    expect(readFilters('audit', query)).toEqual({
      q: 'price',
      severity: 'high',
      user: 'admin1',
      table: 'cars',
      record: '42',
      field: '',
      action: '',
      from: '2026-11-01',
      to: '',
      set: '',
    });
  });

  it('ignores other views’ keys and drops values that cannot be valid', () => {
    const f = readFilters('audit', { severity: 'urgent', from: '2026-02-30', to: 'last week', ip: '1.2.3.4' });
    expect(f.severity).toBe('');
    expect(f.from).toBe('');
    expect(f.to).toBe('');
    expect('ip' in f).toBe(false);
    expect(readFilters('overview', { days: '365' }).days).toBe('');
    expect(readFilters('overview', { days: '14' }).days).toBe('14');
  });

  it('keeps free text exactly as typed', () => {
    expect(readFilters('activity', { q: 'red ' }).q).toBe('red ');
  });
});

describe('writing filters to the route', () => {
  it('removes blank keys and keeps the rest', () => {
    expect(filterParams('activity', { q: 'toyota ', user: '  ', action: 'search' })).toEqual({
      q: 'toyota ',
      user: null,
      action: 'search',
    });
  });

  it('round-trips through the URL', () => {
    const filters = readFilters('activity', { q: 'land cruiser', user: 'wanjiru', from: '2026-11-01', type: 'car', object: '42' });
    const hash = formatRoute({ view: 'activity', query: filterParams('activity', filters) });
    expect(hash).toBe('#/activity?q=land%20cruiser&user=wanjiru&type=car&from=2026-11-01&object=42');
    expect(readFilters('activity', parseRoute(hash).query)).toEqual(filters);
  });

  it('clears every filter of a view', () => {
    expect(clearedParams('me')).toEqual({ q: null, action: null, from: null, to: null });
  });
});

describe('filter keys', () => {
  it('changes only when the result set would', () => {
    const a = readFilters('audit', { q: 'price', severity: 'high' });
    const b = readFilters('audit', { q: 'price ', severity: 'high', history: 'cars:1' });
    expect(filterKey('audit', a)).toBe(filterKey('audit', b));
    expect(filterKey('audit', a)).not.toBe(filterKey('audit', readFilters('audit', { q: 'price' })));
  });

  it('counts the active filters', () => {
    expect(activeCount('audit', readFilters('audit', { q: 'x', table: 'cars', severity: 'nope' }))).toBe(2);
  });
});

describe('helpers', () => {
  it('knows calendar dates', () => {
    expect(isDate('2028-02-29')).toBe(true);
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2026-1-01')).toBe(false);
  });

  it('names an object for its history', () => {
    expect(formatHistory({ table: 'cars', record: '42' })).toBe('cars:42');
    expect(parseHistory('cars:42')).toEqual({ table: 'cars', record: '42' });
    expect(parseHistory('orders:2026:7')).toEqual({ table: 'orders', record: '2026:7' });
    expect(parseHistory('cars')).toBeNull();
    expect(parseHistory(':42')).toBeNull();
    expect(parseHistory('cars:')).toBeNull();
    expect(parseHistory(undefined)).toBeNull();
  });
});
