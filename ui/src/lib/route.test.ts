import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE, formatQuery, formatRoute, parseQuery, parseRoute, Router, type RouterHost } from './route.svelte';

describe('parseRoute', () => {
  it('reads the view and its filters', () => {
    expect(parseRoute('#/activity?user=wanjiru&action=login&from=2026-11-01')).toEqual({
      view: 'activity',
      params: {},
      query: { user: 'wanjiru', action: 'login', from: '2026-11-01' },
    });
    expect(parseRoute('#/audit?severity=critical')).toEqual({ view: 'audit', params: {}, query: { severity: 'critical' } });
    expect(parseRoute('#/queue?status=dead&channel=sms').query).toEqual({ status: 'dead', channel: 'sms' });
  });

  it('reads path parameters', () => {
    expect(parseRoute('#/audit/changeset/7f3a-b2')).toEqual({ view: 'changeset', params: { id: '7f3a-b2' }, query: {} });
    expect(parseRoute('#/templates/otp_sms')).toEqual({ view: 'templates', params: { name: 'otp_sms' }, query: {} });
    expect(parseRoute('#/templates')).toEqual({ view: 'templates', params: {}, query: {} });
    expect(parseRoute('#/preferences/jane%20doe').params).toEqual({ user: 'jane doe' });
  });

  it('knows the simple views', () => {
    for (const v of ['overview', 'me', 'signin', 'queue', 'activity', 'audit'] as const) {
      expect(parseRoute(`#/${v}`).view).toBe(v);
    }
  });

  it('is lenient about the leading # and /, and trailing slashes', () => {
    expect(parseRoute('audit').view).toBe('audit');
    expect(parseRoute('#audit').view).toBe('audit');
    expect(parseRoute('#/audit/').view).toBe('audit');
  });

  it('opens the default view for an empty fragment, keeping any query', () => {
    expect(parseRoute('')).toEqual(DEFAULT_ROUTE);
    expect(parseRoute('#')).toEqual(DEFAULT_ROUTE);
    expect(parseRoute('#/')).toEqual(DEFAULT_ROUTE);
    expect(parseRoute('#/?user=x').query).toEqual({ user: 'x' });
  });

  it('sends unknown routes to notfound with the original fragment', () => {
    expect(parseRoute('#/nope?x=1')).toEqual({ view: 'notfound', params: {}, query: {}, hash: '#/nope?x=1' });
    expect(parseRoute('#/audit/changeset').view).toBe('notfound');
    expect(parseRoute('#/audit/changeset/1/extra').view).toBe('notfound');
    expect(parseRoute('#/ACTIVITY').view).toBe('notfound');
  });
});

describe('query strings', () => {
  it('decodes values, keeps + literal and survives bad escapes', () => {
    expect(parseQuery('?q=a%20b%26c&phone=+254700&bad=100%')).toEqual({ q: 'a b&c', phone: '+254700', bad: '100%' });
  });

  it('drops empty values and lets the last duplicate win', () => {
    expect(parseQuery('a=&b&c=1&c=2&=x&&')).toEqual({ c: '2' });
    expect(parseQuery('c=1&c=')).toEqual({});
  });

  it('orders known keys first, then the rest alphabetically', () => {
    expect(formatQuery({ zeta: '1', from: '2026-11-01', alpha: '2', user: 'w', action: 'login' })).toBe(
      'user=w&action=login&from=2026-11-01&alpha=2&zeta=1',
    );
  });

  it('encodes keys and values', () => {
    expect(formatQuery({ q: 'a b&c=d/é', 'we ird': '?' })).toBe('q=a%20b%26c%3Dd%2F%C3%A9&we%20ird=%3F');
  });
});

describe('formatRoute', () => {
  it('writes the examples back exactly', () => {
    for (const hash of [
      '#/activity?user=wanjiru&action=login&from=2026-11-01',
      '#/audit?severity=critical',
      '#/audit/changeset/42',
      '#/queue?status=dead&channel=sms',
      '#/templates/otp_sms',
      '#/templates',
      '#/preferences/wanjiru',
      '#/overview',
      '#/me',
      '#/signin',
    ]) {
      expect(formatRoute(parseRoute(hash))).toBe(hash);
    }
  });

  it('omits empty params and encodes path segments', () => {
    expect(formatRoute({ view: 'activity', query: { user: '', action: null, text: undefined, from: 'x' } })).toBe(
      '#/activity?from=x',
    );
    expect(formatRoute({ view: 'templates', params: { name: '' } })).toBe('#/templates');
    expect(formatRoute({ view: 'preferences', params: { user: 'a/b c' } })).toBe('#/preferences/a%2Fb%20c');
  });

  it('round-trips awkward values', () => {
    const route = { view: 'preferences' as const, params: { user: 'a/b?c#d%' }, query: { q: '50% & more', to: '+1' } };
    expect(parseRoute(formatRoute(route))).toEqual(route);
  });

  it('falls back to the parent view when a required parameter is missing', () => {
    expect(formatRoute({ view: 'changeset', query: { severity: 'high' } })).toBe('#/audit?severity=high');
  });

  it('gives notfound back as it came', () => {
    expect(formatRoute(parseRoute('#/what/ever'))).toBe('#/what/ever');
  });
});

function fakeHost(initial = '') {
  const log: string[] = [];
  const listeners = new Set<() => void>();
  const host: RouterHost = {
    location: { hash: initial },
    history: {
      pushState: (_d, _u, url) => {
        log.push(`push ${url}`);
        host.location.hash = url;
      },
      replaceState: (_d, _u, url) => {
        log.push(`replace ${url}`);
        host.location.hash = url;
      },
    },
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
  };
  // What the browser does on Back or on a link click.
  const visit = (hash: string) => {
    host.location.hash = hash;
    for (const l of listeners) l();
  };
  return { host, log, listeners, visit };
}

describe('Router', () => {
  it('works without a window', () => {
    const r = new Router(undefined);
    expect(r.route).toEqual(DEFAULT_ROUTE);
    r.navigate({ view: 'audit', query: { severity: 'high' } });
    expect(r.route.query).toEqual({ severity: 'high' });
    r.start()();
  });

  it('starts from the current fragment', () => {
    const { host } = fakeHost('#/queue?status=dead');
    expect(new Router(host).route).toEqual({ view: 'queue', params: {}, query: { status: 'dead' } });
  });

  it('pushes view changes and replaces filter edits', () => {
    const { host, log } = fakeHost('#/activity');
    const r = new Router(host);
    r.navigate({ view: 'audit' });
    r.setParams({ severity: 'critical' });
    r.setParams({ text: 'price' });
    r.setParams({ severity: '' });
    expect(log).toEqual([
      'push #/audit',
      'replace #/audit?severity=critical',
      'replace #/audit?text=price&severity=critical',
      'replace #/audit?text=price',
    ]);
    expect(r.route).toEqual({ view: 'audit', params: {}, query: { text: 'price' } });
  });

  it('does not touch history when nothing changes', () => {
    const { host, log } = fakeHost('#/audit?severity=high');
    const r = new Router(host);
    r.setParams({ severity: 'high', text: '' });
    r.navigate({ view: 'audit', query: { severity: 'high' } });
    expect(log).toEqual([]);
  });

  it('can replace on navigate', () => {
    const { host, log } = fakeHost('#/signin');
    new Router(host).navigate({ view: 'overview' }, { replace: true });
    expect(log).toEqual(['replace #/overview']);
  });

  it('follows hashchange until stopped', () => {
    const { host, listeners, visit } = fakeHost('#/activity');
    const r = new Router(host);
    const stop = r.start();
    visit('#/audit/changeset/9');
    expect(r.route).toEqual({ view: 'changeset', params: { id: '9' }, query: {} });
    stop();
    expect(listeners.size).toBe(0);
    visit('#/me');
    expect(r.route.view).toBe('changeset');
  });

  it('ignores setParams on notfound', () => {
    const { host, log } = fakeHost('#/gone');
    const r = new Router(host);
    r.setParams({ q: 'x' });
    expect(log).toEqual([]);
    expect(r.route.view).toBe('notfound');
  });

  it('makes hrefs', () => {
    expect(new Router(undefined).href({ view: 'templates', params: { name: 'welcome' } })).toBe('#/templates/welcome');
  });
});
