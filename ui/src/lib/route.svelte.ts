// Hash routing. The view and its filters live in the URL fragment
// (`#/audit?severity=critical`), so a filtered view can be bookmarked, shared
// and reopened, and Back returns to the previous view. The fragment is used
// rather than the path because the bundle is served both by the HTTP server
// and by Tauri's custom protocol, where only `index.html` exists.
//
// `parseRoute` and `formatRoute` are pure; `Router` wraps them in a rune
// store and touches `window` only when it is given one, so it runs in node.

export type View =
  | 'overview'
  | 'activity'
  | 'me'
  | 'audit'
  | 'changeset'
  | 'queue'
  | 'templates'
  | 'preferences'
  | 'signin'
  | 'notfound';

export interface Route {
  view: View;
  /** Path parameters, e.g. `{ id }` for a change set. */
  params: Record<string, string>;
  /** Query parameters (the view's filters). Empty values are never kept. */
  query: Record<string, string>;
  /** Only on `notfound`: the fragment as it was, so it can be shown and round-tripped. */
  hash?: string;
}

/** What callers pass in: params and query may be left out or hold empty values. */
export interface RouteInput {
  view: Exclude<View, 'notfound'>;
  params?: Record<string, string | null | undefined>;
  query?: Record<string, string | null | undefined>;
}

// Path patterns, tried in order. `:name` is a parameter; `:name?` is an
// optional last parameter. A view may appear once.
const PATTERNS: readonly [Exclude<View, 'notfound'>, string][] = [
  ['overview', '/overview'],
  ['activity', '/activity'],
  ['me', '/me'],
  ['audit', '/audit'],
  ['changeset', '/audit/changeset/:id'],
  ['queue', '/queue'],
  ['templates', '/templates/:name?'],
  ['preferences', '/preferences/:user?'],
  ['signin', '/signin'],
];

/** Where an empty fragment (first start, or a bare `#`) leads. */
const DEFAULT_VIEW = 'activity' satisfies RouteInput['view'];
export const DEFAULT_ROUTE: Route = { view: DEFAULT_VIEW, params: {}, query: {} };

// Where a detail view without its required parameter falls back to.
const PARENT: Partial<Record<View, RouteInput['view']>> = { changeset: 'audit' };

// Well-known filter keys come first, in this order, so URLs read naturally
// (`?user=…&action=…&from=…`); any other keys follow alphabetically.
const QUERY_ORDER = ['q', 'text', 'user', 'action', 'severity', 'status', 'channel', 'provider', 'type', 'from', 'to'];

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A stray `%` typed by hand: keep it literally rather than fail the route.
    return s;
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | null {
  const parts = splitPath(pattern);
  const params: Record<string, string> = {};
  if (segments.length > parts.length) return null;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    const seg = segments[i];
    if (part.startsWith(':')) {
      const optional = part.endsWith('?');
      const name = part.slice(1, optional ? -1 : undefined);
      if (seg === undefined) {
        if (optional) continue;
        return null;
      }
      const value = decode(seg);
      if (value === '') return null;
      params[name] = value;
    } else if (seg !== part) {
      return null;
    }
  }
  return params;
}

/** Parses `a=1&b=two%20words`. `+` stays a plus sign (phone numbers); empty values are dropped; the last duplicate wins. */
export function parseQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    if (key === '') continue;
    if (value === '') delete out[key];
    else out[key] = value;
  }
  return out;
}

function queryRank(key: string): number {
  const i = QUERY_ORDER.indexOf(key);
  return i < 0 ? QUERY_ORDER.length : i;
}

/** `user=wanjiru&action=login`: known keys first, then alphabetical; empty values left out. */
export function formatQuery(query: Record<string, string | null | undefined>): string {
  return Object.entries(query)
    .filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '' && e[0] !== '')
    .sort(([a], [b]) => queryRank(a) - queryRank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** `#/audit/changeset/42?x=1` (with or without the `#`) → a route; anything unknown → `notfound`. */
export function parseRoute(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = parseQuery(q < 0 ? '' : raw.slice(q + 1));
  const segments = splitPath(path);
  if (segments.length === 0) {
    return { ...DEFAULT_ROUTE, params: { ...DEFAULT_ROUTE.params }, query };
  }
  for (const [view, pattern] of PATTERNS) {
    const params = matchPattern(pattern, segments);
    if (params) return { view, params, query };
  }
  return { view: 'notfound', params: {}, query: {}, hash: hash.startsWith('#') ? hash : `#${hash}` };
}

/** The fragment for a route, starting with `#/`. The inverse of `parseRoute`. */
export function formatRoute(route: Route | RouteInput): string {
  if (route.view === 'notfound') return (route as Route).hash ?? '#/';
  const pattern = PATTERNS.find(([v]) => v === route.view)?.[1] ?? '/';
  const params = route.params ?? {};
  const segments: string[] = [];
  for (const part of splitPath(pattern)) {
    if (!part.startsWith(':')) {
      segments.push(part);
      continue;
    }
    const optional = part.endsWith('?');
    const value = params[part.slice(1, optional ? -1 : undefined)];
    if (value === undefined || value === null || value === '') {
      // A required parameter is missing: fall back to the view's parent list
      // rather than produce a URL that parses as something else.
      if (optional) break;
      return formatRoute({ view: PARENT[route.view] ?? DEFAULT_VIEW, query: route.query });
    }
    segments.push(encodeURIComponent(value));
  }
  const query = formatQuery(route.query ?? {});
  return `#/${segments.join('/')}${query ? `?${query}` : ''}`;
}

/** Normalizes a route input into a full route (drops empty values, copies records). */
export function toRoute(input: Route | RouteInput): Route {
  return parseRoute(formatRoute(input));
}

/** The part of `window` the router uses; a fake in tests. */
export interface RouterHost {
  location: { hash: string };
  history: {
    pushState(data: unknown, unused: string, url: string): void;
    replaceState(data: unknown, unused: string, url: string): void;
  };
  addEventListener(type: 'hashchange', listener: () => void): void;
  removeEventListener(type: 'hashchange', listener: () => void): void;
}

function browserHost(): RouterHost | undefined {
  return typeof window === 'undefined' ? undefined : window;
}

/**
 * The current route as reactive state. Changing view pushes a history entry;
 * editing filters (`setParams`) replaces the current one, so typing in a
 * filter box does not fill the Back button with keystrokes.
 */
export class Router {
  // Replaced whole on every change, never mutated.
  route: Route = $state.raw(DEFAULT_ROUTE);
  #host: RouterHost | undefined;
  #onHashChange = () => this.#sync();

  constructor(host: RouterHost | undefined = browserHost()) {
    this.#host = host;
    if (host) this.route = parseRoute(host.location.hash);
  }

  /** Follows Back/Forward and links (`<a href="#/audit">`). Returns the matching stop function. */
  start(): () => void {
    const host = this.#host;
    if (!host) return () => {};
    host.addEventListener('hashchange', this.#onHashChange);
    this.#sync();
    return () => host.removeEventListener('hashchange', this.#onHashChange);
  }

  /** Opens a view (a new history entry). `replace` overwrites the current entry instead. */
  navigate(input: Route | RouteInput, { replace = false }: { replace?: boolean } = {}): void {
    this.#go(formatRoute(input), replace);
  }

  /** Merges filter values into the current query; empty or null removes a key. Replaces history. */
  setParams(partial: Record<string, string | null | undefined>): void {
    const { view, params, query } = this.route;
    if (view === 'notfound') return;
    this.#go(formatRoute({ view, params, query: { ...query, ...partial } }), true);
  }

  /** The fragment for a link to `input`, for `href`. */
  href(input: Route | RouteInput): string {
    return formatRoute(input);
  }

  #go(hash: string, replace: boolean): void {
    if (hash === formatRoute(this.route)) return;
    const host = this.#host;
    if (host) {
      // pushState/replaceState do not fire `hashchange`, so state is set here.
      if (replace) host.history.replaceState(null, '', hash);
      else host.history.pushState(null, '', hash);
    }
    this.route = parseRoute(hash);
  }

  #sync(): void {
    const next = parseRoute(this.#host?.location.hash ?? '');
    if (formatRoute(next) !== formatRoute(this.route)) this.route = next;
  }
}
