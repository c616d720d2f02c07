// Server-side renders of the shared components: the markup WebDriver tests
// and screen readers rely on (roles, test ids, exact numbers). Effects and
// measurements do not run here; layout maths is tested in ../virtual.test.ts
// and ../charts.test.ts.
import { createRawSnippet } from 'svelte';
import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import BarChart from './charts/BarChart.svelte';
import HBarChart from './charts/HBarChart.svelte';
import StatTile from './charts/StatTile.svelte';
import SuccessBars from './charts/SuccessBars.svelte';
import JsonDiff from './JsonDiff.svelte';
import Sidebar from './Sidebar.svelte';
import StatusBadge from './StatusBadge.svelte';
import TextDiff from './TextDiff.svelte';
import ValueChange from './ValueChange.svelte';
import VirtualTable from './VirtualTable.svelte';

function count(html: string, needle: string): number {
  return html.split(needle).length - 1;
}

describe('VirtualTable', () => {
  const rows = Array.from({ length: 1000 }, (_, i) => ({ id: i, user: `user${i}`, n: i * 1000 }));
  const columns = [
    { key: 'id', label: 'ID', width: '5rem' },
    { key: 'user', label: 'User' },
    { key: 'n', label: 'Count', align: 'end' as const, format: (r: (typeof rows)[number]) => r.n.toLocaleString('en-US') },
  ];

  it('renders a grid with a header and only a window of rows', () => {
    const { body } = render(VirtualTable<(typeof rows)[number]>, {
      props: { rows, columns, label: 'Activity', hasMore: true, selected: 2, overscan: 5 },
    });
    expect(body).toContain('role="grid"');
    expect(body).toContain('data-testid="virtual-table"');
    expect(body).toContain('aria-rowcount="-1"');
    expect(body).toContain('aria-colcount="3"');
    expect(count(body, 'role="columnheader"')).toBe(3);
    // No viewport measured yet: just the overscan rows.
    expect(count(body, 'data-testid="row"')).toBe(5);
    expect(body).toContain('data-index="4"');
    expect(body).not.toContain('data-index="5"');
    expect(body).toMatch(/aria-rowindex="4" aria-selected="true"/);
    expect(body).toContain('title="2,000"');
    expect(body).toContain('--vt-columns: 5rem minmax(0, 1fr) minmax(0, 1fr)');
    expect(body).toContain('height: 32000px');
  });

  it('renders cells through a snippet', () => {
    const cell = createRawSnippet((row: () => (typeof rows)[number], index: () => number) => ({
      render: () => `<b class="who">${row().user}#${index()}</b>`,
    }));
    const { body } = render(VirtualTable<(typeof rows)[number]>, {
      props: { rows: rows.slice(0, 2), columns: [{ key: 'user', label: 'User', cell }], label: 'x' },
    });
    expect(body).toContain('<b class="who">user1#1</b>');
  });

  it('counts rows when the end is known and shows the empty state', () => {
    const done = render(VirtualTable<(typeof rows)[number]>, { props: { rows: rows.slice(0, 3), columns, label: 'x' } }).body;
    expect(done).toContain('aria-rowcount="4"');
    const empty = render(VirtualTable<(typeof rows)[number]>, { props: { rows: [], columns, label: 'x' } }).body;
    expect(empty).toContain('No rows.');
    const loading = render(VirtualTable<(typeof rows)[number]>, { props: { rows: [], columns, label: 'x', loading: true } }).body;
    expect(loading).toContain('data-testid="virtual-table-loading"');
  });

  it('gives body rows their own test id and data attributes', () => {
    const { body } = render(VirtualTable<(typeof rows)[number]>, {
      props: { rows: rows.slice(0, 2), columns, label: 'x', rowTestid: 'audit-row', rowData: (r) => ({ 'data-seq': r.id, 'data-change-set': '' }) },
    });
    expect(count(body, 'data-testid="audit-row"')).toBe(2);
    expect(body).toContain('data-seq="1"');
    expect(body).toContain('data-change-set=""');
  });

  it('shows a source of millions: a capped spacer, held rows and placeholders', () => {
    const source = {
      total: 3_000_000,
      exact: false,
      loading: false,
      origin: 0,
      held: 3,
      row: (i: number) => (i < 3 ? rows[i] : undefined),
      show: () => {},
    };
    const { body } = render(VirtualTable<(typeof rows)[number]>, { props: { source, columns, label: 'x', overscan: 5 } });
    expect(body).toContain('height: 15000000px');
    expect(body).toContain('aria-rowcount="-1"');
    expect(body).toContain('data-total="3000000"');
    expect(body).toContain('data-rows="3"');
    expect(count(body, 'data-testid="row"')).toBe(3);
    expect(count(body, 'data-testid="row-pending"')).toBe(2);
    expect(body).toContain('transform: translateY(64px)');
    expect(body).not.toContain('virtual-table-capped');
  });

  it('says when the row cap is reached', () => {
    const many = new Array(500_000).fill({ id: 0, user: 'u', n: 0 });
    const { body } = render(VirtualTable<(typeof rows)[number]>, { props: { rows: many, columns, label: 'x' } });
    expect(body).toContain('data-testid="virtual-table-capped"');
    expect(body).toContain('468,750');
    expect(body).toContain('height: 15000000px');
  });
});

describe('charts', () => {
  it('BarChart puts each exact value in a title', () => {
    const { body } = render(BarChart, {
      props: {
        label: 'Events per day',
        data: [
          { label: 'Nov 01', value: 1_234_567 },
          { label: 'Nov 02', value: 0 },
        ],
      },
    });
    expect(body).toContain('data-testid="bar-chart"');
    expect(body).toContain('role="img"');
    expect(body).toContain('>Events per day</title>');
    expect(count(body, 'data-testid="bar"')).toBe(2);
    expect(body).toContain('<title>Nov 01: 1,234,567</title>');
    expect(body).toContain('data-value="0"');
    expect(body).toContain('>1.5M</text>');
    expect(body).not.toContain('No data');
  });

  it('BarChart says when there is no data', () => {
    expect(render(BarChart, { props: { label: 'x', data: [] } }).body).toContain('No data');
  });

  it('HBarChart labels rows and shows values', () => {
    const { body } = render(HBarChart, {
      props: {
        label: 'Failures by provider',
        tone: 'bad',
        data: [
          { label: 'africastalking', value: 35_000 },
          { label: 'twilio', value: 12 },
        ],
      },
    });
    expect(count(body, 'data-testid="hbar"')).toBe(2);
    expect(body).toContain('<title>africastalking: 35,000</title>');
    expect(body).toContain('>35k</text>');
    expect(body).toContain('bar tone-bad');
  });

  it('SuccessBars shows rates and exact shares', () => {
    const { body } = render(SuccessBars, {
      props: {
        label: 'Delivery by channel',
        data: [
          { label: 'sms', success: 997, failure: 3 },
          { label: 'push', success: 0, failure: 0 },
        ],
      },
    });
    expect(count(body, 'data-testid="split-row"')).toBe(2);
    expect(body).toContain('>99.7%</text>');
    expect(body).toContain('<title>sms failed: 3 of 1,000 (0.3%)</title>');
    expect(body).toContain('data-kind="none"');
    expect(body).toContain('data-rate="0.997"');
  });

  it('StatTile shows a short number with the exact one at hand', () => {
    const big = render(StatTile, { props: { label: 'Queue depth', value: 1_234_567, tone: 'warn' } }).body;
    expect(big).toContain('data-value="1234567"');
    expect(big).toContain('title="1,234,567"');
    expect(big).toContain('>1.2M</span>');
    expect(big).toContain('aria-label="Queue depth: 1,234,567"');
    const small = render(StatTile, { props: { label: 'Dead', value: 42, href: '#/queue?status=dead' } }).body;
    expect(small).toContain('href="#/queue?status=dead"');
    expect(small).toContain('>42</span>');
    expect(render(StatTile, { props: { label: 'x', value: null } }).body).toContain('>—</span>');
  });
});

describe('diffs', () => {
  it('JsonDiff marks each line with its status', () => {
    const { body } = render(JsonDiff, {
      props: { before: { seats: 5, sunroof: false }, after: { seats: 5, sunroof: true, trim: 'G' } },
    });
    expect(body).toContain('data-testid="json-diff"');
    expect(body).toContain('data-changes="2"');
    expect(body).toMatch(/data-status="added"[^>]*>[\s\S]*?trim:/);
    expect(body).toContain('>false</span>');
    expect(count(body, 'data-status="same"')).toBe(1);
  });

  it('ValueChange shows scalars inline and structures as a tree', () => {
    const scalar = render(ValueChange, { props: { before: 4100000, after: 3650000 } }).body;
    expect(scalar).toContain('>4100000</span>');
    expect(scalar).toContain('>3650000</span>');
    expect(scalar).not.toContain('json-diff');
    expect(render(ValueChange, { props: { before: null, after: ['a'] } }).body).toContain('data-testid="json-diff"');
    expect(render(ValueChange, { props: { before: 1, after: 1 } }).body).toContain('no change');
  });
});

describe('Sidebar', () => {
  it('renders the entries it is given, grouped, with the current one marked', () => {
    const entries = [
      { view: 'overview' as const, label: 'Overview', group: 'Insight', href: '#/overview' },
      { view: 'me' as const, label: 'My activity', group: 'Logs', href: '#/me' },
      { view: 'activity' as const, label: 'Activity', group: 'Logs', href: '#/activity?user=x' },
    ];
    const { body } = render(Sidebar, { props: { entries, current: 'activity' } });
    expect(count(body, 'data-testid="nav-')).toBe(3);
    expect(body).toContain('href="#/activity?user=x"');
    expect(body).toMatch(/data-testid="nav-activity" aria-current="page"/);
    expect(count(body, 'class="group-name')).toBe(2);
  });
});

describe('notification views', () => {
  it('StatusBadge carries the status for tests and colour', () => {
    const { body } = render(StatusBadge, { props: { status: 'dead' } });
    expect(body).toContain('data-status="dead"');
    expect(body).toMatch(/class="st st-dead[^"]*"/);
  });

  it('TextDiff shows changed lines as text, never as markup', () => {
    const { body } = render(TextDiff, { props: { label: 'HTML', before: '<p>Hi</p>\n<b>x</b>', after: '<p>Hi</p>\n<script>alert(1)</script>' } });
    expect(body).toContain('data-added="1" data-removed="1"');
    expect(count(body, 'data-testid="diff-line"')).toBe(3);
    expect(body).toContain('&lt;script>alert(1)&lt;/script>');
    expect(body).not.toContain('<script>');
    const same = render(TextDiff, { props: { label: 'Body', before: 'a', after: 'a' } }).body;
    expect(same).toContain('unchanged');
    expect(same).not.toContain('diff-line');
  });
});
