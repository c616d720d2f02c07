// The template editor's pure parts: the list filter, a channel's editable
// draft and what Save sends, problem markers under the editor (the line at
// fault and a caret under the column), and the SMS counter's words. The
// server renders and counts (TemplatePreview.sms); the GSM-7 table here only
// points at the characters that forced UCS-2, so the editor can name them.
import type { SaveTemplateRequest } from '../bindings/SaveTemplateRequest';
import type { SmsCost } from '../bindings/SmsCost';
import type { TemplateProblem } from '../bindings/TemplateProblem';
import type { TemplateSummary } from '../bindings/TemplateSummary';
import type { TemplateVersionInfo } from '../bindings/TemplateVersionInfo';
import { CHANNELS, type ChannelName, type TemplateFilters } from './filters';

export const NOTIFICATION_TYPES = ['orders', 'imports', 'security', 'marketing', 'system'] as const;

export function isChannel(s: string | null | undefined): s is ChannelName {
  return typeof s === 'string' && (CHANNELS as readonly string[]).includes(s);
}

/** Templates matching the list's filters (all of them are loaded: there are dozens, not millions). */
export function filterTemplates(all: readonly TemplateSummary[], f: TemplateFilters): TemplateSummary[] {
  const q = f.q.trim().toLowerCase();
  return all.filter(
    (t) =>
      (q === '' || t.name.toLowerCase().includes(q) || t.notification_type.includes(q)) &&
      (f.type === '' || t.notification_type === f.type) &&
      (f.channel === '' || t.channels.some((c) => c.channel === f.channel)),
  );
}

/** `email v3 · sms v1`. */
export function channelVersions(t: Pick<TemplateSummary, 'channels'>): string {
  return t.channels.map((c) => `${c.channel} v${c.version}${c.active ? '' : ' (off)'}`).join(' · ');
}

/** Who stored a version: the user's name, else the process or id, else `—`. */
export function editorName(by: string | null, name: string | null): string {
  if (name && name.trim()) return name;
  if (by && /^\d+$/.test(by)) return `user #${by}`;
  return by ?? '—';
}

/** What the editor edits for one channel. */
export interface Draft {
  subject: string;
  body: string;
  html: string;
}

export function draftOf(v: Pick<TemplateVersionInfo, 'subject' | 'body' | 'html'>): Draft {
  return { subject: v.subject ?? '', body: v.body, html: v.html ?? '' };
}

export function sameDraft(a: Draft, b: Draft): boolean {
  return a.subject === b.subject && a.body === b.body && a.html === b.html;
}

/** Which parts a channel has: SMS has no subject; only e-mail has HTML. */
export function partsOf(channel: string): { subject: boolean; html: boolean } {
  return { subject: channel !== 'sms', html: channel === 'email' };
}

/** The save request for a draft; parts the channel does not have are left out. */
export function saveRequest(name: string, channel: ChannelName, d: Draft, note: string): SaveTemplateRequest {
  const parts = partsOf(channel);
  const req: SaveTemplateRequest = { name, channel, body: d.body };
  if (parts.subject && d.subject.trim() !== '') req.subject = d.subject;
  if (parts.html && d.html.trim() !== '') req.html = d.html;
  if (note.trim() !== '') req.note = note.trim();
  return req;
}

/** The line a problem points at and a caret under its column, for a marker under the editor. */
export interface Marker {
  line: number;
  column: number;
  /** The line's text (tabs as spaces, cut around the column when long). */
  text: string;
  /** Spaces then `^` under the column. */
  caret: string;
}

/**
 * The marker for a problem at 1-based `line` and `column` (columns count
 * characters, i.e. code points, like the server). Null when the problem has
 * no position or it lies outside `source`.
 */
export function problemMarker(source: string, line: number | null, column: number | null, width = 80): Marker | null {
  if (line === null || column === null || line < 1 || column < 1) return null;
  const lines = source.split('\n');
  const raw = lines[line - 1];
  if (raw === undefined) return null;
  const chars = Array.from(raw.replace(/\r$/, '').replace(/\t/g, ' '));
  // A column one past the end (an unclosed brace at the end of a line) is still shown.
  const col = Math.min(column, chars.length + 1);
  let start = 0;
  if (chars.length > width) start = Math.max(0, Math.min(col - 1 - Math.floor(width / 2), chars.length - width));
  const shown = chars.slice(start, start + width);
  const text = `${start > 0 ? '…' : ''}${shown.join('')}${start + width < chars.length ? '…' : ''}`;
  const caret = `${' '.repeat(col - 1 - start + (start > 0 ? 1 : 0))}^`;
  return { line, column, text, caret };
}

/** `line 2, column 14`, or '' without a position. */
export function positionText(p: Pick<TemplateProblem, 'line' | 'column'>): string {
  if (p.line === null || p.column === null) return '';
  return `line ${p.line}, column ${p.column}`;
}

/** The editor's parts a problem belongs under; others (`context`, `name`, …) go in a general list. */
export function problemsFor(problems: readonly TemplateProblem[], field: string): TemplateProblem[] {
  return problems.filter((p) => p.field === field);
}

export function otherProblems(problems: readonly TemplateProblem[], fields: readonly string[]): TemplateProblem[] {
  return problems.filter((p) => !fields.includes(p.field));
}

// GSM 03.38: the basic set, and the extension table (each costs two septets).
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€\f';
const GSM = new Set(Array.from(GSM_BASIC + GSM_EXTENSION));

/** The distinct characters of `text` that GSM-7 cannot carry (so the SMS goes out as UCS-2). */
export function nonGsmCharacters(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) if (!GSM.has(ch) && !out.includes(ch)) out.push(ch);
  return out;
}

/** `GSM-7` / `UCS-2`. */
export function encodingName(e: SmsCost['encoding']): string {
  return e === 'ucs2' ? 'UCS-2' : 'GSM-7';
}

/** `GSM-7 · 142 characters · 1 segment · 18 left`. */
export function smsCounterText(c: SmsCost): string {
  const chars = `${c.characters} character${c.characters === 1 ? '' : 's'}`;
  const segs = `${c.segments} segment${c.segments === 1 ? '' : 's'}`;
  return `${encodingName(c.encoding)} · ${chars} · ${segs} · ${c.remaining} left`;
}

/** Why an SMS is UCS-2, naming up to `max` characters: `UCS-2 because of 🚗 “`. */
export function ucs2Reason(c: SmsCost, renderedBody: string, max = 6): string {
  if (c.encoding !== 'ucs2') return '';
  const chars = nonGsmCharacters(renderedBody);
  if (chars.length === 0) return 'UCS-2: a character needs Unicode';
  const shown = chars.slice(0, max).join(' ');
  return `UCS-2 because of ${shown}${chars.length > max ? ' …' : ''}: one SMS holds 70 characters instead of 160`;
}

/** Parses the sample-context editor's text: null (use the server's sample) when blank. */
export function parseContext(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { ok: false, error: 'the context must be a JSON object' };
    }
    return { ok: true, value };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** The UTF-16 index of 1-based `line` and `column` (in code points) in `source`, for `setSelectionRange`. */
export function caretIndex(source: string, line: number, column: number): number {
  let index = 0;
  const lines = source.split('\n');
  for (let i = 0; i < Math.min(line - 1, lines.length); i++) index += lines[i]!.length + 1;
  const text = lines[Math.min(line, lines.length) - 1] ?? '';
  const chars = Array.from(text).slice(0, Math.max(0, column - 1));
  return Math.min(source.length, index + chars.join('').length);
}

/** `source` with `insert` replacing the selection [start, end); returns the new text and caret. */
export function insertAt(source: string, start: number, end: number, insert: string): { text: string; caret: number } {
  const s = Math.max(0, Math.min(start, source.length));
  const e = Math.max(s, Math.min(end, source.length));
  return { text: source.slice(0, s) + insert + source.slice(e), caret: s + insert.length };
}
