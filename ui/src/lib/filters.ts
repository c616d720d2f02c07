// Each view's filters as they live in the URL (`#/audit?severity=high&table=cars`).
// The route is the single source of truth: a view reads its filters from the
// current query, writes edits back with `Router.setParams` (history replace),
// and reloads its list when `filterKey` changes. Values that cannot be valid
// (a severity that does not exist, a malformed date) are dropped on reading,
// so a hand-edited or stale bookmark never turns into a 400 from the server.
//
// Keys are short and stable: they end up in bookmarks.

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type SeverityName = (typeof SEVERITIES)[number];

/** Notification queue statuses, in the order the queue view shows them. */
export const QUEUE_STATUSES = ['pending', 'processing', 'sent', 'failed', 'dead', 'cancelled'] as const;
export type QueueStatusName = (typeof QUEUE_STATUSES)[number];

/** Delivery channels. */
export const CHANNELS = ['email', 'sms', 'push', 'in_app'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/** The days the overview can chart; '' in the URL means the backend's default. */
export const OVERVIEW_DAYS = ['7', '14', '30', '90'] as const;
export const DEFAULT_OVERVIEW_DAYS = '30';

/** URL keys of each view's filters, in filter-bar order. */
export const FILTER_KEYS = {
  me: ['q', 'action', 'from', 'to'],
  activity: ['q', 'user', 'action', 'from', 'to', 'ip', 'type', 'object', 'session'],
  audit: ['q', 'severity', 'user', 'table', 'record', 'field', 'action', 'from', 'to', 'set'],
  overview: ['days'],
  // `error` is the search box (a case-sensitive part of the last error); `user` a username,
  // `recipient` a user id (what a row shows).
  queue: ['error', 'status', 'channel', 'provider', 'user', 'recipient'],
  templates: ['q', 'type', 'channel'],
} as const;

export type FilterView = keyof typeof FILTER_KEYS;
export type FilterKey<V extends FilterView> = (typeof FILTER_KEYS)[V][number];
/** Every key present; '' when unset. */
export type Filters<V extends FilterView> = Record<FilterKey<V>, string>;
export type MeFilters = Filters<'me'>;
export type ActivityFilters = Filters<'activity'>;
export type AuditFilters = Filters<'audit'>;
export type OverviewFilters = Filters<'overview'>;
export type QueueFilters = Filters<'queue'>;
export type TemplateFilters = Filters<'templates'>;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD (what `<input type="date">` produces). */
export function isDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Whether `value` may stand in the URL under `key`; free text always may. */
function valid(key: string, value: string): boolean {
  switch (key) {
    case 'from':
    case 'to':
      return isDate(value);
    case 'severity':
      return (SEVERITIES as readonly string[]).includes(value);
    case 'days':
      return (OVERVIEW_DAYS as readonly string[]).includes(value);
    case 'status':
      return (QUEUE_STATUSES as readonly string[]).includes(value);
    case 'channel':
      return (CHANNELS as readonly string[]).includes(value);
    case 'recipient':
      return /^\d{1,15}$/.test(value);
    default:
      return true;
  }
}

/** The view's filters from a route query: every key present, unknown keys ignored, invalid values ''. */
export function readFilters<V extends FilterView>(view: V, query: Record<string, string>): Filters<V> {
  const out = {} as Record<string, string>;
  for (const key of FILTER_KEYS[view]) {
    const raw = query[key] ?? '';
    out[key] = raw.trim() !== '' && valid(key, raw.trim()) ? raw : '';
  }
  return out as Filters<V>;
}

/**
 * Filter values for `Router.setParams`: blank ones become null (removing the
 * key). Text is kept as typed, trailing space included, so rewriting the input
 * from the URL while someone types does not eat their space.
 */
export function filterParams<V extends FilterView>(view: V, filters: Partial<Filters<V>>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const key of FILTER_KEYS[view]) {
    const v = (filters as Record<string, string | undefined>)[key];
    if (v === undefined) continue;
    out[key] = v.trim() === '' ? null : v;
  }
  return out;
}

/** Identifies the result set: equal keys mean the same rows, so no reload. */
export function filterKey<V extends FilterView>(view: V, filters: Filters<V>): string {
  const f = filters as Record<string, string>;
  return FILTER_KEYS[view].map((k) => `${k}=${(f[k] ?? '').trim()}`).join('&');
}

/** How many filters are set (for "3 filters · Clear"). */
export function activeCount<V extends FilterView>(view: V, filters: Filters<V>): number {
  const f = filters as Record<string, string>;
  return FILTER_KEYS[view].filter((k) => (f[k] ?? '').trim() !== '').length;
}

/** Every filter of the view cleared, for `setParams`. */
export function clearedParams(view: FilterView): Record<string, null> {
  return Object.fromEntries(FILTER_KEYS[view].map((k) => [k, null]));
}

// Object history opens as a drawer over the audit trail: `?history=cars:42`.
// Table names are identifiers, so the first colon separates them from the
// record id (which may itself contain colons).

export interface ObjectRef {
  table: string;
  record: string;
}

export function formatHistory(ref: ObjectRef): string {
  return `${ref.table}:${ref.record}`;
}

export function parseHistory(value: string | undefined): ObjectRef | null {
  if (!value) return null;
  const i = value.indexOf(':');
  if (i <= 0 || i === value.length - 1) return null;
  return { table: value.slice(0, i), record: value.slice(i + 1) };
}
