import { describe, expect, it } from 'vitest';
import { readFilters } from './filters';
import {
  actionsFor,
  confirmText,
  errorNeedle,
  filterDetails,
  formatLatency,
  groupFilters,
  nothingText,
  outcomeTone,
  resultText,
  triesText,
} from './queue';
import { queueQuery } from './query';
import { formatRoute, parseRoute } from './route.svelte';

const none = readFilters('queue', {});

describe('queue filters and the route', () => {
  it('reads a desktop alert’s link: the filter, and the open notification apart from it', () => {
    const route = parseRoute('#/queue?status=dead&id=1247');
    expect(route.view).toBe('queue');
    expect(readFilters('queue', route.query)).toEqual({ ...none, status: 'dead' });
    expect(route.query.id).toBe('1247');
  });

  it('drops statuses, channels and recipients that cannot exist', () => {
    const f = readFilters('queue', { status: 'lost', channel: 'fax', recipient: 'abc', provider: 'twilio' });
    expect(f).toEqual({ ...none, provider: 'twilio' });
  });

  it('round-trips every filter through the URL, status and channel first', () => {
    const hash = formatRoute({
      view: 'queue',
      query: { error: 'HTTP 429', provider: 'sms-failover', channel: 'sms', status: 'failed', user: 'wanjiru', id: '7' },
    });
    expect(hash).toBe('#/queue?user=wanjiru&status=failed&channel=sms&provider=sms-failover&error=HTTP%20429&id=7');
    expect(readFilters('queue', parseRoute(hash).query)).toEqual({
      ...none,
      error: 'HTTP 429',
      status: 'failed',
      channel: 'sms',
      provider: 'sms-failover',
      user: 'wanjiru',
    });
  });

  it('turns filters into the API filter, leaving blanks out', () => {
    expect(queueQuery(none)).toEqual({});
    expect(queueQuery({ ...none, status: 'dead', channel: 'sms', error: ' InvalidPhoneNumber ', user: 'achieng' })).toEqual({
      status: 'dead',
      channel: 'sms',
      error: 'InvalidPhoneNumber',
      username: 'achieng',
    });
  });

  it('prefers the recipient id over a username', () => {
    expect(queueQuery({ ...none, recipient: '134', user: 'achieng' })).toEqual({ user_id: 134 });
  });
});

describe('which actions apply', () => {
  it('mirrors the backend’s statuses per action', () => {
    expect(actionsFor('dead')).toEqual(['retry', 'requeue']);
    expect(actionsFor('failed')).toEqual(['retry', 'cancel']);
    expect(actionsFor('pending')).toEqual(['cancel']);
    expect(actionsFor('cancelled')).toEqual(['requeue']);
    expect(actionsFor('sent')).toEqual([]);
    expect(actionsFor('processing')).toEqual([]);
    expect(actionsFor('')).toEqual([]);
    expect(actionsFor(null)).toEqual([]);
  });
});

describe('bulk action words', () => {
  const deadSms = { ...none, status: 'dead', channel: 'sms' };

  it('asks with the count and the filter', () => {
    expect(confirmText('retry', 73, deadSms)).toBe('Retry 73 dead sms notifications?');
    expect(confirmText('cancel', 1, { ...none, status: 'pending' })).toBe('Cancel 1 pending notification?');
    expect(confirmText('requeue', 1200, { ...none, status: 'cancelled', channel: 'in_app' })).toBe(
      'Requeue 1,200 cancelled in-app notifications?',
    );
  });

  it('names the rest of the filter', () => {
    expect(filterDetails(deadSms)).toBe('');
    expect(filterDetails({ ...deadSms, provider: 'africastalking', error: 'InvalidPhone', user: 'achieng' })).toBe(
      'provider africastalking, last error containing “InvalidPhone”, for user achieng',
    );
  });

  it('reports what changed, and what moved on meanwhile', () => {
    const r = { action: 'retry' as const, dry_run: false, matched: 73, changed: 73, description: '' };
    expect(resultText(r, deadSms)).toBe('Retried 73 dead sms notifications.');
    expect(resultText({ ...r, changed: 70 }, deadSms)).toBe('Retried 70 dead sms notifications. 3 others had changed status meanwhile.');
    expect(nothingText('retry', deadSms)).toBe('No dead sms notifications to retry.');
  });
});

describe('failure groups', () => {
  const group = {
    provider: 'smtp',
    channel: 'email',
    pattern: 'permanent error, not retried: smtp: permanent error (#): # Recipient address rejected: User unknown in virtual mailbox table',
    example_error:
      'permanent error, not retried: smtp: permanent error (550): 5.1.1 Recipient address rejected: User unknown in virtual mailbox table',
    count: 19,
    dead: 19,
    failed: 0,
    newest_id: 1174,
    newest_at: '2026-11-27T06:10:27Z',
  };

  it('searches for the longest literal part of the pattern', () => {
    expect(errorNeedle(group)).toBe('Recipient address rejected: User unknown in virtual mailbox table');
    expect(errorNeedle({ pattern: 'HTTP 410 for sub #', example_error: 'HTTP 410 for sub 99' })).toBe('HTTP 410 for sub');
  });

  it('falls back to a word, then to the example, when whitespace differs', () => {
    expect(errorNeedle({ pattern: 'connection timed out after # ms', example_error: 'connection  timed out after 30 ms' })).toBe('connection');
    expect(errorNeedle({ pattern: '#', example_error: '42' })).toBe('42');
  });

  it('filters by provider, channel, error and the one status', () => {
    expect(groupFilters(group)).toEqual({
      ...none,
      status: 'dead',
      channel: 'email',
      provider: 'smtp',
      error: 'Recipient address rejected: User unknown in virtual mailbox table',
    });
    expect(groupFilters({ ...group, dead: 0, failed: 4 }).status).toBe('failed');
    expect(groupFilters({ ...group, dead: 2, failed: 4 }).status).toBe('');
    expect(groupFilters({ ...group, provider: null }).provider).toBe('');
  });
});

describe('attempt display', () => {
  it('formats latency', () => {
    expect(formatLatency(533)).toBe('533 ms');
    expect(formatLatency(1250)).toBe('1.3 s');
    expect(formatLatency(42_000)).toBe('42 s');
    expect(formatLatency(180_000)).toBe('3 min');
    expect(formatLatency(null)).toBe('—');
  });

  it('colours outcomes', () => {
    expect(outcomeTone('sent')).toBe('ok');
    expect(outcomeTone('rate_limited')).toBe('warn');
    expect(outcomeTone('transient')).toBe('warn');
    expect(outcomeTone('permanent')).toBe('bad');
  });

  it('counts tries out of those allowed', () => {
    expect(triesText(1, 8)).toBe('1 of 9');
    expect(triesText(2, 8, 2)).toBe('2 of 9');
    // A console retry restarts the count; the attempts made before it still show.
    expect(triesText(0, 8, 2)).toBe('0 of 9 since the retry · 2 in all');
    // Sent after a retry: what counts is how many it took.
    expect(triesText(0, 8, 2, 'sent')).toBe('2 in all · sent');
    expect(triesText(0, 8, 1, 'sent')).toBe('1 in all · sent');
    expect(triesText(0, 8, 0, 'sent')).toBe('0 of 9');
  });
});
