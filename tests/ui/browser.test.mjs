// The console in a real browser (Debian's Chromium, headless) against the
// real Rust HTTP server: `scripts/ui-test.sh` starts `gurumisha serve` on a
// database with demo data and passes its address in GURUMISHA_HTTP_URL.
//
//   GURUMISHA_HTTP_URL=http://127.0.0.1:PORT node --test tests/ui/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// playwright-core is a devDependency of ui/, not of the repository root.
const require = createRequire(new URL('../../ui/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const BASE = process.env.GURUMISHA_HTTP_URL;
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../target/screenshots/', import.meta.url));
const TIMEOUT = 20_000;
// The demo's operators (`gurumisha demo` prints them) and their password.
const PASSWORD = process.env.GURUMISHA_DEMO_PASSWORD ?? 'gurumisha-demo';

/**
 * The desktop app's CSP (tauri.conf.json), with the IPC origins swapped for
 * 'self': the browser reaches the API over HTTP on the page's own origin.
 * Served with every page here, so a UI change that needs inline script, a
 * remote font or another origin fails in this test, not only in the app.
 */
async function desktopCsp() {
  const conf = JSON.parse(await readFile(new URL('../../tauri.conf.json', import.meta.url), 'utf8'));
  return conf.app.security.csp
    .split(';')
    .map((d) => d.trim())
    .map((d) => (d.startsWith('connect-src') ? "connect-src 'self'" : d))
    .join('; ');
}

if (!BASE) {
  throw new Error('GURUMISHA_HTTP_URL is not set: run scripts/ui-test.sh, or start `gurumisha serve` and export it');
}

/** The word (4+ letters) that occurs in the fewest of the given texts, but in at least one. */
function rarestWord(texts) {
  const counts = new Map();
  for (const t of texts) {
    for (const w of new Set(t.toLowerCase().match(/[a-z]{4,}/g) ?? [])) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  let best = null;
  for (const [w, n] of counts) if (best === null || n < best[1]) best = [w, n];
  return best?.[0] ?? null;
}

describe('console in Chromium', () => {
  let browser;
  let page;
  const problems = [];

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const csp = await desktopCsp();
    await page.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
    page.setDefaultTimeout(TIMEOUT);
    // Script errors and CSP violations show up here; the console must have none.
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      // 401 (not signed in yet, a wrong password) and 403 (the refusal tested below) are
      // answers the tests ask for; Chromium logs every non-2xx response as an error.
      const expected = /Failed to load resource: the server responded with a status of 40[13]/;
      if (msg.type() === 'error' && !expected.test(msg.text())) problems.push(`console: ${msg.text()}`);
    });
    await page.goto(BASE, { waitUntil: 'load' });
  });

  after(async () => {
    await browser?.close();
  });

  async function signIn(username, password = PASSWORD) {
    await page.getByTestId('signin-username').fill(username);
    await page.getByTestId('signin-password').fill(password);
    await page.getByTestId('signin-submit').click();
  }

  test('a wrong password is refused on the sign-in screen', async () => {
    await page.getByTestId('signin-form').waitFor();
    await signIn('compliance1', 'not-the-password');
    const error = page.getByTestId('signin-error');
    await error.waitFor();
    assert.match(await error.innerText(), /wrong username or password/);
    await page.screenshot({ path: `${SHOTS}browser-signin.png` });
  });

  test('a support operator gets no audit trail, and the backend refuses it too', async () => {
    await signIn('support1');
    await page.getByTestId('operator').waitFor();
    assert.equal(await page.getByTestId('operator').getAttribute('data-role'), 'support');
    assert.equal(await page.getByTestId('tab-audit').count(), 0, 'no audit tab for support');
    // The UI only reflects the role: ask the backend directly, with this session's cookie.
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/list_audit', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 'forbidden');
    assert.match(refused.body.message, /support role may not open the audit trail/);
    await page.getByTestId('signout').click();
    await page.getByTestId('signin-form').waitFor();
  });

  test('a compliance officer signs in', async () => {
    await signIn('compliance1');
    await page.getByTestId('operator').waitFor();
    assert.equal(await page.getByTestId('operator').getAttribute('data-role'), 'compliance_officer');
  });

  test('header shows the connected store', async () => {
    const backend = page.getByTestId('status-backend');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=status-backend]')?.getAttribute('data-backend'),
      null,
      { timeout: TIMEOUT },
    );
    assert.match(await backend.getAttribute('data-backend'), /^(sqlite|postgres)$/);
  });

  test('activity table shows the newest entries', async () => {
    await page.getByTestId('activity-row').first().waitFor();
    const n = await page.getByTestId('activity-row').count();
    assert.ok(n > 0, 'activity rows');
    await page.screenshot({ path: `${SHOTS}browser-activity.png` });
  });

  test('free-text filter narrows the activity rows', async () => {
    const rows = page.getByTestId('activity-row');
    const before = await rows.count();
    const descriptions = await rows.locator('.desc').allInnerTexts();
    const word = process.env.GURUMISHA_UI_FILTER_TEXT ?? rarestWord(descriptions);
    assert.ok(word, 'a word to filter by');

    const firstIds = await rows.evaluateAll((els) => els.map((e) => e.dataset.id).join(','));
    await page.getByTestId('activity-filter').fill(word);
    await page.getByTestId('activity-filter').press('Enter');
    // The filter is applied when the table is idle, shows other rows than before, and every
    // row it shows contains the word (the search matches word prefixes in the description and
    // the object's name). A common word may still fill a whole page, so "fewer rows" alone
    // would not be a fair test.
    await page.waitForFunction(
      ([ids, w]) => {
        const els = [...document.querySelectorAll('[data-testid=activity-row]')];
        const idle = document.querySelector('[data-testid=activity-table]')?.getAttribute('aria-busy') === 'false';
        const changed = els.map((e) => e.dataset.id).join(',') !== ids;
        return idle && changed && els.length > 0 && els.every((e) => e.textContent.toLowerCase().includes(w));
      },
      [firstIds, word.toLowerCase()],
      { timeout: TIMEOUT },
    );
    const texts = await rows.evaluateAll((els) => els.map((e) => e.textContent.toLowerCase()));
    assert.ok(texts.length > 0 && texts.every((t) => t.includes(word.toLowerCase())), `every row matches "${word}"`);
    await page.screenshot({ path: `${SHOTS}browser-activity-filtered.png` });

    await page.getByTestId('activity-filter').fill('');
    await page.getByTestId('activity-filter').press('Enter');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=activity-row]').length === n,
      before,
      { timeout: TIMEOUT },
    );
  });

  test('load more appends the next page', async () => {
    const more = page.getByTestId('activity-load-more');
    if ((await more.count()) === 0) return; // everything fits on one page
    const rows = page.getByTestId('activity-row');
    const before = await rows.count();
    const firstIds = await rows.evaluateAll((els) => els.map((e) => e.dataset.id));
    await more.click();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=activity-row]').length > n,
      before,
      { timeout: TIMEOUT },
    );
    const ids = await rows.evaluateAll((els) => els.map((e) => e.dataset.id));
    assert.deepEqual(ids.slice(0, before), firstIds, 'the first page stays in place');
    assert.equal(new Set(ids).size, ids.length, 'no row appears twice');
  });

  test('audit tab shows the trail and a change set', async () => {
    await page.getByTestId('tab-audit').click();
    await page.getByTestId('audit-row').first().waitFor();
    assert.ok((await page.getByTestId('audit-row').count()) > 0, 'audit rows');
    await page.screenshot({ path: `${SHOTS}browser-audit.png` });

    const withSet = page.locator('[data-testid=audit-row]:not([data-change-set=""])');
    if ((await withSet.count()) > 0) {
      await withSet.first().click();
      await page.getByTestId('changeset-panel').waitFor();
      await page.getByTestId('changeset-row').first().waitFor();
      assert.ok((await page.getByTestId('changeset-row').count()) > 0, 'change set rows');
      await page.screenshot({ path: `${SHOTS}browser-changeset.png` });
      await page.keyboard.press('Escape');
      await page.getByTestId('audit-detail').waitFor({ state: 'detached' });
    }
  });

  test('verify now reports an intact chain', async () => {
    await page.getByTestId('verify-button').click();
    const result = page.getByTestId('verify-result');
    await page.waitForFunction(
      () => ['ok', 'failed', 'error'].includes(document.querySelector('[data-testid=verify-result]')?.dataset.state ?? ''),
      null,
      { timeout: 60_000 },
    );
    assert.equal(await result.getAttribute('data-state'), 'ok', await result.innerText());
    assert.match(await result.innerText(), /^OK/);
    await page.screenshot({ path: `${SHOTS}browser-verified.png` });
  });

  test('no script errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
