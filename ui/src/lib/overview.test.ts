import { describe, expect, it } from 'vitest';
import { actionSeries, dayLabel, daysAgo, deliveryRows, eventsSeries, severityCounts, sum } from './overview';

describe('overview data', () => {
  it('labels days', () => {
    expect(dayLabel('2026-11-01')).toBe('Nov 1');
    expect(dayLabel('2027-01-31')).toBe('Jan 31');
    expect(dayLabel('2026-13-01')).toBe('2026-13-01');
    expect(eventsSeries([{ day: '2026-11-26', count: 12 }])).toEqual([{ label: 'Nov 26', value: 12 }]);
  });

  it('humanizes action names', () => {
    expect(actionSeries([{ name: 'car_view', count: 990 }])).toEqual([{ label: 'car view', value: 990 }]);
  });

  it('counts failed and dead deliveries as failures', () => {
    expect(deliveryRows([{ channel: 'sms', sent: 97, failed: 2, dead: 1, pending: 40 }])).toEqual([
      { label: 'sms', success: 97, failure: 3 },
    ]);
  });

  it('gives every severity, critical first', () => {
    expect(severityCounts([{ name: 'low', count: 9 }, { name: 'critical', count: 2 }])).toEqual([
      { severity: 'critical', count: 2, tone: 'bad' },
      { severity: 'high', count: 0, tone: 'warn' },
      { severity: 'medium', count: 0, tone: 'neutral' },
      { severity: 'low', count: 9, tone: 'neutral' },
    ]);
  });

  it('dates a week back in UTC', () => {
    expect(daysAgo(7, new Date('2026-11-27T01:00:00Z'))).toBe('2026-11-20');
  });

  it('sums finite values', () => {
    expect(sum([1, 2, Number.NaN, 3])).toBe(6);
  });
});
