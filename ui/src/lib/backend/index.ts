import { httpBackend } from './http';
import { tauriBackend } from './tauri';
import type { Backend } from './types';

export type { Backend, CommandName, ErrorCode } from './types';
export { BackendError, describeError, toBackendError } from './error';

/** Inside the desktop shell Tauri injects this global before any script runs. */
export function inTauri(w: object = globalThis): boolean {
  return '__TAURI_INTERNALS__' in w;
}

/** IPC inside the desktop app; otherwise HTTP to the origin that served the page. */
export function selectBackend(): Backend {
  if (inTauri()) return tauriBackend();
  const override = import.meta.env.VITE_GURUMISHA_API as string | undefined;
  return httpBackend(override ?? window.location.origin);
}
