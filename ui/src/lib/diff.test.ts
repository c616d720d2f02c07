import { describe, expect, it } from 'vitest';
import { diffJson, formatJsonValue, jsonEqual, prettyJson, summarizeChange } from './diff';

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
