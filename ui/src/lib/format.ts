// Display helpers for log rows. Timestamps are shown in UTC: an audit trail
// is read next to server logs and other people's screenshots, so the console
// never silently shifts times into the viewer's zone.

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Splits an RFC 3339 timestamp into UTC date, time and fractional digits (without the dot). */
function toUtcParts(iso: string): { date: string; time: string; frac: string } | null {
  const m = RFC3339.exec(iso.trim());
  if (!m) return null;
  const date = m[1] ?? '';
  const time = m[2] ?? '';
  const frac = m[3] ? m[3].slice(1) : '';
  const zone = m[4];
  if (!zone || zone.toUpperCase() === 'Z' || /^[+-]00:?00$/.test(zone)) {
    return { date, time, frac };
  }
  // An offset other than UTC: let Date do the arithmetic on whole seconds and
  // keep our own fractional digits (Date only keeps milliseconds).
  const d = new Date(`${date}T${time}${zone}`);
  if (Number.isNaN(d.getTime())) return null;
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    frac,
  };
}

/** `2025-03-01 14:05:09` (UTC). Unparseable input is returned unchanged. */
export function formatTimestamp(iso: string): string {
  const p = toUtcParts(iso);
  return p ? `${p.date} ${p.time}` : iso;
}

/** `2025-03-01 14:05:09.123456 UTC`, keeping every fractional digit the server sent. */
export function formatTimestampFull(iso: string): string {
  const p = toUtcParts(iso);
  if (!p) return iso;
  return `${p.date} ${p.time}${p.frac ? `.${p.frac}` : ''} UTC`;
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`; future times count as now. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** Username if known, else `user #12`, else `anonymous` (no user attached). */
export function formatUser(userId: number | null, username: string | null): string {
  if (username && username.trim()) return username;
  if (userId !== null && userId !== undefined) return `user #${userId}`;
  return 'anonymous';
}

/** The object an activity refers to: its display text, else `type #id`, else ''. */
export function formatObject(rec: {
  object_type: string | null;
  object_id: string | null;
  object_display: string | null;
}): string {
  if (rec.object_display && rec.object_display.trim()) return rec.object_display;
  if (rec.object_type && rec.object_id) return `${rec.object_type} #${rec.object_id}`;
  return rec.object_type ?? '';
}

/** `table.record.field`, leaving out the parts an audit row does not have. */
export function auditTarget(rec: { table_name: string; record_id: string | null; field_name: string | null }): string {
  return [rec.table_name, rec.record_id, rec.field_name].filter((p) => p !== null && p !== '').join('.');
}

/** `12,345`; `—` for null. */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** `1.2k`, `3.4M` for header statistics; exact below 1,000. */
export function formatCompact(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, suffix] of units) {
    if (Math.abs(n) >= size) {
      const v = n / size;
      return `${v >= 100 ? Math.round(v) : Number(v.toFixed(1))}${suffix}`;
    }
  }
  return String(Math.round(n));
}

/** First characters of a hex hash, enough to tell rows apart on screen. */
export function shortHash(hash: string, len = 12): string {
  return hash.length > len ? `${hash.slice(0, len)}…` : hash;
}

/** `page_view` → `page view`. */
export function humanize(identifier: string): string {
  return identifier.replace(/[_-]+/g, ' ').trim();
}
