import { describe, expect, it } from 'vitest';
import type { TemplateSummary } from '../bindings/TemplateSummary';
import { readFilters } from './filters';
import {
  caretIndex,
  channelVersions,
  draftOf,
  editorName,
  filterTemplates,
  insertAt,
  nonGsmCharacters,
  parseContext,
  partsOf,
  positionText,
  problemMarker,
  sameDraft,
  saveRequest,
  smsCounterText,
  ucs2Reason,
} from './templates';

function summary(name: string, type: string, channels: string[]): TemplateSummary {
  return {
    name,
    notification_type: type,
    channels: channels.map((channel) => ({ channel, version: 1, active: true, updated_at: '', updated_by: null, updated_by_name: null })),
    updated_at: '2026-11-23T06:30:27Z',
    updated_by: 'create-notification-templates',
    updated_by_name: null,
  };
}

describe('template list', () => {
  const all = [summary('order_status_change', 'orders', ['email', 'sms']), summary('security_alert', 'security', ['push'])];
  const none = readFilters('templates', {});

  it('filters by name, type and channel', () => {
    expect(filterTemplates(all, none)).toHaveLength(2);
    expect(filterTemplates(all, { ...none, q: 'ORDER' }).map((t) => t.name)).toEqual(['order_status_change']);
    expect(filterTemplates(all, { ...none, type: 'security' }).map((t) => t.name)).toEqual(['security_alert']);
    expect(filterTemplates(all, { ...none, channel: 'sms' }).map((t) => t.name)).toEqual(['order_status_change']);
    expect(filterTemplates(all, { ...none, channel: 'sms', type: 'security' })).toEqual([]);
  });

  it('shows channels with versions and who edited', () => {
    expect(channelVersions(all[0]!)).toBe('email v1 · sms v1');
    expect(editorName('7', 'Jeptoo Kamau')).toBe('Jeptoo Kamau');
    expect(editorName('7', null)).toBe('user #7');
    expect(editorName('create-notification-templates', null)).toBe('create-notification-templates');
    expect(editorName(null, null)).toBe('—');
  });
});

describe('drafts and saving', () => {
  it('knows which parts a channel has', () => {
    expect(partsOf('sms')).toEqual({ subject: false, html: false });
    expect(partsOf('email')).toEqual({ subject: true, html: true });
    expect(partsOf('push')).toEqual({ subject: true, html: false });
  });

  it('saves only the channel’s parts, and a note when given', () => {
    const d = { subject: 'Hi', body: 'Body {x}', html: '<p>x</p>' };
    expect(saveRequest('welcome', 'sms', d, '  ')).toEqual({ name: 'welcome', channel: 'sms', body: 'Body {x}' });
    expect(saveRequest('welcome', 'email', d, ' shorter ')).toEqual({
      name: 'welcome',
      channel: 'email',
      body: 'Body {x}',
      subject: 'Hi',
      html: '<p>x</p>',
      note: 'shorter',
    });
  });

  it('compares drafts with the stored version', () => {
    const stored = draftOf({ subject: null, body: 'a', html: null });
    expect(stored).toEqual({ subject: '', body: 'a', html: '' });
    expect(sameDraft(stored, { subject: '', body: 'a', html: '' })).toBe(true);
    expect(sameDraft(stored, { subject: '', body: 'a ', html: '' })).toBe(false);
  });
});

describe('problem markers', () => {
  it('puts a caret under the column of the line', () => {
    const m = problemMarker('Hello\nHi {recipient.first_name, karibu', 2, 4);
    expect(m).toEqual({ line: 2, column: 4, text: 'Hi {recipient.first_name, karibu', caret: '   ^' });
    expect(positionText({ line: 2, column: 4 })).toBe('line 2, column 4');
    expect(positionText({ line: null, column: null })).toBe('');
  });

  it('counts columns in characters, like the server', () => {
    // The emoji is one character (two UTF-16 units).
    const m = problemMarker('🚗 {oops', 1, 3);
    expect(m?.caret).toBe('  ^');
    expect(caretIndex('🚗 {oops', 1, 3)).toBe(3);
    expect(caretIndex('ab\ncd', 2, 2)).toBe(4);
  });

  it('shows a column just past the end, and cuts long lines around the column', () => {
    expect(problemMarker('Hi {', 1, 5)?.caret).toBe('    ^');
    const long = `${'x'.repeat(200)}{`;
    const m = problemMarker(long, 1, 201, 40)!;
    expect(m.text.startsWith('…')).toBe(true);
    expect(m.text.length).toBeLessThanOrEqual(42);
    expect(m.text[m.caret.length - 1]).toBe('{');
  });

  it('gives no marker without a position or outside the text', () => {
    expect(problemMarker('a', null, null)).toBeNull();
    expect(problemMarker('a', 3, 1)).toBeNull();
  });

  it('inserts a variable at the selection', () => {
    expect(insertAt('Hi !', 3, 3, '{name}')).toEqual({ text: 'Hi {name}!', caret: 9 });
    expect(insertAt('Hi XX!', 3, 5, '{n}')).toEqual({ text: 'Hi {n}!', caret: 6 });
  });
});

describe('SMS counter', () => {
  it('words the server’s count', () => {
    expect(smsCounterText({ encoding: 'gsm7', characters: 142, units: 142, segments: 1, remaining: 18 })).toBe(
      'GSM-7 · 142 characters · 1 segment · 18 left',
    );
    expect(smsCounterText({ encoding: 'ucs2', characters: 71, units: 71, segments: 2, remaining: 63 })).toBe(
      'UCS-2 · 71 characters · 2 segments · 63 left',
    );
  });

  it('names the characters that force UCS-2', () => {
    expect(nonGsmCharacters('Habari Wanjiku, karibu! €5 {ok}')).toEqual([]);
    expect(nonGsmCharacters('Asante 🚗 “sawa” 🚗')).toEqual(['🚗', '“', '”']);
    const cost = { encoding: 'ucs2' as const, characters: 9, units: 10, segments: 1, remaining: 60 };
    expect(ucs2Reason(cost, 'Asante 🚗')).toBe('UCS-2 because of 🚗: one SMS holds 70 characters instead of 160');
    expect(ucs2Reason({ ...cost, encoding: 'gsm7' }, 'Asante')).toBe('');
  });
});

describe('sample context', () => {
  it('parses an object, treats blank as the server’s sample, refuses the rest', () => {
    expect(parseContext('')).toEqual({ ok: true, value: null });
    expect(parseContext('{"order": {"number": "ORD-1"}}')).toEqual({ ok: true, value: { order: { number: 'ORD-1' } } });
    expect(parseContext('[1]')).toEqual({ ok: false, error: 'the context must be a JSON object' });
    expect(parseContext('{').ok).toBe(false);
  });
});
