// A minimal W3C WebDriver client over fetch: just what the desktop test
// needs, so the test has no npm dependencies of its own.

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path} → ${status}: ${value?.error ?? ''} ${value?.message ?? JSON.stringify(value)}`);
    this.name = 'WebDriverError';
    this.error = value?.error;
  }
}

/** Per-request limit: a native driver waiting for an app that died never answers. */
const REQUEST_TIMEOUT = Number(process.env.WEBDRIVER_REQUEST_TIMEOUT_MS ?? 60_000);

async function call(base, method, path, body) {
  let res;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT),
    });
  } catch (err) {
    const why = err?.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT} ms` : err?.message;
    throw new WebDriverError(method, path, 'no response', { message: why });
  }
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new WebDriverError(method, path, res.status, { message: text.slice(0, 300) });
  }
  if (!res.ok) throw new WebDriverError(method, path, res.status, json.value);
  return json.value;
}

export async function sleep(ms) {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls `probe` until it returns a truthy value; throws with `what` after `timeout` ms. */
export async function waitFor(what, probe, { timeout = 30_000, interval = 200 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(interval);
  }
}

/** Waits until a WebDriver server answers /status with ready: true. */
export async function waitForDriver(base, timeout = 30_000) {
  await waitFor(`WebDriver server at ${base}`, async () => (await call(base, 'GET', '/status'))?.ready !== false, {
    timeout,
    interval: 250,
  });
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** Starts the app. If it exits during start-up (say, it cannot open its database) this times out. */
  static async create(base, capabilities) {
    try {
      const value = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
      return new Session(base, value.sessionId);
    } catch (err) {
      err.message += ' (did the app start? its output is in the tauri-driver log)';
      throw err;
    }
  }

  #cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async delete() {
    await this.#cmd('DELETE', '');
  }

  /** Element ids matching a CSS selector (possibly none). */
  async findAll(css) {
    const found = await this.#cmd('POST', '/elements', { using: 'css selector', value: css });
    return found.map((e) => e[ELEMENT]);
  }

  async find(css) {
    const found = await this.#cmd('POST', '/element', { using: 'css selector', value: css });
    return found[ELEMENT];
  }

  /** Waits for at least `min` elements matching `css` and returns them. */
  async waitForAll(css, { min = 1, timeout } = {}) {
    return waitFor(`${min}+ × ${css}`, async () => {
      const ids = await this.findAll(css);
      return ids.length >= min ? ids : null;
    }, { timeout });
  }

  async click(element) {
    await this.#cmd('POST', `/element/${element}/click`, {});
  }

  async text(element) {
    return this.#cmd('GET', `/element/${element}/text`);
  }

  /**
   * The element's textContent. WebKit's "Get Element Text" answers "" for
   * elements that clip their overflow (ellipsis cells), so read the DOM.
   */
  async textContent(element) {
    return this.execute('return arguments[0].textContent.trim()', [{ [ELEMENT]: element }]);
  }

  async attribute(element, name) {
    return this.#cmd('GET', `/element/${element}/attribute/${encodeURIComponent(name)}`);
  }

  async clear(element) {
    await this.#cmd('POST', `/element/${element}/clear`, {});
  }

  async type(element, text) {
    await this.#cmd('POST', `/element/${element}/value`, { text });
  }

  async execute(script, args = []) {
    return this.#cmd('POST', '/execute/sync', { script, args });
  }

  /** Runs `script`, which calls its last argument (the callback) with the result. */
  async executeAsync(script, args = []) {
    return this.#cmd('POST', '/execute/async', { script, args });
  }

  /** PNG bytes of the current window. */
  async screenshot() {
    return Buffer.from(await this.#cmd('GET', '/screenshot'), 'base64');
  }
}
