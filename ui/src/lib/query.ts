// Turns each view's filters (see filters.ts) into API queries. Blank filters
// are left out of the query rather than sent as empty strings, which the
// server would treat as "match the empty string". Date filters are whole days
// (UTC, like every time the console shows): `from` is inclusive and so is the
// `to` a person picks, so the API's exclusive `to` is the next day.
import type { ActivityQuery } from '../bindings/ActivityQuery';
import type { AuditQuery } from '../bindings/AuditQuery';
import type { NotificationFilter } from '../bindings/NotificationFilter';
import type { ActivityFilters, AuditFilters, MeFilters, QueueFilters } from './filters';
import { isDate } from './filters';

/** Rows per keyset page: the virtual table asks for the next window as you scroll. */
export const PAGE_SIZE = 200;

function clean(s: string | null | undefined): string | undefined {
  const t = (s ?? '').trim();
  return t === '' ? undefined : t;
}

function compact<T extends object>(q: T): T {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as T;
}

/** `2026-11-30` → `2026-12-01`; undefined for anything that is not a date. */
export function nextDay(date: string): string | undefined {
  if (!isDate(date)) return undefined;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function fromBound(date: string): string | undefined {
  const d = clean(date);
  return d && isDate(d) ? d : undefined;
}

function toBound(date: string): string | undefined {
  const d = clean(date);
  return d ? nextDay(d) : undefined;
}

/** The signed-in operator's own timeline. */
export function meQuery(f: MeFilters): ActivityQuery {
  return compact({ mine: true, text: clean(f.q), action: clean(f.action), from: fromBound(f.from), to: toBound(f.to) });
}

/** Everyone's activity. */
export function activityQuery(f: ActivityFilters): ActivityQuery {
  return compact({
    text: clean(f.q),
    username: clean(f.user),
    action: clean(f.action),
    from: fromBound(f.from),
    to: toBound(f.to),
    ip: clean(f.ip),
    object_type: clean(f.type),
    object_id: clean(f.object),
    session_id: clean(f.session),
  });
}

export function auditQuery(f: AuditFilters): AuditQuery {
  return compact({
    text: clean(f.q),
    severity: clean(f.severity),
    username: clean(f.user),
    table_name: clean(f.table),
    record_id: clean(f.record),
    field_name: clean(f.field),
    action_type: clean(f.action),
    from: fromBound(f.from),
    to: toBound(f.to),
    change_set_id: clean(f.set),
  });
}

/**
 * The notification queue's filter, shared by the list and the bulk actions. The error text
 * is matched case-sensitively by the server, so it is sent as typed (only trimmed).
 */
export function queueQuery(f: QueueFilters): NotificationFilter {
  const recipient = clean(f.recipient);
  const id = recipient && /^\d+$/.test(recipient) ? Number(recipient) : undefined;
  return compact({
    status: clean(f.status) as NotificationFilter['status'],
    channel: clean(f.channel) as NotificationFilter['channel'],
    provider: clean(f.provider),
    error: clean(f.error),
    user_id: id,
    username: id === undefined ? clean(f.user) : undefined,
  });
}

/** A query with one page's cursor and size added. */
export function paged<Q extends object>(q: Q, cursor: string | null, limit = PAGE_SIZE): Q & { cursor?: string; limit: number } {
  return cursor ? { ...q, cursor, limit } : { ...q, limit };
}

/** Known values first (in their order), then any others seen in loaded rows, sorted. */
export function mergeOptions(known: readonly string[], seen: Iterable<string>): string[] {
  const extra = [...new Set(seen)].filter((v) => v && !known.includes(v)).sort();
  return [...known, ...extra];
}
