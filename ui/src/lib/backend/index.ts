import { httpBackend } from './http';
import { tauriBackend } from './tauri';
import type { Backend } from './types';

export type { Backend, CommandName, ErrorCode } from './types';
export { BackendError, describeError, toBackendError } from './error';

/** Inside the desktop shell Tauri injects this global before any script runs. */
export function inTauri(w: object = globalThis): boolean {
  return '__TAURI_INTERNALS__' in w;
}

/** Where the HTTP API lives: the origin that served the page, unless overridden for development. */
export function apiBase(): string {
  const override = import.meta.env.VITE_GURUMISHA_API as string | undefined;
  return override ?? window.location.origin;
}

/** IPC inside the desktop app; otherwise HTTP to the origin that served the page. */
export function selectBackend(): Backend {
  if (inTauri()) return tauriBackend();
  return httpBackend(apiBase());
}
