import { describe, expect, it } from 'vitest';
import type { Preferences } from '../bindings/Preferences';
import { changedText, draftFrom, errorField, sameDraft, switchNote, toDocument, zoneOptions } from './prefs';

const on = { email: true, sms: true, push: true, in_app: true };
const off = { email: false, sms: false, push: false, in_app: false };
const prefs: Preferences = {
  channels: { ...on },
  types: { orders: { ...on }, imports: { ...on }, security: { ...on }, marketing: { ...off }, system: { ...on } },
  frequency: 'immediate',
  quiet_hours: { start: '22:00', end: '07:00' },
  time_zone: 'Africa/Nairobi',
};

describe('preferences draft', () => {
  it('keeps following the profile’s zone unless one is picked', () => {
    const d = draftFrom(prefs, true);
    expect(d.timeZone).toBe('');
    expect('time_zone' in toDocument(d)).toBe(false);
    expect(toDocument({ ...d, timeZone: 'UTC' }).time_zone).toBe('UTC');
    expect(draftFrom(prefs, false).timeZone).toBe('Africa/Nairobi');
  });

  it('sends quiet hours off as null', () => {
    const d = draftFrom(prefs, false);
    expect(toDocument(d).quiet_hours).toEqual({ start: '22:00', end: '07:00' });
    expect(toDocument({ ...d, quietOn: false }).quiet_hours).toBeNull();
    // Turning them on again offers the usual night.
    expect(draftFrom({ ...prefs, quiet_hours: null }, false)).toMatchObject({ quietOn: false, quietStart: '22:00', quietEnd: '07:00' });
  });

  it('copies switches, so editing the draft leaves the original alone', () => {
    const d = draftFrom(prefs, false);
    d.types.orders.sms = false;
    expect(prefs.types.orders.sms).toBe(true);
    expect(sameDraft(d, draftFrom(prefs, false))).toBe(false);
    d.types.orders.sms = true;
    expect(sameDraft(d, draftFrom(prefs, false))).toBe(true);
  });

  it('explains locked and dimmed switches', () => {
    const d = draftFrom(prefs, false);
    expect(switchNote(d, 'security', 'sms')).toMatch(/always sent/);
    d.channels.sms = false;
    expect(switchNote(d, 'orders', 'sms')).toBe('SMS is off for all notifications');
    expect(switchNote(d, 'marketing', 'email')).toBe('Marketing is opt-in');
    expect(switchNote(d, 'orders', 'email')).toBe('');
  });
});

describe('time zones', () => {
  it('offers Nairobi and UTC first, then the user’s zones, then the rest once', () => {
    const z = zoneOptions(['America/Toronto', 'Africa/Nairobi', null], ['Europe/Paris', 'Africa/Nairobi', 'America/Toronto', 'Europe/Paris']);
    expect(z.common.slice(0, 2)).toEqual(['Africa/Nairobi', 'UTC']);
    expect(z.common).toContain('America/Toronto');
    expect(z.other).toEqual(['Europe/Paris']);
  });
});

describe('refusals', () => {
  it('finds the field the server names', () => {
    expect(errorField('invalid quiet_hours: start and end are both 22:00')).toBe('quiet_hours');
    expect(errorField('invalid time_zone: "Mars/Base" is not an IANA time zone')).toBe('time_zone');
    expect(errorField('invalid types.orders.fax: unknown channel')).toBe('types');
    expect(errorField('invalid preferences.colour: unknown field')).toBe('colour');
    expect(errorField('Invalid input: invalid frequency: "often"')).toBe('frequency');
    expect(errorField('something else')).toBeNull();
  });

  it('words the changed fields', () => {
    expect(changedText(['types', 'quiet_hours'])).toBe('types, quiet hours');
    expect(changedText([])).toBe('nothing changed');
  });
});
