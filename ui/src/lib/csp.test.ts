// Guards the strict CSP (`style-src 'self'`): a static `style="…"` attribute
// ends up in the HTML template Svelte sets with innerHTML and is blocked.
// Dynamic styles (`style:prop={…}`, `style="{…}"`) go through CSSOM and are fine.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'svelte/compiler';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..');

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return svelteFiles(p);
    return d.name.endsWith('.svelte') ? [p] : [];
  });
}

interface Node {
  type?: string;
  name?: string;
  value?: unknown;
  start?: number;
}

/** Offsets of `style` attributes whose value has no expression in it. */
function staticStyles(node: unknown, found: number[] = []): number[] {
  if (Array.isArray(node)) {
    for (const n of node) staticStyles(n, found);
  } else if (node && typeof node === 'object') {
    const n = node as Node;
    if (n.type === 'Attribute' && n.name?.toLowerCase() === 'style') {
      const parts = Array.isArray(n.value) ? n.value : [n.value];
      if (parts.every((p) => p === true || (p as Node)?.type === 'Text')) found.push(n.start ?? -1);
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'parent') staticStyles(v, found);
  }
  return found;
}

describe('strict CSP', () => {
  const files = svelteFiles(SRC);

  it('finds the components', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it('has no static style attributes', () => {
    const offenders = files.flatMap((f) => {
      const ast = parse(readFileSync(f, 'utf8'), { modern: true });
      return staticStyles(ast.fragment).map((at) => `${f.slice(SRC.length + 1)} @${at}`);
    });
    expect(offenders).toEqual([]);
  });

  it('notices one', () => {
    const ast = parse('<div style="color: red"></div><p style:color={c} style="top: {y}px"></p>', { modern: true });
    expect(staticStyles(ast.fragment)).toEqual([5]);
  });
});
