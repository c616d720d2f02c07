import { describe, expect, it } from 'vitest';
import type { ExportStatus } from '../bindings/ExportStatus';
import { downloadHref, exportFraction, exportProgressText, formatBytes, isFinished } from './exports';

const status = (over: Partial<ExportStatus>): ExportStatus => ({
  export_id: 'e1',
  state: 'running',
  rows: 0,
  bytes: 0,
  total_estimate: null,
  path: null,
  download_url: null,
  error: null,
  ...over,
});

describe('export progress', () => {
  it('formats sizes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(14_540)).toBe('14.2 KB');
    expect(formatBytes(3.1 * 1024 * 1024)).toBe('3.1 MB');
    expect(formatBytes(500 * 1024 * 1024)).toBe('500 MB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(null)).toBe('—');
  });

  it('measures against the estimate, never 100 % while running', () => {
    expect(exportFraction(status({ rows: 250, total_estimate: 1000 }))).toBe(0.25);
    expect(exportFraction(status({ rows: 1200, total_estimate: 1000 }))).toBe(0.99);
    expect(exportFraction(status({ rows: 10 }))).toBeNull();
    expect(exportFraction(status({ rows: 10, total_estimate: 0 }))).toBeNull();
    expect(exportFraction(status({ state: 'done', rows: 10 }))).toBe(1);
    expect(exportFraction(status({ state: 'cancelled', rows: 10, total_estimate: 40 }))).toBe(0.25);
    expect(exportFraction(status({ state: 'failed', rows: 10 }))).toBe(0);
  });

  it('describes each state in one line', () => {
    expect(exportProgressText(status({ rows: 12_345, bytes: 1_258_291, total_estimate: 50_000 }))).toBe(
      '12,345 of ~50,000 rows · 1.2 MB',
    );
    expect(exportProgressText(status({ rows: 1, bytes: 90 }))).toBe('1 row · 90 B');
    expect(exportProgressText(status({ rows: 60_000, total_estimate: 50_000, bytes: 0 }))).toBe('60,000 of ~60,000 rows · 0 B');
    expect(exportProgressText(status({ state: 'done', rows: 50_000, bytes: 4_299_161 }))).toBe('Done · 50,000 rows · 4.1 MB');
    expect(exportProgressText(status({ state: 'cancelled', rows: 300 }))).toBe('Cancelled after 300 rows');
    expect(exportProgressText(status({ state: 'failed', rows: 0, error: 'disk full' }))).toBe('Failed after 0 rows: disk full');
  });

  it('knows when to stop polling', () => {
    expect(isFinished('running')).toBe(false);
    expect(['done', 'failed', 'cancelled'].every((s) => isFinished(s as ExportStatus['state']))).toBe(true);
  });

  it('resolves download links against the API origin', () => {
    expect(downloadHref('/api/exports/e1', 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/api/exports/e1');
    expect(downloadHref('http://x/y', 'http://127.0.0.1:8080')).toBe('http://x/y');
  });
});
