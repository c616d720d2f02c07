// The real desktop window (Tauri + WebKitGTK) driven over WebDriver through
// tauri-driver. `scripts/e2e.sh` starts Xvfb and tauri-driver, points the app
// at a database with demo data (GURUMISHA_DATABASE_URL) and runs this file.
//
//   APP=target/debug/gurumisha-console node --test tests/e2e/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, waitFor, waitForDriver } from './webdriver.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = path.resolve(ROOT, process.env.APP ?? 'target/debug/gurumisha-console');
const DRIVER = process.env.TAURI_DRIVER_URL ?? 'http://127.0.0.1:4444';
const SHOTS = path.join(ROOT, 'target/screenshots');
const TIMEOUT = 60_000;
const PASSWORD = process.env.GURUMISHA_DEMO_PASSWORD ?? 'gurumisha-demo';

describe('desktop console', () => {
  let s;

  async function shot(name) {
    await writeFile(path.join(SHOTS, `desktop-${name}.png`), await s.screenshot());
  }

  async function dataState(testid) {
    const [el] = await s.findAll(`[data-testid=${testid}]`);
    return el ? s.attribute(el, 'data-state') : null;
  }

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    await waitForDriver(DRIVER);
    s = await Session.create(DRIVER, { browserName: 'wry', 'tauri:options': { application: APP } });
  });

  after(async () => {
    // Closing the session ends the app.
    await s?.delete().catch(() => {});
  });

  test('runs inside Tauri, not in a browser', async () => {
    assert.equal(await s.execute('return "__TAURI_INTERNALS__" in window'), true);
  });

  test('signs in as a compliance officer', async () => {
    const user = await s.waitForAll('[data-testid=signin-username]', { timeout: TIMEOUT });
    await shot('signin');
    await s.type(user[0], 'compliance1');
    await s.type(await s.find('[data-testid=signin-password]'), PASSWORD);
    await s.click(await s.find('[data-testid=signin-submit]'));
    const who = await s.waitForAll('[data-testid=operator]', { timeout: TIMEOUT });
    assert.equal(await s.attribute(who[0], 'data-role'), 'compliance_officer');
  });

  test('shows the connected store and the newest activity', async () => {
    const backend = await waitFor('status-backend', async () => {
      const [el] = await s.findAll('[data-testid=status-backend]');
      const v = el && (await s.attribute(el, 'data-backend'));
      return v || null;
    }, { timeout: TIMEOUT });
    assert.match(backend, /^(sqlite|postgres)$/);

    const rows = await s.waitForAll('[data-testid=activity-row]', { timeout: TIMEOUT });
    assert.ok(rows.length > 0);
    await shot('activity');
  });

  test('audit tab lists the trail', async () => {
    await s.click(await s.find('[data-testid=tab-audit]'));
    const rows = await s.waitForAll('[data-testid=audit-row]', { timeout: TIMEOUT });
    assert.ok(rows.length > 0);

    // A cell, not the row: WebKitWebDriver does not count a <tr> as interactable.
    const withSet = await s.findAll('[data-testid=audit-row]:not([data-change-set=""]) td:nth-child(2)');
    if (withSet.length > 0) {
      await s.click(withSet[0]);
      await s.waitForAll('[data-testid=changeset-panel] [data-testid=changeset-row]', { timeout: TIMEOUT });
      await shot('changeset');
      await s.click(await s.find('[data-testid=audit-detail] button[aria-label=Close]'));
    }
    await shot('audit');
  });

  test('verify now reports an intact chain', async () => {
    await s.click(await s.find('[data-testid=verify-button]'));
    const state = await waitFor('verification result', async () => {
      const st = await dataState('verify-result');
      return ['ok', 'failed', 'error'].includes(st) ? st : null;
    }, { timeout: TIMEOUT });
    const text = await s.textContent(await s.find('[data-testid=verify-result]'));
    assert.equal(state, 'ok', text);
    assert.match(text, /^OK/);
    await shot('verified');
  });
});
