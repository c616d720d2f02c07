import { describe, expect, it } from 'vitest';
import {
  bandLayout,
  barLayout,
  compactNumber,
  describeData,
  exactNumber,
  formatPercent,
  hbarLayout,
  niceStep,
  niceTicks,
  ratio,
  scaleLinear,
  splitLayout,
  thinLabels,
  truncateLabel,
} from './charts';

describe('numbers', () => {
  it('formats compact numbers', () => {
    expect(compactNumber(0)).toBe('0');
    expect(compactNumber(999)).toBe('999');
    expect(compactNumber(1000)).toBe('1k');
    expect(compactNumber(35_000)).toBe('35k');
    expect(compactNumber(35_449)).toBe('35.4k');
    expect(compactNumber(123_456)).toBe('123k');
    expect(compactNumber(1_234_567)).toBe('1.2M');
    expect(compactNumber(2_500_000_000)).toBe('2.5B');
    expect(compactNumber(-12_300)).toBe('-12.3k');
    expect(compactNumber(12.345)).toBe('12.3');
  });

  it('rounds up across units', () => {
    expect(compactNumber(999.96)).toBe('1k');
    expect(compactNumber(999_950)).toBe('1M');
    expect(compactNumber(999_499)).toBe('999k');
    expect(compactNumber(1e15)).toBe('1000T');
  });

  it('formats nothing and infinity', () => {
    expect(compactNumber(null)).toBe('—');
    expect(compactNumber(NaN)).toBe('—');
    expect(compactNumber(Infinity)).toBe('∞');
    expect(exactNumber(undefined)).toBe('—');
    expect(exactNumber(1_234_567)).toBe('1,234,567');
  });

  it('formats percentages without lying at the edges', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.4213)).toBe('42%');
    expect(formatPercent(0.004)).toBe('<1%');
    expect(formatPercent(0.996)).toBe('>99%');
    expect(formatPercent(0.9973, 1)).toBe('99.7%');
    expect(formatPercent(0.99996, 1)).toBe('>99.9%');
    expect(formatPercent(0.00001, 1)).toBe('<0.1%');
    expect(formatPercent(1.7)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(NaN)).toBe('—');
  });

  it('divides safely', () => {
    expect(ratio(1, 4)).toBe(0.25);
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(5, 4)).toBe(1);
  });
});

describe('axes and scales', () => {
  it('picks 1-2-5 steps', () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(240)).toBe(500);
    expect(niceStep(0)).toBe(1);
  });

  it('makes round ticks covering the maximum', () => {
    expect(niceTicks(100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(87, 4)).toEqual([0, 50, 100]);
    expect(niceTicks(1234, 5)).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(3, 5)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1, 5)).toEqual([0, 1]);
  });

  it('handles empty, all-zero, fractional and huge maxima', () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(-5)).toEqual([0, 1]);
    expect(niceTicks(NaN)).toEqual([0, 1]);
    expect(niceTicks(0.3, 3, false)).toEqual([0, 0.1, 0.2, 0.3]);
    const huge = niceTicks(1_234_567_890, 5);
    expect(huge).toEqual([0, 500_000_000, 1_000_000_000, 1_500_000_000]);
  });

  it('scales linearly, even over a zero-width domain', () => {
    const y = scaleLinear([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(25)).toBe(150);
    expect(y(100)).toBe(0);
    expect(scaleLinear([5, 5], [10, 20])(7)).toBe(10);
    expect(scaleLinear([0, 10], [0, 100])(NaN)).toBe(0);
  });

  it('lays out bands with gaps', () => {
    expect(bandLayout(0, 100)).toEqual([]);
    expect(bandLayout(4, 100, 4)).toEqual([
      { x: 0, width: 22, center: 11 },
      { x: 26, width: 22, center: 37 },
      { x: 52, width: 22, center: 63 },
      { x: 78, width: 22, center: 89 },
    ]);
  });

  it('centres a single narrow bar and shrinks gaps that would eat the bars', () => {
    expect(bandLayout(1, 600, 4, 40)).toEqual([{ x: 280, width: 40, center: 300 }]);
    const crowded = bandLayout(100, 100, 10);
    expect(crowded).toHaveLength(100);
    expect(crowded[0]?.width).toBeGreaterThan(0);
    expect((crowded[99]?.x ?? 0) + (crowded[99]?.width ?? 0)).toBeCloseTo(100);
    expect(bandLayout(3, 0)).toEqual([
      { x: 0, width: 0, center: 0 },
      { x: 0, width: 0, center: 0 },
      { x: 0, width: 0, center: 0 },
    ]);
  });

  it('thins labels to fit', () => {
    expect(thinLabels(['a', 'b', 'c', 'd', 'e'], 10)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(thinLabels(['a', 'b', 'c', 'd', 'e'], 2)).toEqual(['a', '', '', 'd', '']);
    expect(thinLabels(['a', 'b', 'c'], 0)).toEqual(['', '', '']);
    expect(thinLabels([], 3)).toEqual([]);
    expect(thinLabels(Array.from({ length: 90 }, (_, i) => String(i)), 7).filter(Boolean)).toHaveLength(7);
  });

  it('truncates labels', () => {
    expect(truncateLabel('provider', 20)).toBe('provider');
    expect(truncateLabel('africastalking-sms', 8)).toBe('africas…');
  });
});

describe('barLayout', () => {
  const days = [
    { label: 'Nov 01', value: 10 },
    { label: 'Nov 02', value: 0 },
    { label: 'Nov 03', value: 40 },
  ];

  it('stands bars on the baseline, tallest reaching the scale', () => {
    const l = barLayout(days, 300, 200);
    const base = l.plot.y + l.plot.height;
    for (const b of l.bars) expect(b.y + b.height).toBeCloseTo(base);
    expect(l.bars.map((b) => b.height > 0)).toEqual([true, false, true]);
    expect(l.bars[2]?.height).toBeGreaterThan(l.bars[0]?.height ?? 0);
    expect(l.ticks[0]).toMatchObject({ value: 0, text: '0' });
    expect(l.ticks.at(-1)?.value).toBeGreaterThanOrEqual(40);
    expect(l.bars[2]?.text).toBe('Nov 03: 40');
    expect(l.empty).toBe(false);
  });

  it('handles no data, all zeros and a single bar', () => {
    const none = barLayout([], 300, 200);
    expect(none).toMatchObject({ empty: true, bars: [], labels: [] });
    expect(none.ticks.map((t) => t.value)).toEqual([0, 1]);
    const zeros = barLayout([{ label: 'a', value: 0 }, { label: 'b', value: 0 }], 300, 200);
    expect(zeros.bars.every((b) => b.height === 0)).toBe(true);
    const one = barLayout([{ label: 'only', value: 5 }], 600, 200);
    expect(one.bars[0]?.width).toBe(56);
    expect(one.labels).toEqual([{ x: (one.bars[0]?.x ?? 0) + 28, text: 'only' }]);
  });

  it('keeps a tiny count visible next to a huge one and formats huge ticks', () => {
    const l = barLayout([{ label: 'a', value: 1 }, { label: 'b', value: 2_000_000 }], 300, 200);
    expect(l.bars[0]?.height).toBe(1);
    expect(l.ticks.map((t) => t.text)).toContain('2M');
    expect(l.plot.x).toBeGreaterThan(10);
  });

  it('thins x labels for many days and never goes negative', () => {
    const month = Array.from({ length: 90 }, (_, i) => ({ label: `d${i}`, value: i }));
    expect(barLayout(month, 400, 200).labels.length).toBeLessThanOrEqual(6);
    const tiny = barLayout(month, 0, 0);
    expect(tiny.plot.width).toBe(0);
    expect(tiny.plot.height).toBe(0);
    expect(barLayout([{ label: 'neg', value: -3 }], 300, 200).bars[0]?.height).toBe(0);
  });
});

describe('hbarLayout', () => {
  it('scales rows to the largest value', () => {
    const l = hbarLayout(
      [
        { label: 'login', value: 300 },
        { label: 'search', value: 150 },
        { label: 'none', value: 0 },
      ],
      500,
      { labelWidth: 100, valueWidth: 50, barHeight: 20, gap: 10 },
    );
    expect(l.height).toBe(80);
    expect(l.track).toBe(350);
    expect(l.rows.map((r) => [r.y, r.barWidth])).toEqual([
      [0, 350],
      [30, 175],
      [60, 0],
    ]);
    expect(l.rows[0]).toMatchObject({ barX: 100, valueText: '300', text: 'login: 300', valueX: 456 });
  });

  it('handles no rows, all zeros and long labels', () => {
    expect(hbarLayout([], 500)).toEqual({ height: 0, track: 304, rows: [] });
    const z = hbarLayout([{ label: 'x', value: 0 }], 500);
    expect(z.rows[0]?.barWidth).toBe(0);
    const long = hbarLayout([{ label: 'a-very-long-provider-name-indeed', value: 1_500_000 }], 500, { labelWidth: 80 });
    expect(long.rows[0]?.shortLabel.endsWith('…')).toBe(true);
    expect(long.rows[0]?.valueText).toBe('1.5M');
  });
});

describe('describeData', () => {
  it('joins the per-item texts for a <desc>', () => {
    expect(describeData(barLayout([{ label: 'a', value: 1 }, { label: 'b', value: 2000 }], 300, 200).bars)).toBe(
      'a: 1; b: 2,000',
    );
    expect(describeData([])).toBe('');
  });
});

describe('splitLayout', () => {
  it('splits each row into success and failure filling the track', () => {
    const l = splitLayout([{ label: 'sms', success: 997, failure: 3 }], 400, { labelWidth: 100, valueWidth: 100 });
    const [ok, bad] = l.rows[0]?.segments ?? [];
    expect(ok).toMatchObject({ kind: 'success', x: 100, value: 997 });
    expect(ok?.width).toBeCloseTo(199.4);
    expect(bad).toMatchObject({ kind: 'failure', value: 3 });
    expect((bad?.x ?? 0) + (bad?.width ?? 0)).toBeCloseTo(300);
    expect(l.rows[0]?.rateText).toBe('99.7%');
    expect(ok?.text).toBe('sms delivered: 997 of 1,000 (99.7%)');
    expect(bad?.text).toBe('sms failed: 3 of 1,000 (0.3%)');
  });

  it('shows channels with no deliveries as an empty track', () => {
    const l = splitLayout(
      [
        { label: 'push', success: 0, failure: 0 },
        { label: 'email', success: 0, failure: 12 },
      ],
      400,
    );
    expect(l.rows[0]).toMatchObject({ total: 0, rate: null, rateText: '—' });
    expect(l.rows[0]?.segments.map((s) => s.kind)).toEqual(['none']);
    expect(l.rows[1]?.rateText).toBe('0.0%');
    expect(l.rows[1]?.segments[0]?.width).toBe(0);
    expect(splitLayout([], 400)).toEqual({ height: 0, track: 226, rows: [] });
  });
});
