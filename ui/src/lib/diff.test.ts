import { describe, expect, it } from 'vitest';
import {
  alignArrays,
  diffJson,
  diffLines,
  diffTree,
  foldLines,
  formatJsonValue,
  isStructured,
  jsonEqual,
  lineDiff,
  lineDiffStats,
  prettyJson,
  summarizeChange,
} from './diff';

describe('jsonEqual', () => {
  it('compares structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(jsonEqual(null, null)).toBe(true);
  });
});

describe('diffJson', () => {
  it('reports nothing for equal values', () => {
    expect(diffJson({ a: 1 }, { a: 1 })).toEqual([]);
  });

  it('reports a scalar change at the root', () => {
    expect(diffJson(1800000, 1750000)).toEqual([{ path: '', kind: 'changed', old: 1800000, new: 1750000 }]);
  });

  it('reports creation and deletion', () => {
    expect(diffJson(null, 'x')).toEqual([{ path: '', kind: 'added', new: 'x' }]);
    expect(diffJson('x', undefined)).toEqual([{ path: '', kind: 'removed', old: 'x' }]);
  });

  it('walks objects and equal-length arrays', () => {
    const before = { price: 100, tags: ['a', 'b'], owner: { name: 'A', phone: '+254700000000' }, gone: true };
    const after = { price: 90, tags: ['a', 'c'], owner: { name: 'A' }, fresh: 1 };
    expect(diffJson(before, after)).toEqual([
      { path: 'fresh', kind: 'added', new: 1 },
      { path: 'gone', kind: 'removed', old: true },
      { path: 'owner.phone', kind: 'removed', old: '+254700000000' },
      { path: 'price', kind: 'changed', old: 100, new: 90 },
      { path: 'tags[1]', kind: 'changed', old: 'b', new: 'c' },
    ]);
  });

  it('treats arrays of different length as one change', () => {
    expect(diffJson({ t: [1] }, { t: [1, 2] })).toEqual([{ path: 't', kind: 'changed', old: [1], new: [1, 2] }]);
  });

  it('treats a type change as one change', () => {
    expect(diffJson({ a: 1 }, [1])).toEqual([{ path: '', kind: 'changed', old: { a: 1 }, new: [1] }]);
  });
});

describe('formatting values', () => {
  it('renders scalars plainly and containers as JSON', () => {
    expect(formatJsonValue('active')).toBe('active');
    expect(formatJsonValue('')).toBe('""');
    expect(formatJsonValue(' padded')).toBe('" padded"');
    expect(formatJsonValue(42)).toBe('42');
    expect(formatJsonValue(false)).toBe('false');
    expect(formatJsonValue(null)).toBe('∅');
    expect(formatJsonValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });

  it('cuts long values', () => {
    expect(formatJsonValue('abcdefghij', 5)).toBe('abcd…');
  });

  it('summarizes a change for a table cell', () => {
    expect(summarizeChange('pending', 'shipped')).toBe('pending → shipped');
    expect(summarizeChange(null, 'shipped')).toBe('→ shipped');
    expect(summarizeChange('pending', null)).toBe('pending → ∅');
    expect(summarizeChange(null, null)).toBe('');
    expect(summarizeChange({ a: 1, b: 2 }, { a: 2, b: 3 })).toBe('2 fields changed');
    expect(summarizeChange({ a: 1 }, { a: 2 })).toBe('1 field changed');
  });

  it('pretty-prints', () => {
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(prettyJson(undefined)).toBe('');
  });
});

describe('diffTree', () => {
  it('marks added, removed, changed and unchanged keys', () => {
    const t = diffTree({ seats: 5, sunroof: false, colour: 'white' }, { seats: 5, sunroof: true, trim: 'G' });
    expect(t.status).toBe('changed');
    expect(t.changes).toBe(3);
    expect(t.children?.map((c) => [c.key, c.status])).toEqual([
      ['seats', 'same'],
      ['sunroof', 'changed'],
      ['colour', 'removed'],
      ['trim', 'added'],
    ]);
    expect(t.children?.[1]).toMatchObject({ old: false, new: true, type: 'value' });
  });

  it('recurses into nested objects and arrays', () => {
    const before = { owner: { name: 'Achieng', phones: ['+254700000001'] }, docs: [{ id: 1, ok: false }] };
    const after = { owner: { name: 'Achieng', phones: ['+254700000001', '+254711000002'] }, docs: [{ id: 1, ok: true }] };
    const t = diffTree(before, after);
    const owner = t.children?.[0];
    expect(owner).toMatchObject({ key: 'owner', status: 'changed', type: 'object', changes: 1 });
    expect(owner?.children?.[1]?.children?.map((c) => [c.key, c.status])).toEqual([
      ['[0]', 'same'],
      ['[1]', 'added'],
    ]);
    const doc = t.children?.[1]?.children?.[0];
    expect(doc).toMatchObject({ key: '[0]', status: 'changed', type: 'object' });
    expect(doc?.children?.find((c) => c.key === 'ok')).toMatchObject({ status: 'changed', old: false, new: true });
  });

  it('aligns arrays so an insertion is one addition', () => {
    const t = diffTree(['a', 'b', 'c'], ['x', 'a', 'b', 'c']);
    expect(t.children?.map((c) => [c.key, c.status])).toEqual([
      ['[0]', 'added'],
      ['[1]', 'same'],
      ['[2]', 'same'],
      ['[3]', 'same'],
    ]);
    expect(t.changes).toBe(1);
    expect(alignArrays([1, 2, 3], [1, 3])).toEqual([
      [0, 0],
      [1, null],
      [2, 1],
    ]);
  });

  it('pairs unmatched items between matches as changes', () => {
    expect(alignArrays(['a', 'b', 'c'], ['a', 'B', 'c'])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    const t = diffTree([{ id: 1, qty: 1 }], [{ id: 1, qty: 2 }]);
    expect(t.children?.[0]).toMatchObject({ status: 'changed', type: 'object', changes: 1 });
  });

  it('treats null at the root as no value, and inside objects as a value', () => {
    expect(diffTree(null, { a: 1 })).toMatchObject({ status: 'added', type: 'object', changes: 1 });
    expect(diffTree({ a: 1 }, null)).toMatchObject({ status: 'removed', changes: 1 });
    expect(diffTree(null, undefined)).toMatchObject({ status: 'same', changes: 0 });
    expect(diffTree({ a: null }, { a: 1 }).children?.[0]).toMatchObject({ status: 'changed', old: null, new: 1 });
    expect(diffTree({ a: 1 }, { a: 1, b: undefined }).status).toBe('same');
  });

  it('shows a type change as one changed value', () => {
    expect(diffTree({ a: [1] }, { a: { 0: 1 } }).children?.[0]).toMatchObject({ status: 'changed', type: 'value' });
    expect(diffTree(1, '1')).toMatchObject({ status: 'changed', old: 1, new: '1' });
  });

  it('counts an added empty container as a change', () => {
    expect(diffTree({}, { tags: [] }).changes).toBe(1);
  });
});

describe('diffLines', () => {
  const short = (lines: ReturnType<typeof diffLines>) =>
    lines.map((l) => `${'  '.repeat(l.depth)}${l.status[0]} ${l.key ? `${l.key}: ` : ''}${l.old !== undefined ? `${l.old} → ` : ''}${l.text}`);

  it('renders a merged tree', () => {
    const lines = diffLines(
      diffTree({ seats: 5, sunroof: false, specs: { engine: '2.8', fuel: 'diesel' } }, { seats: 5, sunroof: true, trim: 'G', specs: { engine: '2.8', fuel: 'diesel' } }),
    );
    expect(short(lines)).toEqual([
      'c {',
      '  s seats: 5',
      '  c sunroof: false → true',
      '  s specs: {…} 2 keys',
      '  a trim: G',
      'c }',
    ]);
  });

  it('folds long runs of unchanged siblings', () => {
    const before = { a: 1, b: 2, c: 3, d: 4, e: 5 };
    const lines = diffLines(diffTree(before, { ...before, e: 6 }), { context: 3 });
    expect(short(lines)).toEqual(['c {', '  s 4 unchanged entries', '  c e: 5 → 6', 'c }']);
  });

  it('expands added and removed containers', () => {
    expect(short(diffLines(diffTree({}, { owner: { name: 'A' } })))).toEqual([
      'c {',
      '  a owner: {',
      '    a name: A',
      '  a }',
      'c }',
    ]);
  });

  it('renders a scalar root as one line', () => {
    expect(short(diffLines(diffTree('pending', 'shipped')))).toEqual(['c pending → shipped']);
  });

  it('knows which values need a tree', () => {
    expect(isStructured(1, 2)).toBe(false);
    expect(isStructured(null, { a: 1 })).toBe(true);
    expect(isStructured([1], null)).toBe(true);
  });
});

describe('line diff', () => {
  it('marks removed and added lines on the common subsequence', () => {
    const d = lineDiff('a\nb\nc\nd', 'a\nB\nc\nd\ne');
    expect(d.map((l) => `${l.kind[0]}${l.text}`)).toEqual(['sa', 'rb', 'aB', 'sc', 'sd', 'ae']);
    expect(d[1]).toEqual({ kind: 'removed', text: 'b', old: 2 });
    expect(d[2]).toEqual({ kind: 'added', text: 'B', new: 2 });
    expect(d[5]).toEqual({ kind: 'added', text: 'e', new: 5 });
    expect(lineDiffStats(d)).toEqual({ added: 2, removed: 1 });
  });

  it('handles empty sides and equal texts', () => {
    expect(lineDiff('', 'x')).toEqual([{ kind: 'added', text: 'x', new: 1 }]);
    expect(lineDiff('x', '')).toEqual([{ kind: 'removed', text: 'x', old: 1 }]);
    expect(lineDiffStats(lineDiff('p\nq', 'p\nq'))).toEqual({ added: 0, removed: 0 });
  });

  it('does not see a moved line as a change of every line after it', () => {
    const before = ['Dear {name},', '', 'Your order shipped.', '', 'Asante,', 'Gurumisha'].join('\n');
    const after = ['Dear {name},', '', 'Habari! Your order shipped.', '', 'Asante,', 'Gurumisha'].join('\n');
    expect(lineDiffStats(lineDiff(before, after))).toEqual({ added: 1, removed: 1 });
  });

  it('folds long unchanged runs, keeping context around changes', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const shown = foldLines(lineDiff(before, after), 2);
    expect(shown[0]).toEqual({ kind: 'fold', count: 8 });
    expect(shown.filter((l) => l.kind !== 'fold').map((l) => (l as { text: string }).text)).toEqual([
      'line 8',
      'line 9',
      'line 10',
      'line ten',
      'line 11',
      'line 12',
    ]);
    expect(shown[shown.length - 1]).toEqual({ kind: 'fold', count: 7 });
    // A short run stays whole.
    expect(foldLines(lineDiff('a\nb', 'a\nc'), 2).some((l) => l.kind === 'fold')).toBe(false);
  });
});
