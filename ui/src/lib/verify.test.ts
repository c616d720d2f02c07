import { describe, expect, it } from 'vitest';
import type { VerifyStatus } from '../bindings/VerifyStatus';
import { verifyFraction, verifyView } from './verify';

const status = (over: Partial<VerifyStatus>): VerifyStatus => ({
  verify_id: 'v1',
  state: 'running',
  rows_checked: 0,
  total: 0,
  elapsed_ms: 0,
  report: null,
  error: null,
  ...over,
});

describe('verify now', () => {
  it('measures rows checked against rows in range, never 100 % while running', () => {
    expect(verifyFraction(status({ rows_checked: 250_000, total: 1_000_000 }))).toBe(0.25);
    expect(verifyFraction(status({ rows_checked: 1_000_000, total: 1_000_000 }))).toBe(0.99);
    expect(verifyFraction(status({ rows_checked: 10 }))).toBe(0);
    expect(verifyFraction(status({ state: 'cancelled', rows_checked: 50, total: 200 }))).toBe(0.25);
    expect(verifyFraction(status({ state: 'done', rows_checked: 3, total: 3 }))).toBe(1);
  });

  it('says what is running and how far', () => {
    const v = verifyView(status({ rows_checked: 412_000, total: 1_000_000, elapsed_ms: 420 }));
    expect(v.state).toBe('running');
    expect(v.text).toBe('Verifying… 41%');
    expect(v.title).toBe('412,000 of 1,000,000 rows hashed in 420 ms');
    expect(verifyView(status({ rows_checked: 0 })).title).toBe('0 rows hashed in 0 ms');
  });

  it('names the first broken sequence number', () => {
    const v = verifyView(
      status({
        state: 'done',
        rows_checked: 1000,
        total: 1000,
        elapsed_ms: 1500,
        report: {
          ok: false,
          rows_checked: 499,
          checkpoints_checked: 2,
          head_seq: 1000,
          problem: { seq: 500, kind: 'modified', detail: 'row 500 does not hash to its stored hash' },
        },
      }),
    );
    expect(v.state).toBe('failed');
    expect(v.text).toBe('Tampered · seq 500: modified');
    expect(v.title).toContain('row 500 does not hash');
    expect(v.title).toContain('1.5 s');
  });

  it('reports an intact chain with its size and time', () => {
    const v = verifyView(
      status({
        state: 'done',
        rows_checked: 20_000,
        total: 20_000,
        elapsed_ms: 80,
        report: { ok: true, rows_checked: 20_000, checkpoints_checked: 20, head_seq: 20_000, problem: null },
      }),
    );
    expect(v).toMatchObject({ state: 'ok', text: 'OK · chain intact (20,000 rows, 20 checkpoints in 80 ms)' });
  });

  it('keeps cancellation and failure apart from a verdict', () => {
    expect(verifyView(status({ state: 'cancelled', rows_checked: 150_000 })).text).toBe('Verification cancelled after 150,000 rows');
    const f = verifyView(status({ state: 'failed', error: 'database unavailable' }));
    expect(f).toMatchObject({ state: 'error', text: 'Verification failed to run', title: 'database unavailable' });
    expect(verifyView(null).state).toBe('idle');
  });
});
