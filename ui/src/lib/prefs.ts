// The preferences editor's pure parts: the grid's rows and columns, the
// rules the backend enforces that the UI shows up front (security locked on,
// marketing opt-in), the document Save sends, the time-zone choices and the
// field a refusal names (`invalid quiet_hours: …`).
import type { ChannelSwitches } from '../bindings/ChannelSwitches';
import type { Frequency } from '../bindings/Frequency';
import type { NotificationType } from '../bindings/NotificationType';
import type { Preferences } from '../bindings/Preferences';
import { CHANNELS, type ChannelName } from './filters';

export const PREF_TYPES = ['orders', 'imports', 'security', 'marketing', 'system'] as const satisfies readonly NotificationType[];

export const TYPE_LABELS: Record<NotificationType, string> = {
  orders: 'Orders',
  imports: 'Imports',
  security: 'Security',
  marketing: 'Marketing',
  system: 'System',
};

export const CHANNEL_LABELS: Record<ChannelName, string> = {
  email: 'E-mail',
  sms: 'SMS',
  push: 'Push',
  in_app: 'In-app',
};

export const FREQUENCIES: readonly { value: Frequency; label: string }[] = [
  { value: 'immediate', label: 'Immediately' },
  { value: 'hourly', label: 'Hourly digest' },
  { value: 'daily', label: 'Daily digest' },
  { value: 'weekly', label: 'Weekly digest' },
];

/** Security notifications cannot be switched off (the backend refuses it). */
export function isLocked(type: NotificationType): boolean {
  return type === 'security';
}

/** The editable copy of a user's preferences: the profile's zone is `''` (not chosen). */
export interface PrefsDraft {
  channels: ChannelSwitches;
  types: Record<NotificationType, ChannelSwitches>;
  frequency: Frequency;
  quietOn: boolean;
  quietStart: string;
  quietEnd: string;
  /** An IANA name, or '' to keep following the profile's zone. */
  timeZone: string;
}

export const DEFAULT_QUIET = { start: '22:00', end: '07:00' } as const;

export function draftFrom(p: Preferences, zoneFromProfile: boolean): PrefsDraft {
  return {
    channels: { ...p.channels },
    types: Object.fromEntries(PREF_TYPES.map((t) => [t, { ...p.types[t] }])) as Record<NotificationType, ChannelSwitches>,
    frequency: p.frequency,
    quietOn: p.quiet_hours !== null,
    quietStart: p.quiet_hours?.start ?? DEFAULT_QUIET.start,
    quietEnd: p.quiet_hours?.end ?? DEFAULT_QUIET.end,
    timeZone: zoneFromProfile ? '' : p.time_zone,
  };
}

/**
 * The document for `set_preferences`. Leaving `time_zone` out keeps the
 * profile's zone; quiet hours off is `null`.
 */
export function toDocument(d: PrefsDraft): Preferences {
  const doc: Record<string, unknown> = {
    channels: { ...d.channels },
    types: Object.fromEntries(PREF_TYPES.map((t) => [t, { ...d.types[t] }])),
    frequency: d.frequency,
    quiet_hours: d.quietOn ? { start: d.quietStart, end: d.quietEnd } : null,
  };
  if (d.timeZone !== '') doc.time_zone = d.timeZone;
  // The request type says Preferences; the server takes the zone as optional.
  return doc as unknown as Preferences;
}

/** Equal drafts save nothing. */
export function sameDraft(a: PrefsDraft, b: PrefsDraft): boolean {
  return JSON.stringify(toDocument(a)) === JSON.stringify(toDocument(b));
}

/** Why a switch is shown the way it is, for its tooltip. */
export function switchNote(d: PrefsDraft, type: NotificationType, channel: ChannelName): string {
  if (isLocked(type)) return 'Security notifications are always sent on every channel';
  if (!d.channels[channel]) return `${CHANNEL_LABELS[channel]} is off for all notifications`;
  if (type === 'marketing') return 'Marketing is opt-in';
  return '';
}

/** The field a refusal names: `invalid quiet_hours: start and end…` → `quiet_hours`; `types.orders.sms` → `types`. */
export function errorField(message: string): string | null {
  const m = /(?:^|: )invalid (?:preferences\.)?([a-z_]+)(?:[.\s:]|$)/.exec(message);
  return m ? m[1]! : null;
}

/** Zones offered first; everything else the browser knows follows. */
export const COMMON_ZONES = [
  'Africa/Nairobi',
  'UTC',
  'Africa/Kampala',
  'Africa/Dar_es_Salaam',
  'Africa/Kigali',
  'Africa/Addis_Ababa',
  'Africa/Johannesburg',
  'Africa/Lagos',
  'Asia/Dubai',
  'Asia/Tokyo',
  'Europe/London',
] as const;

/**
 * The time-zone choices: the common ones (Nairobi and UTC first), the user's
 * profile and current zone if they are not among them, then `all` (the
 * browser's list) without repeats.
 */
export function zoneOptions(extra: readonly (string | null | undefined)[], all: readonly string[] = []): { common: string[]; other: string[] } {
  const common: string[] = [...COMMON_ZONES];
  for (const z of extra) if (z && !common.includes(z)) common.push(z);
  const other = [...new Set(all)].filter((z) => !common.includes(z)).sort();
  return { common, other };
}

/** What the browser knows (`Intl.supportedValuesOf`), or nothing on older engines. */
export function browserZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}

/** `channels, quiet hours`: the changed fields for the saved notice. */
export function changedText(fields: readonly string[]): string {
  if (fields.length === 0) return 'nothing changed';
  return fields.map((f) => f.replace(/_/g, ' ')).join(', ');
}

export { CHANNELS };
