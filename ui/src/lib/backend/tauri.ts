// Tauri IPC transport: each command is a `#[tauri::command]` taking `req`.
// A command that returns Err(ApiError) rejects with the serialized
// `{code, message}`; Tauri's own failures reject with a string.
import { invoke } from '@tauri-apps/api/core';
import { toBackendError } from './error';
import { backendOver, type Backend, type Transport } from './types';

export const tauriTransport: Transport = async (command, req) => {
  try {
    return await invoke(command, { req });
  } catch (err) {
    throw toBackendError(err);
  }
};

export function tauriBackend(): Backend {
  return backendOver('tauri', tauriTransport);
}
