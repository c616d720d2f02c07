#!/usr/bin/env node
// Scrolling the console's big tables in headless Chromium, measured: one JSON
// object per line, not a pass/fail test.
//
//   DATABASE_URL=sqlite:///tmp/big.sqlite3 node scripts/bench-scroll.mjs [--seconds 5] [--views activity,audit,activity?action=search]
//
// Starts `gurumisha serve` on a free loopback port with the built UI (set
// GURUMISHA_BIN, default target/debug/gurumisha; GURUMISHA_UI_DIR, default
// ui/dist: run `npm --prefix ui run build` first), or uses a running server
// at GURUMISHA_HTTP_URL. Signs in as a demo operator (GURUMISHA_BENCH_USER,
// default compliance1, password gurumisha-demo) and, per view:
//   first_rows    ms from opening the view (in the app, and as a page load) to rows on screen
//   wheel         real wheel input, 100 px every 16 ms, for --seconds
//   steady        100 px of rows every frame (scaled: through the table's wheel handler)
//   scrollbar_fling  the scroll position moved 100 px every frame (scaled: ratio × 100 px of rows)
//   scrollbar_drag   the scroll position moved 0.2 % of its range every frame (a drag of the thumb)
//                 (filled_after_ms: from the last move until every row in view is filled)
//   jump_middle   ms from setting the scroll position to half to every row in view filled
//   jump_end      ms from the End key to the last row on screen; jump_home likewise for Home
// Frame lines carry the frame intervals (p50/p95/max, frames over 50 ms),
// frames that showed a placeholder row, long tasks (PerformanceObserver
// 'longtask') and the rows held in memory afterwards. Every line has the
// table's row count (`rows`, `exact` when known exactly).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const require = createRequire(resolve(ROOT, 'ui/package.json'));
const { chromium } = require('playwright-core');

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    // Routes, with filters if wanted: `activity,audit,activity?action=search,me`.
    views: { type: 'string', default: 'activity,audit' },
  },
});
const SECONDS = Number(args.seconds);
const VIEWS = args.views.split(',').map((v) => v.trim());
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const USER = process.env.GURUMISHA_BENCH_USER ?? 'compliance1';
const PASSWORD = process.env.GURUMISHA_DEMO_PASSWORD ?? 'gurumisha-demo';
const TIMEOUT = 60_000;
const TABLES = { activity: 'activity-table', audit: 'audit-table', me: 'me-table' };

function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function round(x) {
  return Math.round(x * 10) / 10;
}

function stats(intervals) {
  const xs = [...intervals].sort((a, b) => a - b);
  const at = (p) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] : 0);
  return {
    frames: xs.length,
    p50_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    max_ms: round(xs[xs.length - 1] ?? 0),
    over_50ms: xs.filter((x) => x > 50).length,
  };
}

/** Starts `gurumisha serve` and resolves with its URL and a stop function. */
async function startServer() {
  if (process.env.GURUMISHA_HTTP_URL) return { url: process.env.GURUMISHA_HTTP_URL, stop: async () => {} };
  if (!process.env.DATABASE_URL && !process.env.GURUMISHA_DATABASE_URL) {
    throw new Error('set DATABASE_URL to a database with demo data (or GURUMISHA_HTTP_URL to a running server)');
  }
  const bin = resolve(ROOT, process.env.GURUMISHA_BIN ?? 'target/debug/gurumisha');
  const ui = resolve(ROOT, process.env.GURUMISHA_UI_DIR ?? 'ui/dist');
  const child = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--ui-dir', ui], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no "listening on" from the server in 60 s:\n${log}`)), 60_000);
    const read = (chunk) => {
      log += chunk;
      const m = /listening on (https?:\/\/\S+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', (c) => (log += c));
    child.on('exit', (code) => fail(new Error(`the server exited (${code}):\n${log}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((ok) => {
        child.removeAllListeners('exit');
        child.on('exit', ok);
        child.kill('SIGTERM');
      }),
  };
}

// In the page: long tasks since load, and helpers the measurements share.
function installProbes() {
  window.__longtasks = [];
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longtasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No long-task timing in this browser: the counts stay 0.
  }
  /** The table's body rows that intersect its viewport (below the sticky header). */
  window.__inView = (testid) => {
    const table = document.querySelector(`[data-testid=${testid}]`);
    if (!table) return [];
    const box = table.getBoundingClientRect();
    const head = table.querySelector('.head')?.getBoundingClientRect().bottom ?? box.top;
    return [...table.querySelectorAll('.row.body')].filter((r) => {
      const b = r.getBoundingClientRect();
      return b.bottom > head + 1 && b.top < box.bottom - 1;
    });
  };
  /** Resolves with ms since `t0` once `done()` holds on a frame (checked every frame). */
  window.__until = (t0, done, timeout = 60_000) =>
    new Promise((ok, fail) => {
      const tick = () => {
        if (done()) return ok(performance.now() - t0);
        if (performance.now() - t0 > timeout) return fail(new Error('timed out'));
        requestAnimationFrame(tick);
      };
      tick();
    });
  /** Every row in view is a real row (none is a placeholder), and there is at least one. */
  window.__filled = (testid) => {
    const rows = window.__inView(testid);
    return rows.length > 0 && rows.every((r) => !r.classList.contains('pending'));
  };
}

async function tableState(page, testid) {
  return page.evaluate((testid) => {
    const t = document.querySelector(`[data-testid=${testid}]`);
    return {
      rows: Number(t?.dataset.total ?? 0),
      exact: t?.getAttribute('aria-rowcount') !== '-1',
      held: Number(t?.dataset.rows ?? 0),
      heap_mb: performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1e5) / 10 : undefined,
    };
  }, testid);
}

async function longTasksSince(page, since) {
  return page.evaluate((since) => {
    const tasks = window.__longtasks.filter((t) => t.start >= since);
    return { longtasks: tasks.length, longtask_ms: Math.round(tasks.reduce((n, t) => n + t.ms, 0)) };
  }, since);
}

/** Waits until the table has its row count and nothing is being fetched. */
async function settled(page, testid) {
  await page.waitForFunction(
    (testid) => document.querySelector(`[data-testid=${testid}]`)?.getAttribute('aria-busy') === 'false',
    testid,
    { timeout: TIMEOUT },
  );
}

/** Records frame intervals and placeholder frames in the page while `drive` runs (or for `seconds`). */
async function frames(page, testid, seconds, mode) {
  return page.evaluate(
    ({ testid, seconds, mode }) =>
      new Promise((ok) => {
        const table = document.querySelector(`[data-testid=${testid}]`);
        const range = table.scrollHeight - table.clientHeight;
        const intervals = [];
        let pending = 0;
        let last;
        const t0 = performance.now();
        const startIndex = Number(window.__inView(testid)[0]?.dataset.index ?? 0);
        const tick = (now) => {
          if (last !== undefined) intervals.push(now - last);
          last = now;
          if (window.__inView(testid).some((r) => r.classList.contains('pending'))) pending++;
          if (now - t0 >= seconds * 1000) {
            const endIndex = Number(window.__inView(testid)[0]?.dataset.index ?? 0);
            return ok({ intervals, pending, since: t0, moved: endIndex - startIndex });
          }
          if (mode === 'drag') table.scrollTop = Math.min(range, table.scrollTop + range * 0.002);
          if (mode === 'fling') table.scrollTop = Math.min(range, table.scrollTop + 100);
          if (mode === 'steady') {
            // 100 px of rows per frame: scaled, the table's wheel handler moves exactly that.
            if (Number(table.dataset.scale) > 1) table.dispatchEvent(new WheelEvent('wheel', { deltaY: 100, bubbles: true, cancelable: true }));
            else table.scrollTop += 100;
          }
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    { testid, seconds, mode },
  );
}

/** `view` is a route: `activity`, `audit`, or with filters, `activity?action=search`. */
async function measureView(page, route) {
  const view = route.split('?')[0];
  const testid = TABLES[view];
  const row = `${view}-row`;

  // Opening the view inside the app.
  await page.evaluate(() => (location.hash = '#/overview'));
  await page.waitForTimeout(500);
  const nav = await page.evaluate(
    ({ route, row }) => {
      const t0 = performance.now();
      location.hash = `#/${route}`;
      return window.__until(t0, () => !!document.querySelector(`[data-testid=${row}]`));
    },
    { route, row },
  );
  await settled(page, testid);
  let state = await tableState(page, testid);
  emit({ bench: 'scroll', view: route, measure: 'first_rows', how: 'in_app', ms: round(nav), ...state });

  // Loading the page at the view.
  await page.reload({ waitUntil: 'commit' });
  const load = await page.evaluate(
    (row) => window.__until(0, () => !!document.querySelector(`[data-testid=${row}]`)),
    row,
  );
  await settled(page, testid);
  state = await tableState(page, testid);
  emit({ bench: 'scroll', view: route, measure: 'first_rows', how: 'page_load', ms: round(load), ...state });

  // Wheel: real input events through the browser, ~60 per second.
  await page.locator(`[data-testid=${testid}]`).hover();
  const wheelFrames = frames(page, testid, SECONDS, 'wheel');
  const stopAt = Date.now() + SECONDS * 1000;
  while (Date.now() < stopAt) {
    await page.mouse.wheel(0, 100);
    await new Promise((r) => setTimeout(r, 16));
  }
  let f = await wheelFrames;
  let lt = await longTasksSince(page, f.since);
  await settled(page, testid);
  state = await tableState(page, testid);
  emit({ bench: 'scroll', view: route, measure: 'wheel', seconds: SECONDS, ...stats(f.intervals), pending_frames: f.pending, rows_moved: f.moved, ...lt, ...state });

  // From the top: 100 px of rows per frame (6,000 px/s, a brisk steady scroll);
  // the scroll position moved 100 px per frame (scaled, that many more rows);
  // and 0.2 % of its range per frame (dragging the thumb).
  for (const mode of ['steady', 'fling', 'drag']) {
    await page.locator(`[data-testid=${testid}]`).evaluate((t) => (t.scrollTop = 0));
    await page.waitForFunction((testid) => window.__filled(testid), testid, { timeout: TIMEOUT });
    await settled(page, testid);
    f = await frames(page, testid, SECONDS, mode);
    lt = await longTasksSince(page, f.since);
    const filled = await page.evaluate(
      ({ testid, since }) => window.__until(performance.now(), () => window.__filled(testid)).then((ms) => ms),
      { testid, since: f.since },
    );
    await settled(page, testid);
    state = await tableState(page, testid);
    emit({
      bench: 'scroll',
      view: route,
      measure: mode === 'steady' ? 'steady' : `scrollbar_${mode}`,
      seconds: SECONDS,
      ...stats(f.intervals),
      pending_frames: f.pending,
      rows_moved: f.moved,
      filled_after_ms: round(filled),
      ...lt,
      ...state,
    });
  }

  // Jump to the middle.
  const mid = await page.evaluate((testid) => {
    const t = document.querySelector(`[data-testid=${testid}]`);
    const t0 = performance.now();
    t.scrollTop = (t.scrollHeight - t.clientHeight) / 2;
    return window.__until(t0, () => window.__filled(testid)).then((ms) => ({ ms, since: t0, index: Number(window.__inView(testid)[0]?.dataset.index) }));
  }, testid);
  lt = await longTasksSince(page, mid.since);
  state = await tableState(page, testid);
  emit({ bench: 'scroll', view: route, measure: 'jump_middle', ms: round(mid.ms), first_index: mid.index, ...lt, ...state });
  await settled(page, testid);

  // End, then Home, from the keyboard.
  for (const key of ['End', 'Home']) {
    await page.locator(`[data-testid=${testid}]`).focus();
    const since = await page.evaluate(() => performance.now());
    await page.keyboard.press(key);
    const ms = await page.evaluate(
      ({ testid, key, since }) =>
        window.__until(since, () => {
          if (!window.__filled(testid)) return false;
          const t = document.querySelector(`[data-testid=${testid}]`);
          const sel = t.querySelector('.row.body.selected:not(.pending)');
          const want = key === 'End' ? Number(t.dataset.total) - 1 : 0;
          return sel !== null && Number(sel.dataset.index) === want && window.__inView(testid).includes(sel);
        }),
      { testid, key, since },
    );
    lt = await longTasksSince(page, since);
    state = await tableState(page, testid);
    emit({ bench: 'scroll', view: route, measure: key === 'End' ? 'jump_end' : 'jump_home', ms: round(ms), ...lt, ...state });
    await settled(page, testid);
  }
}

async function main() {
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (err) => emit({ bench: 'scroll', error: `pageerror: ${err.message}` }));
    await page.addInitScript(installProbes);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.getByTestId('signin-username').fill(USER);
    await page.getByTestId('signin-password').fill(PASSWORD);
    await page.getByTestId('signin-submit').click();
    await page.getByTestId('nav-activity').waitFor();
    for (const view of VIEWS) await measureView(page, view);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
