import { describe, expect, it } from 'vitest';
import {
  auditTarget,
  formatCompact,
  formatCount,
  formatObject,
  formatTimestamp,
  formatTimestampFull,
  formatUser,
  humanize,
  relativeTime,
  shortHash,
} from './format';

describe('timestamps', () => {
  it('shows UTC timestamps without the fraction', () => {
    expect(formatTimestamp('2025-03-01T14:05:09.123456Z')).toBe('2025-03-01 14:05:09');
    expect(formatTimestamp('2025-03-01T14:05:09Z')).toBe('2025-03-01 14:05:09');
  });

  it('keeps every fractional digit in the full form', () => {
    expect(formatTimestampFull('2025-03-01T14:05:09.123456Z')).toBe('2025-03-01 14:05:09.123456 UTC');
    expect(formatTimestampFull('2025-03-01T14:05:09+00:00')).toBe('2025-03-01 14:05:09 UTC');
  });

  it('converts other offsets to UTC', () => {
    expect(formatTimestamp('2025-03-01T17:05:09.5+03:00')).toBe('2025-03-01 14:05:09');
    expect(formatTimestampFull('2025-01-01T01:30:00.000001+03:00')).toBe('2024-12-31 22:30:00.000001 UTC');
  });

  it('returns unparseable input unchanged', () => {
    expect(formatTimestamp('yesterday')).toBe('yesterday');
  });

  it('describes how long ago', () => {
    const now = new Date('2025-03-01T12:00:00Z');
    expect(relativeTime('2025-03-01T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2025-03-01T11:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2025-03-01T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2025-02-26T12:00:00Z', now)).toBe('3 d ago');
    expect(relativeTime('2025-03-02T12:00:00Z', now)).toBe('just now');
    expect(relativeTime('nonsense', now)).toBe('');
  });
});

describe('people and objects', () => {
  it('prefers the username, then the id', () => {
    expect(formatUser(7, 'wanjiku')).toBe('wanjiku');
    expect(formatUser(7, null)).toBe('user #7');
    expect(formatUser(7, '  ')).toBe('user #7');
    expect(formatUser(null, null)).toBe('anonymous');
  });

  it('names the object of an activity', () => {
    expect(formatObject({ object_type: 'car', object_id: '42', object_display: 'Toyota Camry 2020' })).toBe(
      'Toyota Camry 2020',
    );
    expect(formatObject({ object_type: 'car', object_id: '42', object_display: null })).toBe('car #42');
    expect(formatObject({ object_type: null, object_id: null, object_display: null })).toBe('');
  });

  it('joins the audit target, skipping missing parts', () => {
    expect(auditTarget({ table_name: 'cars', record_id: '42', field_name: 'price' })).toBe('cars.42.price');
    expect(auditTarget({ table_name: 'users', record_id: '9', field_name: null })).toBe('users.9');
    expect(auditTarget({ table_name: 'auth', record_id: null, field_name: null })).toBe('auth');
  });
});

describe('numbers and ids', () => {
  it('formats counts', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
  });

  it('formats compact counts', () => {
    expect(formatCompact(999)).toBe('999');
    expect(formatCompact(1200)).toBe('1.2k');
    expect(formatCompact(3_400_000)).toBe('3.4M');
    expect(formatCompact(250_000)).toBe('250k');
    expect(formatCompact(undefined)).toBe('—');
  });

  it('shortens hashes', () => {
    expect(shortHash('0123456789abcdef0123', 8)).toBe('01234567…');
    expect(shortHash('abc')).toBe('abc');
  });

  it('humanizes identifiers', () => {
    expect(humanize('failed_login')).toBe('failed login');
  });
});
