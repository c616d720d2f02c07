// Export progress as people read it. The backend writes the file (a native
// save dialog in the desktop app, a download URL over HTTP); the UI polls
// `export_status` and shows rows against the estimate.
import type { JobState } from '../bindings/JobState';
import type { ExportStatus } from '../bindings/ExportStatus';
import { formatCount } from './format';

/** How often a running export is polled. */
export const POLL_MS = 300;

export function isFinished(state: JobState): boolean {
  return state !== 'running';
}

/** `0 B`, `812 B`, `14.2 KB`, `3.1 MB`, `1.2 GB` (binary units, one decimal below 100). */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (i === 0) return `${Math.round(v)} B`;
  const text = v >= 100 ? String(Math.round(v)) : v.toFixed(1);
  return `${text} ${units[i]}`;
}

/**
 * Share done, 0..1, for the progress bar; null while running without an
 * estimate (an indeterminate bar). Estimates are only estimates: a running
 * export never shows 100 %, a finished one always does.
 */
export function exportFraction(s: ExportStatus): number | null {
  if (s.state === 'done') return 1;
  const total = s.total_estimate;
  if (total === null || !Number.isFinite(total) || total <= 0) return s.state === 'running' ? null : 0;
  return Math.min(s.state === 'running' ? 0.99 : 1, Math.max(0, s.rows / total));
}

function rows(n: number): string {
  return `${formatCount(n)} row${n === 1 ? '' : 's'}`;
}

/** One line under the bar: `12,345 of ~50,000 rows · 1.2 MB`, `Done · 50,000 rows · 4.1 MB`, … */
export function exportProgressText(s: ExportStatus): string {
  const size = formatBytes(s.bytes);
  switch (s.state) {
    case 'running': {
      const total = s.total_estimate;
      const counted = total !== null && total > 0 ? `${formatCount(s.rows)} of ~${rows(Math.max(total, s.rows))}` : rows(s.rows);
      return `${counted} · ${size}`;
    }
    case 'done':
      return `Done · ${rows(s.rows)} · ${size}`;
    case 'cancelled':
      return `Cancelled after ${rows(s.rows)}`;
    case 'failed':
      return `Failed after ${rows(s.rows)}${s.error ? `: ${s.error}` : ''}`;
  }
}

/** An absolute URL for a download link; `base` is the API's origin. */
export function downloadHref(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}
