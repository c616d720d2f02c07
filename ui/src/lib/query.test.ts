import { describe, expect, it } from 'vitest';
import { activityQuery, auditQuery, mergeOptions, PAGE_SIZE } from './query';

describe('queries from filters', () => {
  it('leaves out empty controls', () => {
    expect(activityQuery({ text: '  ', action: '' })).toEqual({ limit: PAGE_SIZE });
  });

  it('trims text and passes the cursor', () => {
    expect(activityQuery({ text: ' camry ', action: 'search' }, 'c1', 50)).toEqual({
      text: 'camry',
      action: 'search',
      cursor: 'c1',
      limit: 50,
    });
  });

  it('builds audit queries', () => {
    expect(auditQuery({ text: '', severity: 'high', action_type: '' }, null, 25)).toEqual({
      severity: 'high',
      limit: 25,
    });
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
