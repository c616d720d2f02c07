// Geometry and number formatting for the hand-written SVG charts in
// components/charts/. Everything here is pure: a chart component measures its
// width, calls one `*Layout` function and draws what comes back. Aggregation
// happens in SQL; these functions only place already-counted values.
//
// Counts are never negative here: negative or non-finite values are drawn as
// zero (and still reported exactly in the bar's <title>).

export interface Datum {
  label: string;
  value: number;
}

function finite(n: number, fallback = 0): number {
  return Number.isFinite(n) ? n : fallback;
}

function count(n: number): number {
  return Math.max(0, finite(n));
}

// ---------------------------------------------------------------- numbers

/** `12,345`; `—` for null or NaN. */
export function exactNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** `950`, `35k`, `1.2M`, `3B`; rounds up across units (999,950 is `1M`, not `1000k`). */
export function compactNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '-∞';
  const sign = n < 0 ? '-' : '';
  const a = Math.abs(n);
  const units: [number, string][] = [
    [1e3, 'k'],
    [1e6, 'M'],
    [1e9, 'B'],
    [1e12, 'T'],
  ];
  const short = (v: number) => String(v >= 100 ? Math.round(v) : Number(v.toFixed(1)));
  // The largest unit the value reaches; -1 for none.
  let i = -1;
  while (i + 1 < units.length && a >= (units[i + 1]?.[0] ?? Infinity)) i++;
  let text = short(i < 0 ? a : a / (units[i]?.[0] ?? 1));
  // Rounding can reach the next unit: 999,950 → "1000k" → "1M".
  if (Number(text) >= 1000 && i + 1 < units.length) {
    i++;
    text = short(a / (units[i]?.[0] ?? 1));
  }
  return `${sign}${text}${i < 0 ? '' : (units[i]?.[1] ?? '')}`;
}

/** `42%`, `99.7%` (with `digits`); never rounds a non-zero share to 0 or a partial one to 100. */
export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  const f = Math.min(1, Math.max(0, fraction));
  const d = Math.max(0, Math.min(4, Math.floor(digits)));
  const smallest = 10 ** -d;
  const pct = f * 100;
  if (f > 0 && pct < smallest) return `<${smallest.toFixed(d)}%`;
  if (f < 1 && pct > 100 - smallest) return `>${(100 - smallest).toFixed(d)}%`;
  return `${pct.toFixed(d)}%`;
}

/** `part / total`, or null when the total is zero. */
export function ratio(part: number, total: number): number | null {
  const t = count(total);
  return t === 0 ? null : Math.min(1, count(part) / t);
}

// ------------------------------------------------------------ axes, scales

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

/**
 * Round tick values from 0 up to at least `max`, about `count` steps. Counts
 * never get fractional ticks (`integer`). An empty or all-zero axis is 0–1.
 */
export function niceTicks(max: number, count = 5, integer = true): number[] {
  const top = finite(max);
  const steps = Math.max(1, Math.floor(finite(count, 5)));
  if (top <= 0) return [0, 1];
  let step = niceStep(top / steps);
  if (integer) step = Math.max(1, step);
  const n = Math.ceil(top / step - 1e-9);
  // toPrecision strips float noise such as 0.30000000000000004.
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** A linear map from `domain` to `range`; a zero-width domain maps everything to range[0]. */
export function scaleLinear(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (!Number.isFinite(span) || span === 0) return () => r0;
  return (v) => r0 + ((finite(v, d0) - d0) / span) * (r1 - r0);
}

export interface Band {
  x: number;
  width: number;
  center: number;
}

/**
 * `n` equal bands across `width` with `gap` px between them. Bands wider than
 * `maxBand` are narrowed and the group centred, so one bar is not a slab.
 * If the gaps would eat the bars, they shrink first.
 */
export function bandLayout(n: number, width: number, gap = 4, maxBand = Infinity): Band[] {
  const k = Math.max(0, Math.floor(finite(n)));
  const w = Math.max(0, finite(width));
  if (k === 0) return [];
  let g = Math.max(0, finite(gap));
  if (k > 1 && g * (k - 1) >= w / 2) g = w / 2 / (k - 1);
  let band = (w - g * (k - 1)) / k;
  const max = maxBand > 0 ? maxBand : Infinity;
  if (band > max) band = max;
  const used = band * k + g * (k - 1);
  const left = (w - used) / 2;
  return Array.from({ length: k }, (_, i) => {
    const x = left + i * (band + g);
    return { x, width: band, center: x + band / 2 };
  });
}

/** Keeps every k-th label so at most `maxCount` show (first one always); the rest become ''. */
export function thinLabels(labels: readonly string[], maxCount: number): string[] {
  const max = Math.floor(finite(maxCount));
  if (max <= 0) return labels.map(() => '');
  const every = Math.max(1, Math.ceil(labels.length / max));
  return labels.map((l, i) => (i % every === 0 ? l : ''));
}

/** Cuts a label to `max` characters with an ellipsis. */
export function truncateLabel(label: string, max: number): string {
  const m = Math.max(1, Math.floor(finite(max, 1)));
  return label.length <= m ? label : `${label.slice(0, m - 1)}…`;
}

/** Rough text width for the default 11–12 px UI font; enough to budget space. */
export function textWidth(text: string, charPx = 6.5): number {
  return text.length * charPx;
}

// ----------------------------------------------------------------- layouts

export interface BarLayout {
  plot: { x: number; y: number; width: number; height: number };
  bars: { x: number; y: number; width: number; height: number; label: string; value: number; text: string }[];
  ticks: { y: number; value: number; text: string }[];
  labels: { x: number; text: string }[];
  /** No data at all (not the same as all zeros). */
  empty: boolean;
}

/** Vertical bars (one per datum, e.g. per day) with a y axis of round numbers. */
export function barLayout(
  data: readonly Datum[],
  width: number,
  height: number,
  opts: { gap?: number; maxBand?: number; labelPx?: number; tickPx?: number; format?: (n: number) => string } = {},
): BarLayout {
  const { gap = 3, maxBand = 56, labelPx = 64, tickPx = 36, format = compactNumber } = opts;
  const w = Math.max(0, finite(width));
  const h = Math.max(0, finite(height));
  const top = 10;
  const bottom = 22;
  const plotH = Math.max(0, h - top - bottom);
  const max = data.reduce((m, d) => Math.max(m, count(d.value)), 0);
  const tickValues = niceTicks(max, Math.max(1, Math.floor(plotH / tickPx)));
  const tickTexts = tickValues.map(format);
  const left = Math.ceil(Math.max(...tickTexts.map((t) => textWidth(t))) + 10);
  const plotW = Math.max(0, w - left - 8);
  const y = scaleLinear([0, tickValues[tickValues.length - 1] ?? 1], [top + plotH, top]);
  const bands = bandLayout(data.length, plotW, gap, maxBand);
  const shown = thinLabels(
    data.map((d) => d.label),
    Math.max(1, Math.floor(plotW / labelPx)),
  );
  const bars = data.map((d, i) => {
    const band = bands[i] ?? { x: 0, width: 0, center: 0 };
    const v = count(d.value);
    // A non-zero count gets at least one pixel, so it never looks like zero.
    const barH = v > 0 ? Math.max(1, top + plotH - y(v)) : 0;
    return {
      x: left + band.x,
      y: top + plotH - barH,
      width: band.width,
      height: barH,
      label: d.label,
      value: d.value,
      text: `${d.label}: ${exactNumber(d.value)}`,
    };
  });
  return {
    plot: { x: left, y: top, width: plotW, height: plotH },
    bars,
    ticks: tickValues.map((value, i) => ({ y: y(value), value, text: tickTexts[i] ?? '' })),
    labels: bands.flatMap((b, i) => (shown[i] ? [{ x: left + b.center, text: shown[i] ?? '' }] : [])),
    empty: data.length === 0,
  };
}

export interface HBarLayout {
  height: number;
  /** Length of a full bar (the largest value). */
  track: number;
  rows: {
    y: number;
    label: string;
    shortLabel: string;
    barX: number;
    barWidth: number;
    value: number;
    valueText: string;
    valueX: number;
    text: string;
  }[];
}

/** Horizontal bars, one row per datum in the given order, scaled to the largest value. */
export function hbarLayout(
  data: readonly Datum[],
  width: number,
  opts: { barHeight?: number; gap?: number; labelWidth?: number; valueWidth?: number; format?: (n: number) => string } = {},
): HBarLayout {
  const { barHeight = 20, gap = 8, labelWidth = 140, valueWidth = 56, format = compactNumber } = opts;
  const w = Math.max(0, finite(width));
  const barX = labelWidth;
  const track = Math.max(0, w - labelWidth - valueWidth);
  const max = data.reduce((m, d) => Math.max(m, count(d.value)), 0);
  const x = scaleLinear([0, max], [0, track]);
  const chars = Math.max(3, Math.floor((labelWidth - 10) / textWidth('x')));
  const rows = data.map((d, i) => {
    const v = count(d.value);
    const barWidth = v > 0 ? Math.max(1, x(v)) : 0;
    return {
      y: i * (barHeight + gap),
      label: d.label,
      shortLabel: truncateLabel(d.label, chars),
      barX,
      barWidth,
      value: d.value,
      valueText: format(d.value),
      valueX: barX + barWidth + 6,
      text: `${d.label}: ${exactNumber(d.value)}`,
    };
  });
  return { height: data.length === 0 ? 0 : data.length * (barHeight + gap) - gap, track, rows };
}

export interface SplitRow {
  label: string;
  success: number;
  failure: number;
}

export interface SplitLayout {
  height: number;
  track: number;
  rows: {
    y: number;
    label: string;
    shortLabel: string;
    total: number;
    /** Share of successes, null when there were no attempts. */
    rate: number | null;
    rateText: string;
    segments: { kind: 'success' | 'failure' | 'none'; x: number; width: number; value: number; text: string }[];
  }[];
}

/** 100 % stacked bars: success then failure, each row filling the same track. */
export function splitLayout(
  data: readonly SplitRow[],
  width: number,
  opts: { barHeight?: number; gap?: number; labelWidth?: number; valueWidth?: number; digits?: number } = {},
): SplitLayout {
  const { barHeight = 20, gap = 10, labelWidth = 110, valueWidth = 64, digits = 1 } = opts;
  const track = Math.max(0, finite(width) - labelWidth - valueWidth);
  const chars = Math.max(3, Math.floor((labelWidth - 10) / textWidth('x')));
  const rows = data.map((d, i) => {
    const ok = count(d.success);
    const bad = count(d.failure);
    const total = ok + bad;
    const rate = ratio(ok, total);
    const segments: SplitLayout['rows'][number]['segments'] = [];
    if (total === 0) {
      segments.push({ kind: 'none', x: labelWidth, width: track, value: 0, text: `${d.label}: no deliveries` });
    } else {
      const okW = (ok / total) * track;
      const what = (n: number, word: string) =>
        `${d.label} ${word}: ${exactNumber(n)} of ${exactNumber(total)} (${formatPercent(n / total, digits)})`;
      segments.push({ kind: 'success', x: labelWidth, width: okW, value: ok, text: what(ok, 'delivered') });
      segments.push({ kind: 'failure', x: labelWidth + okW, width: track - okW, value: bad, text: what(bad, 'failed') });
    }
    return {
      y: i * (barHeight + gap),
      label: d.label,
      shortLabel: truncateLabel(d.label, chars),
      total,
      rate,
      rateText: formatPercent(rate, digits),
      segments,
    };
  });
  return { height: data.length === 0 ? 0 : data.length * (barHeight + gap) - gap, track, rows };
}

/** One line per datum for a chart's <desc>, so screen readers get the numbers too. */
export function describeData(items: readonly { text: string }[]): string {
  return items.map((i) => i.text).join('; ');
}
