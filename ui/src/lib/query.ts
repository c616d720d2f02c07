// Turns the filter controls' state into API queries. Empty controls are left
// out of the query rather than sent as empty strings, which the server would
// treat as "match the empty string".
import type { ActivityQuery } from '../bindings/ActivityQuery';
import type { AuditQuery } from '../bindings/AuditQuery';

export const PAGE_SIZE = 100;

export interface ActivityFilters {
  text: string;
  action: string;
}

export interface AuditFilters {
  text: string;
  severity: string;
  action_type: string;
}

function clean(s: string | null | undefined): string | undefined {
  const t = (s ?? '').trim();
  return t === '' ? undefined : t;
}

function compact<T extends object>(q: T): T {
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as T;
}

export function activityQuery(f: ActivityFilters, cursor: string | null = null, limit = PAGE_SIZE): ActivityQuery {
  return compact({ text: clean(f.text), action: clean(f.action), cursor: cursor ?? undefined, limit });
}

export function auditQuery(f: AuditFilters, cursor: string | null = null, limit = PAGE_SIZE): AuditQuery {
  return compact({
    text: clean(f.text),
    severity: clean(f.severity),
    action_type: clean(f.action_type),
    cursor: cursor ?? undefined,
    limit,
  });
}

/** Known values first (in their order), then any others seen in loaded rows, sorted. */
export function mergeOptions(known: readonly string[], seen: Iterable<string>): string[] {
  const extra = [...new Set(seen)].filter((v) => v && !known.includes(v)).sort();
  return [...known, ...extra];
}
