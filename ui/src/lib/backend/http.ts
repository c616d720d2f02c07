// HTTP transport: POST {base}/api/{command} with the request as JSON. Used in
// a browser against `gurumisha serve`; the same handlers run behind Tauri IPC.
import { BackendError, codeForStatus, toBackendError } from './error';
import { backendOver, type Backend, type Transport } from './types';

type Fetch = typeof fetch;

export function httpTransport(base: string, fetchImpl: Fetch = fetch): Transport {
  const root = base.replace(/\/+$/, '');
  return async (command, req) => {
    let res: Response;
    try {
      res = await fetchImpl(`${root}/api/${command}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(req),
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new BackendError('unavailable', `Cannot reach the server (${detail})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // Not JSON (a proxy page, a panic message): fall through to the status.
      }
      const fallback = codeForStatus(res.status);
      if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
        throw toBackendError(body, fallback, res.status);
      }
      const summary = text.trim().slice(0, 200) || res.statusText || 'no details';
      throw new BackendError(fallback, `HTTP ${res.status}: ${summary}`, res.status);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new BackendError('internal', `The server sent a response that is not JSON (HTTP ${res.status})`, res.status);
    }
  };
}

export function httpBackend(base: string, fetchImpl?: Fetch): Backend {
  return backendOver('http', httpTransport(base, fetchImpl));
}
