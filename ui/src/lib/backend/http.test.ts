import { describe, expect, it } from 'vitest';
import { BackendError, codeForStatus, describeError, toBackendError } from './error';
import { httpBackend } from './http';

type Call = { url: string; init: RequestInit | undefined };

function fakeFetch(respond: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const impl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { impl, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

async function rejection(p: Promise<unknown>): Promise<BackendError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    return err as BackendError;
  }
  throw new Error('expected a rejection');
}

describe('http backend', () => {
  it('posts the request as JSON to /api/<command>', async () => {
    const page = { items: [], next_cursor: null };
    const { impl, calls } = fakeFetch(() => json(200, page));
    const backend = httpBackend('http://127.0.0.1:9000/', impl);
    await expect(backend.listActivity({ text: 'camry', limit: 10 })).resolves.toEqual(page);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('http://127.0.0.1:9000/api/list_activity');
    expect(calls[0]!.init?.method).toBe('POST');
    expect(new Headers(calls[0]!.init?.headers).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(calls[0]!.init?.body))).toEqual({ text: 'camry', limit: 10 });
  });

  it('sends an empty object for status', async () => {
    const { impl, calls } = fakeFetch(() => json(200, { backend: 'sqlite' }));
    await httpBackend('', impl).status();
    expect(calls[0]!.url).toBe('/api/status');
    expect(calls[0]!.init?.body).toBe('{}');
  });

  it('maps {code, message} error bodies', async () => {
    const { impl } = fakeFetch(() => json(400, { code: 'invalid_input', message: 'limit must be at most 1000' }));
    const err = await rejection(httpBackend('', impl).listAudit({ limit: 5000 }));
    expect(err.code).toBe('invalid_input');
    expect(err.message).toBe('limit must be at most 1000');
    expect(err.status).toBe(400);
  });

  it('keeps the status-derived code when the body has an unknown code', async () => {
    const { impl } = fakeFetch(() => json(404, { code: 'gone_fishing', message: 'no such change set' }));
    const err = await rejection(httpBackend('', impl).getChangeSet({ change_set_id: 'x' }));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('no such change set');
  });

  it('falls back to the status for non-JSON error bodies', async () => {
    const { impl } = fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const err = await rejection(httpBackend('', impl).verifyAudit({}));
    expect(err.code).toBe('unavailable');
    expect(err.message).toBe('HTTP 502: <html>Bad Gateway</html>');
  });

  it('reports an unreachable server as unavailable', async () => {
    const { impl } = fakeFetch(() => {
      throw new TypeError('fetch failed');
    });
    const err = await rejection(httpBackend('', impl).status());
    expect(err.code).toBe('unavailable');
    expect(err.message).toContain('fetch failed');
  });

  it('rejects a 2xx answer that is not JSON', async () => {
    const { impl } = fakeFetch(() => new Response('<!doctype html>', { status: 200 }));
    const err = await rejection(httpBackend('', impl).status());
    expect(err.code).toBe('internal');
  });
});

describe('error mapping', () => {
  it('derives codes from HTTP statuses', () => {
    expect(codeForStatus(422)).toBe('invalid_input');
    expect(codeForStatus(401)).toBe('unauthenticated');
    expect(codeForStatus(403)).toBe('forbidden');
    expect(codeForStatus(404)).toBe('not_found');
    expect(codeForStatus(503)).toBe('unavailable');
    expect(codeForStatus(500)).toBe('internal');
  });

  it('accepts what Tauri rejects with', () => {
    expect(toBackendError({ code: 'forbidden', message: 'no' })).toMatchObject({ code: 'forbidden', message: 'no' });
    expect(toBackendError('command list_x not found')).toMatchObject({
      code: 'internal',
      message: 'command list_x not found',
    });
    expect(toBackendError(new Error('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
    expect(toBackendError(undefined)).toMatchObject({ code: 'internal', message: 'Unexpected error' });
  });

  it('describes errors for people', () => {
    expect(describeError(new BackendError('not_found', 'no such change set'))).toBe('Not found: no such change set');
  });
});
