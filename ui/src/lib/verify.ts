// "Verify now" as people read it: the backend re-walks the audit hash chain in
// the background (`start_verify`), the badge polls `verify_status` and shows
// rows checked against rows in range, and may cancel.
import type { VerifyStatus } from '../bindings/VerifyStatus';
import { formatCount, humanize } from './format';

/** How often a running verification is polled. */
export const VERIFY_POLL_MS = 200;

/** Share done, 0..1; a running verification never shows 100 %. */
export function verifyFraction(s: VerifyStatus): number {
  if (s.state === 'done') return 1;
  if (!Number.isFinite(s.total) || s.total <= 0) return 0;
  return Math.min(s.state === 'running' ? 0.99 : 1, Math.max(0, s.rows_checked / s.total));
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export type VerifyView = {
  /** idle · running · ok · failed (a broken chain) · error (could not run) · cancelled */
  state: 'idle' | 'running' | 'ok' | 'failed' | 'error' | 'cancelled';
  text: string;
  title: string;
};

/** The badge's words for a status (null: never run in this window). */
export function verifyView(s: VerifyStatus | null, at: Date | null = null): VerifyView {
  if (!s) return { state: 'idle', text: 'Integrity not checked yet', title: '' };
  const when = at ? `checked ${at.toLocaleTimeString()}` : '';
  switch (s.state) {
    case 'running': {
      const pct = Math.floor(verifyFraction(s) * 100);
      // Short: the header is narrow; the counts are in the title.
      const of = s.total > 0 ? ` of ${formatCount(s.total)}` : '';
      return {
        state: 'running',
        text: `Verifying… ${pct}%`,
        title: `${formatCount(s.rows_checked)}${of} rows hashed in ${seconds(s.elapsed_ms)}`,
      };
    }
    case 'cancelled':
      return {
        state: 'cancelled',
        text: `Verification cancelled after ${formatCount(s.rows_checked)} rows`,
        title: 'Nothing was concluded about the chain',
      };
    case 'failed':
      return { state: 'error', text: 'Verification failed to run', title: s.error ?? '' };
    case 'done': {
      const r = s.report;
      if (!r) return { state: 'error', text: 'Verification failed to run', title: 'no report' };
      const checked = `${formatCount(r.rows_checked)} rows, ${formatCount(r.checkpoints_checked)} checkpoints in ${seconds(s.elapsed_ms)}`;
      if (r.ok) return { state: 'ok', text: `OK · chain intact (${checked})`, title: when };
      const p = r.problem;
      const text = p ? `Tampered · seq ${p.seq}: ${humanize(p.kind)}` : 'Tampered · chain does not verify';
      return { state: 'failed', text, title: `${p?.detail ?? ''} (${checked}; ${when})`.trim() };
    }
  }
}
