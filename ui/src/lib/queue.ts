// The notification queue's rules as the UI needs them: which action applies
// to which status (mirroring `BulkAction::from_statuses` in crates/core), the
// words of the confirmation and result of a bulk action, and how a failure
// group turns into list filters. Pure, so it is tested without a browser.
import type { FailureGroupInfo } from '../bindings/FailureGroupInfo';
import type { QueueActionKind } from '../bindings/QueueActionKind';
import type { QueueActionResult } from '../bindings/QueueActionResult';
import { QUEUE_STATUSES, type QueueFilters, type QueueStatusName } from './filters';

export const QUEUE_ACTIONS = ['retry', 'cancel', 'requeue'] as const satisfies readonly QueueActionKind[];

/** The statuses each action changes (the backend refuses the others). */
export const ACTION_FROM: Record<QueueActionKind, readonly QueueStatusName[]> = {
  retry: ['failed', 'dead'],
  cancel: ['pending', 'failed'],
  requeue: ['dead', 'cancelled'],
};

const VERBS: Record<QueueActionKind, { verb: string; done: string; label: string }> = {
  retry: { verb: 'Retry', done: 'Retried', label: 'Retry' },
  cancel: { verb: 'Cancel', done: 'Cancelled', label: 'Cancel' },
  requeue: { verb: 'Requeue', done: 'Requeued', label: 'Requeue' },
};

export function actionLabel(action: QueueActionKind): string {
  return VERBS[action].label;
}

/** Actions that can change a notification in `status`, in button order. */
export function actionsFor(status: string | null | undefined): QueueActionKind[] {
  if (!status) return [];
  return QUEUE_ACTIONS.filter((a) => (ACTION_FROM[a] as readonly string[]).includes(status));
}

export function isQueueStatus(s: string): s is QueueStatusName {
  return (QUEUE_STATUSES as readonly string[]).includes(s);
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** `dead sms notifications`: the filter's status and channel as adjectives. */
function noun(n: number, f: Pick<QueueFilters, 'status' | 'channel'>): string {
  const adjectives = [f.status, f.channel.replace('_', '-')].filter((s) => s.trim() !== '');
  const counted = plural(n, 'notification');
  const [num, ...rest] = counted.split(' ');
  return [num, ...adjectives, ...rest].join(' ');
}

/** The rest of the filter in words, for under the question: `provider africastalking, error containing "403"`. */
export function filterDetails(f: QueueFilters): string {
  const parts: string[] = [];
  if (f.provider.trim()) parts.push(`provider ${f.provider.trim()}`);
  if (f.error.trim()) parts.push(`last error containing “${f.error.trim()}”`);
  if (f.user.trim()) parts.push(`for user ${f.user.trim()}`);
  if (f.recipient.trim()) parts.push(`for user #${f.recipient.trim()}`);
  return parts.join(', ');
}

/** `Retry 73 dead sms notifications?` */
export function confirmText(action: QueueActionKind, count: number, f: QueueFilters): string {
  return `${VERBS[action].verb} ${noun(count, f)}?`;
}

/** After the real call: `Retried 73 dead sms notifications.` (and how many had moved on meanwhile). */
export function resultText(r: QueueActionResult, f: QueueFilters): string {
  const base = `${VERBS[r.action].done} ${noun(r.changed, f)}.`;
  const missed = r.matched - r.changed;
  return missed > 0 ? `${base} ${plural(missed, 'other')} had changed status meanwhile.` : base;
}

/** When a dry run matches nothing: `No dead sms notifications to retry.` */
export function nothingText(action: QueueActionKind, f: QueueFilters): string {
  return `No ${noun(0, f).replace(/^0 /, '')} to ${action}.`;
}

/**
 * A part of the group's errors the server can search for. The pattern has
 * numbers and ids replaced by `#`, so its longest `#`-free stretch is
 * literal text of every error in the group; it is checked against the
 * example (the search is case-sensitive), else the example's longest word
 * that the pattern also has is used, else the example itself.
 */
export function errorNeedle(group: Pick<FailureGroupInfo, 'pattern' | 'example_error'>): string {
  const example = group.example_error;
  const pieces = group.pattern
    .replace(/…$/, '')
    .split('#')
    .map((p) => p.trim())
    .filter((p) => p.length >= 3)
    .sort((a, b) => b.length - a.length);
  const literal = pieces.find((p) => example.includes(p));
  if (literal) return literal;
  const words = group.pattern
    .split(/\s+/)
    .filter((w) => w.length >= 4 && !w.includes('#') && example.includes(w))
    .sort((a, b) => b.length - a.length);
  return words[0] ?? example;
}

/** The list filters that show a failure group's notifications. */
export function groupFilters(group: FailureGroupInfo): QueueFilters {
  // Only when the group is all one status can the filter name it (bulk actions need one).
  const status = group.failed === 0 && group.dead > 0 ? 'dead' : group.dead === 0 && group.failed > 0 ? 'failed' : '';
  return {
    error: errorNeedle(group),
    status,
    channel: group.channel,
    provider: group.provider ?? '',
    user: '',
    recipient: '',
  };
}

/** `533 ms`, `1.2 s`, `2 min`. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Tone of an attempt's outcome: `sent` is good, `transient`/`rate_limited` will be retried, the rest is final. */
export function outcomeTone(outcome: string): 'ok' | 'warn' | 'bad' {
  if (outcome === 'sent') return 'ok';
  if (['transient', 'rate_limited', 'timeout', 'unavailable'].includes(outcome)) return 'warn';
  return 'bad';
}

/**
 * `1 of 9`: failed attempts out of those allowed. A retry from the console gives a
 * notification a fresh budget; with the attempts it has made in all, a count
 * that restarted says so: `0 of 9 since the retry · 2 in all`. Once sent, only
 * the attempts in all matter: `2 in all · sent`.
 */
export function triesText(retryCount: number, maxRetries: number, attemptsInAll?: number, status?: string): string {
  if (status === 'sent' && attemptsInAll !== undefined && attemptsInAll > 0) return `${attemptsInAll} in all · sent`;
  const tries = `${retryCount} of ${maxRetries + 1}`;
  if (attemptsInAll === undefined || attemptsInAll <= retryCount) return tries;
  return `${tries} since the retry · ${attemptsInAll} in all`;
}
