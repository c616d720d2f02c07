// The real desktop window (Tauri + WebKitGTK) driven over WebDriver through
// tauri-driver. `scripts/e2e.sh` starts Xvfb and tauri-driver, points the app
// at a database with demo data (GURUMISHA_DATABASE_URL) and runs this file.
//
//   APP=target/debug/gurumisha-console node --test tests/e2e/
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session, waitFor, waitForDriver } from './webdriver.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP = path.resolve(ROOT, process.env.APP ?? 'target/debug/gurumisha-console');
const DRIVER = process.env.TAURI_DRIVER_URL ?? 'http://127.0.0.1:4444';
// target/screenshots/ (the README's come from there), or GURUMISHA_SCREENSHOTS, so a run on
// another database keeps its own.
const SHOTS = process.env.GURUMISHA_SCREENSHOTS ? path.resolve(process.env.GURUMISHA_SCREENSHOTS) : path.join(ROOT, 'target/screenshots');
// The store the app was started on, so a run meant for PostgreSQL cannot pass on SQLite.
const EXPECTED_BACKEND = { postgres: 'postgres', postgresql: 'postgres', sqlite: 'sqlite' }[
  /^([a-z]+):/.exec(process.env.GURUMISHA_DATABASE_URL ?? '')?.[1]
];
const TIMEOUT = 60_000;
const PASSWORD = process.env.GURUMISHA_DEMO_PASSWORD ?? 'gurumisha-demo';
const run = promisify(execFile);
// scripts/e2e.sh: the stand-in notification server's log and the CLI.
const NOTIFY_LOG = process.env.GURUMISHA_E2E_NOTIFY_LOG;
const CLI = process.env.GURUMISHA_BIN ?? path.join(ROOT, 'target/debug/gurumisha');

/** The Notify calls the stand-in server received so far. */
async function notifications() {
  const text = await readFile(NOTIFY_LOG, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('desktop console', () => {
  let s;

  // The X server's picture of the window, as a person sees it (ImageMagick's `import` on
  // the test's Xvfb display). WebKitWebDriver's own screenshot hangs on some pages.
  async function shot(name) {
    await run('import', ['-window', 'root', path.join(SHOTS, `desktop-${name}.png`)]);
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

  test('adds a PostgreSQL connection, switches to it and back', async (t) => {
    const pg = process.env.GURUMISHA_TEST_PG_URL;
    if (!pg) return t.skip('GURUMISHA_TEST_PG_URL is not set (make test sets it)');
    await s.waitForAll('[data-testid=connection-select] option', { timeout: TIMEOUT });
    const start = await s.execute('return document.querySelector("[data-testid=connection-select]").value');
    const [first] = await s.findAll('[data-testid=signin-connection]');
    const startBackend = first && (await s.attribute(first, 'data-backend'));
    if (EXPECTED_BACKEND) assert.equal(startBackend, EXPECTED_BACKEND, 'the app opens on the demo database');
    await s.click(await s.find('[data-testid=connection-new]'));
    await s.type(await s.find('[data-testid=connection-name]'), 'Test cluster');
    const url = await s.find('[data-testid=connection-url]');
    await s.clear(url);
    await s.type(url, pg);
    await s.type(await s.find('[data-testid=connection-password]'), 'not-in-any-file');
    await s.click(await s.find('[data-testid=connection-add]'));
    await waitFor('the PostgreSQL connection live', async () => {
      const [el] = await s.findAll('[data-testid=connection-live]');
      const text = el && (await s.textContent(el));
      return text?.includes('password in keychain') ? el : null;
    }, { timeout: TIMEOUT });
    const [now] = await s.findAll('[data-testid=signin-connection][data-backend=postgres]');
    assert.ok(now, 'the live connection is PostgreSQL');
    const live = await s.textContent(await s.find('[data-testid=connection-live]'));
    assert.match(live, /password in keychain/);
    assert.doesNotMatch(live, /not-in-any-file/);
    await shot('connections');
    // Back to the database with the demo data.
    await s.execute(`
      const sel = document.querySelector('[data-testid=connection-select]');
      sel.value = arguments[0];
      sel.dispatchEvent(new Event('change', { bubbles: true }));
    `, [start]);
    await waitFor('the demo database live again', async () => {
      const [el] = await s.findAll('[data-testid=connection-live]');
      const text = el && (await s.textContent(el));
      return text && !text.includes('password in keychain') ? el : null;
    }, { timeout: TIMEOUT });
    const [back] = await s.findAll(`[data-testid=signin-connection][data-backend=${startBackend}]`);
    assert.ok(back, `back on ${startBackend}`);
  });

  test('signs in as a compliance officer', async () => {
    const user = await s.waitForAll('[data-testid=signin-username]', { timeout: TIMEOUT });
    await shot('signin');
    await s.type(user[0], 'compliance1');
    await s.type(await s.find('[data-testid=signin-password]'), PASSWORD);
    await s.click(await s.find('[data-testid=signin-submit]'));
    const who = await s.waitForAll('[data-testid=operator]', { timeout: TIMEOUT });
    assert.equal(await s.attribute(who[0], 'data-role'), 'compliance_officer');
    // Operators with the overview permission land on it.
    await s.waitForAll('[data-testid=nav-overview][aria-current=page]', { timeout: TIMEOUT });
  });

  test('the overview shows charts', async () => {
    const bars = await s.waitForAll('[data-testid=overview-events] [data-testid=bar]', { timeout: TIMEOUT });
    assert.ok(bars.length >= 7, 'a bar per day');
    await s.waitForAll('[data-testid=overview-delivery] [data-testid=split-row]', { timeout: TIMEOUT });
    await shot('overview');
  });

  test('shows the connected store and the newest activity', async () => {
    const backend = await waitFor('status-backend', async () => {
      const [el] = await s.findAll('[data-testid=status-backend]');
      const v = el && (await s.attribute(el, 'data-backend'));
      return v || null;
    }, { timeout: TIMEOUT });
    assert.match(backend, /^(sqlite|postgres)$/);
    if (EXPECTED_BACKEND) assert.equal(backend, EXPECTED_BACKEND);

    await s.click(await s.find('[data-testid=nav-activity]'));
    const rows = await s.waitForAll('[data-testid=activity-row]', { timeout: TIMEOUT });
    assert.ok(rows.length > 0);
    await shot('activity');
  });

  test('audit trail lists the trail and opens a change set', async () => {
    await s.click(await s.find('[data-testid=nav-audit]'));
    const rows = await s.waitForAll('[data-testid=audit-row]', { timeout: TIMEOUT });
    assert.ok(rows.length > 0);

    // A cell, not the whole row, as the click target (the rows are grid rows of a virtual table).
    const withSet = await s.findAll('[data-testid=audit-row]:not([data-change-set=""]) [role=gridcell]:nth-child(2)');
    if (withSet.length > 0) {
      await s.click(withSet[0]);
      await s.waitForAll('[data-testid=changeset-panel] [data-testid=changeset-row]', { timeout: TIMEOUT });
      await shot('changeset');
      await s.click(await s.find('[data-testid=audit-detail] button[aria-label=Close]'));
    }
    await shot('audit');
  });

  test('the activity search filters the rows', async () => {
    await s.click(await s.find('[data-testid=nav-activity]'));
    await s.waitForAll('[data-testid=activity-row]', { timeout: TIMEOUT });
    const search = await s.find('[data-testid=activity-filter]');
    await s.clear(search);
    await s.type(search, 'login\uE007');
    const texts = await waitFor('filtered activity rows', async () => {
      const rows = await s.findAll('[data-testid=activity-row]');
      if (rows.length === 0) return null;
      const all = await Promise.all(rows.map((r) => s.textContent(r)));
      return all.every((t) => /log\s?in/i.test(t)) ? all : null;
    }, { timeout: TIMEOUT });
    assert.ok(texts.length > 0);
    assert.match(await s.execute('return location.hash'), /q=login/);
    await shot('activity-filtered');
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

  test('a critical audit event raises a desktop notification that opens it', async () => {
    assert.ok(NOTIFY_LOG, 'GURUMISHA_E2E_NOTIFY_LOG (scripts/e2e.sh) is set');
    const before = (await notifications()).length;
    const description = `e2e: superuser granted ${Date.now()}`;
    await run(CLI, [
      'audit', 'security-event', '--type', 'permission_change', '--severity', 'critical',
      '--description', description,
    ]);
    const shown = await waitFor('the desktop notification', async () => {
      const all = await notifications();
      return all.slice(before).find((n) => n.body.includes(description)) ?? null;
    }, { timeout: 20_000 });
    assert.match(shown.summary, /^Critical audit event/);
    assert.ok(shown.actions.includes('default'), 'clickable');
    // Click it: the server emits ActionInvoked(id, "default").
    await run('dbus-send', [
      '--session', '--type=signal', '/org/freedesktop/Notifications',
      'org.freedesktop.Notifications.ActionInvoked', `uint32:${shown.id}`, 'string:default',
    ]);
    const hash = await waitFor('the audit route', async () => {
      const h = await s.execute('return location.hash');
      return h.startsWith('#/audit?severity=critical') ? h : null;
    }, { timeout: TIMEOUT });
    assert.match(hash, /table=auth/);
    await s.waitForAll('[data-testid=audit-row]', { timeout: TIMEOUT });
    await shot('alert-opened');
  });

  test('a support operator is refused an audit export by the backend', async () => {
    await s.click(await s.find('[data-testid=signout]'));
    await s.type((await s.waitForAll('[data-testid=signin-username]', { timeout: TIMEOUT }))[0], 'support1');
    await s.type(await s.find('[data-testid=signin-password]'), PASSWORD);
    await s.click(await s.find('[data-testid=signin-submit]'));
    const who = await s.waitForAll('[data-testid=operator]', { timeout: TIMEOUT });
    assert.equal(await s.attribute(who[0], 'data-role'), 'support');
    assert.equal((await s.findAll('[data-testid=nav-audit]')).length, 0, 'no audit trail in the nav');
    // The UI hides it; ask the backend over IPC anyway.
    const answer = await s.executeAsync(`
      const done = arguments[arguments.length - 1];
      window.__TAURI_INTERNALS__
        .invoke('start_export', { req: { kind: 'audit', format: 'csv' } })
        .then((v) => done({ ok: v }), (e) => done({ err: e }));
    `);
    assert.ok(answer.err, `refused, got ${JSON.stringify(answer)}`);
    assert.equal(answer.err.code, 'forbidden');
    assert.match(answer.err.message, /support role may not export the audit trail/);
  });

  test('a broken SMTP server kills a notification; after the fix a retry sends it', async (t) => {
    const control = process.env.GURUMISHA_E2E_SMTP_CONTROL;
    const peerLog = process.env.GURUMISHA_E2E_SMTP_LOG;
    if (!control || !peerLog) return t.skip('no SMTP peer and worker (scripts/e2e.sh starts them)');
    /**
     * Switches the SMTP peer and waits until it says so in its log. It rereads its control
     * file every 50 ms, and on PostgreSQL the worker is woken by NOTIFY and delivers within
     * milliseconds of the enqueue: without the wait a message could be accepted just before
     * the switch.
     */
    async function smtpMode(mode) {
      const before = (await readFile(peerLog, 'utf8')).split('\n').filter((l) => l.startsWith('mode ')).length;
      await writeFile(control, `${mode}\n`);
      await waitFor(`the SMTP peer in ${mode.split(' ')[0]} mode`, async () => {
        const modes = (await readFile(peerLog, 'utf8')).split('\n').filter((l) => l.startsWith('mode '));
        return modes.length > before && modes[modes.length - 1].startsWith(`mode ${mode.split(' ')[0]}`) ? true : null;
      }, { timeout: 10_000 });
    }
    // Signed in as support1 (the previous test): support may retry.
    await smtpMode('reject 550 5.1.1 mailbox unavailable');
    const key = `e2e-smtp-${Date.now()}`;
    const { stdout } = await run(CLI, [
      'notify', '--user', 'compliance1', '--type', 'security', '--channel', 'email',
      '--title', `E2E mail check ${key}`, '--message', 'Testing the mail server.', '--key', key, '--json',
    ]);
    const id = JSON.parse(stdout).channels.find((c) => c.channel === 'email')?.notification_id;
    assert.ok(id, `queued: ${stdout}`);
    // The worker meets the broken server: a permanent refusal, so the notification goes dead,
    // and the console says so on the desktop.
    const alert = await waitFor('the dead-notification alert', async () => {
      const all = await notifications();
      return all.find((n) => n.summary === `Notification ${id} went dead`) ?? null;
    }, { timeout: 30_000 });
    assert.match(alert.body, /550/);
    await s.execute('location.hash = arguments[0]', [`#/queue?status=dead&id=${id}`]);
    await s.waitForAll(`[data-testid=queue-detail-body][data-id="${id}"][data-status=dead]`, { timeout: TIMEOUT });
    const attempt = await s.textContent((await s.waitForAll('[data-testid=queue-attempt]', { timeout: TIMEOUT }))[0]);
    assert.match(attempt, /550/);
    await shot('queue-dead');

    // Fix the server, retry from the console, and watch it go out: the backend's own answer
    // first, then the drawer.
    await smtpMode('accept');
    await s.click(await s.find('[data-testid=queue-retry-one]'));
    await waitFor('the notification sent', async () => {
      const status = await s.executeAsync(`
        const done = arguments[arguments.length - 1];
        window.__TAURI_INTERNALS__
          .invoke('get_notification', { req: { id: arguments[0] } })
          .then((v) => done(v.notification.status), (e) => done('error: ' + JSON.stringify(e)));
      `, [id]);
      return status === 'sent' ? status : null;
    }, { timeout: 30_000 });
    await s.execute('location.hash = arguments[0]', ['#/queue?status=sent']);
    await new Promise((r) => setTimeout(r, 500));
    await s.execute('location.hash = arguments[0]', [`#/queue?status=sent&id=${id}`]);
    await s.waitForAll(`[data-testid=queue-detail-body][data-id="${id}"][data-status=sent]`, { timeout: TIMEOUT });
    // The refusal, then the send after the retry.
    const tries = await s.textContent((await s.waitForAll('[data-testid=queue-tries]', { timeout: TIMEOUT }))[0]);
    assert.match(tries, /^2 in all · sent/);
    await shot('queue-sent');
  });

  test('editing a template shows the live preview and the SMS counter', async () => {
    // support1 may edit templates.
    await s.execute('location.hash = arguments[0]', ['#/templates/import_status_change?ch=sms']);
    const body = (await s.waitForAll('[data-testid=template-body]', { timeout: TIMEOUT }))[0];
    await waitFor('an SMS preview', async () => {
      const [c] = await s.findAll('[data-testid=sms-counter][data-encoding=gsm7]');
      return c ?? null;
    }, { timeout: TIMEOUT });
    await s.type(body, ' Asante sana \u2014 karibu tena');
    const preview = await waitFor('the preview with the new text', async () => {
      const [p] = await s.findAll('[data-testid=template-preview]');
      const text = p ? await s.textContent(p) : '';
      return text.includes('karibu tena') ? text : null;
    }, { timeout: TIMEOUT });
    assert.match(preview, /Asante sana/);
    // An em dash is not in the GSM-7 alphabet: the message becomes UCS-2.
    await s.waitForAll('[data-testid=sms-counter][data-encoding=ucs2]', { timeout: TIMEOUT });
    await shot('template-editor');
  });

  test('my activity, the template list and preferences with the operator\'s alerts', async () => {
    await s.execute('location.hash = arguments[0]', ['#/me']);
    await s.waitForAll('[data-testid=me-row]', { timeout: TIMEOUT });
    await shot('me');
    await s.execute('location.hash = arguments[0]', ['#/templates']);
    await s.waitForAll('[data-testid=template-row]', { timeout: TIMEOUT });
    await shot('templates');
    await s.execute('location.hash = arguments[0]', ['#/preferences/compliance1']);
    await s.waitForAll('[data-testid=prefs-grid]', { timeout: TIMEOUT });
    const high = (await s.waitForAll('[data-testid=alert-high_audit]', { timeout: TIMEOUT }))[0];
    await s.click(high);
    const note = await waitFor('alert settings saved', async () => {
      const [el] = await s.findAll('[data-testid=alert-settings-note]');
      return el ? s.textContent(el) : null;
    }, { timeout: TIMEOUT });
    assert.equal(note, 'Saved.');
    await shot('preferences');
  });
});
