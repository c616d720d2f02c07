import { describe, expect, it } from 'vitest';
import { readFilters } from './filters';
import { activityQuery, auditQuery, meQuery, mergeOptions, nextDay, paged, PAGE_SIZE } from './query';

describe('queries from filters', () => {
  it('leaves out blank filters', () => {
    expect(activityQuery(readFilters('activity', { q: '  ' }))).toEqual({});
    expect(auditQuery(readFilters('audit', {}))).toEqual({});
  });

  it('maps every activity filter to its API field, trimmed', () => {
    const f = readFilters('activity', {
      q: ' camry ',
      user: 'wanjiru',
      action: 'search',
      from: '2026-11-01',
      to: '2026-11-30',
      ip: '41.90.1.2',
      type: 'car',
      object: '42',
      session: 's-1',
    });
    expect(activityQuery(f)).toEqual({
      text: 'camry',
      username: 'wanjiru',
      action: 'search',
      from: '2026-11-01',
      to: '2026-12-01',
      ip: '41.90.1.2',
      object_type: 'car',
      object_id: '42',
      session_id: 's-1',
    });
  });

  it('asks for the operator’s own timeline on My activity', () => {
    expect(meQuery(readFilters('me', { action: 'login', to: '2026-02-28', user: 'ignored' }))).toEqual({
      mine: true,
      action: 'login',
      to: '2026-03-01',
    });
  });

  it('maps every audit filter', () => {
    const f = readFilters('audit', {
      q: 'price',
      severity: 'high',
      user: 'admin1',
      table: 'cars',
      record: '42',
      field: 'price_kes',
      action: 'update',
      from: '2026-11-20',
      to: '2026-11-27',
      set: 'cs-1',
    });
    expect(auditQuery(f)).toEqual({
      text: 'price',
      severity: 'high',
      username: 'admin1',
      table_name: 'cars',
      record_id: '42',
      field_name: 'price_kes',
      action_type: 'update',
      from: '2026-11-20',
      to: '2026-11-28',
      change_set_id: 'cs-1',
    });
  });

  it('adds the page cursor and size', () => {
    expect(paged({ text: 'x' }, null)).toEqual({ text: 'x', limit: PAGE_SIZE });
    expect(paged({ text: 'x' }, 'c1', 50)).toEqual({ text: 'x', cursor: 'c1', limit: 50 });
  });

  it('turns an inclusive end date into the exclusive next day', () => {
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-13-01')).toBeUndefined();
    expect(nextDay('yesterday')).toBeUndefined();
  });

  it('merges known and seen options', () => {
    expect(mergeOptions(['login', 'logout'], ['search', 'login', 'car_view', '', 'search'])).toEqual([
      'login',
      'logout',
      'car_view',
      'search',
    ]);
  });
});
