// Shapes the `overview` answer for the chart components. The counting is
// done in SQL; this only labels, orders and combines.
import type { Datum, SplitRow } from './charts';
import type { ChannelDelivery } from '../bindings/ChannelDelivery';
import type { DayCount } from '../bindings/DayCount';
import type { NamedCount } from '../bindings/NamedCount';
import { SEVERITIES, type SeverityName } from './filters';
import { humanize } from './format';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-01` → `Nov 1`; anything else unchanged. */
export function dayLabel(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  return m && month ? `${month} ${Number(m[3])}` : day;
}

export function eventsSeries(days: readonly DayCount[]): Datum[] {
  return days.map((d) => ({ label: dayLabel(d.day), value: d.count }));
}

export function actionSeries(actions: readonly NamedCount[]): Datum[] {
  return actions.map((a) => ({ label: humanize(a.name), value: a.count }));
}

/** Delivered against not delivered: failures waiting for a retry and dead ones both count as failures. */
export function deliveryRows(channels: readonly ChannelDelivery[]): SplitRow[] {
  return channels.map((c) => ({ label: c.channel, success: c.sent, failure: c.failed + c.dead }));
}

export interface SeverityCount {
  severity: SeverityName;
  count: number;
  tone: 'neutral' | 'warn' | 'bad';
}

/** One count per severity, critical first, zero for any the backend left out. */
export function severityCounts(counts: readonly NamedCount[]): SeverityCount[] {
  return SEVERITIES.map((severity) => ({
    severity,
    count: counts.filter((c) => c.name === severity).reduce((n, c) => n + c.count, 0),
    tone: severity === 'critical' ? 'bad' : severity === 'high' ? 'warn' : 'neutral',
  }));
}

/** The UTC date `days` days before `now` (YYYY-MM-DD), for links into the audit trail. */
export function daysAgo(days: number, now: Date = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

export function sum(values: readonly number[]): number {
  return values.reduce((n, v) => n + (Number.isFinite(v) ? v : 0), 0);
}
