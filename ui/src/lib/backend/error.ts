import type { ErrorCode } from './types';

const CODES: readonly ErrorCode[] = ['invalid_input', 'unauthenticated', 'not_found', 'forbidden', 'unavailable', 'internal'];

/** An `{code, message}` error from the API, whichever transport carried it. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  /** HTTP status when the HTTP transport produced it. */
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, status?: number) {
    super(message);
    this.name = 'BackendError';
    this.code = code;
    this.status = status;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (CODES as readonly string[]).includes(value);
}

/** The code to assume when a response carries no usable `{code, message}` body. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'invalid_input';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 502 || status === 503 || status === 504) return 'unavailable';
  return 'internal';
}

/**
 * Turns whatever a transport rejected with into a BackendError: an
 * `{code, message}` object (the contract), a bare string (Tauri's own errors,
 * e.g. an unknown command) or an exception.
 */
export function toBackendError(raw: unknown, fallback: ErrorCode = 'internal', status?: number): BackendError {
  if (raw instanceof BackendError) return raw;
  if (raw && typeof raw === 'object') {
    const { code, message } = raw as { code?: unknown; message?: unknown };
    if (typeof message === 'string') {
      return new BackendError(isErrorCode(code) ? code : fallback, message, status);
    }
    if (raw instanceof Error) return new BackendError(fallback, raw.message, status);
  }
  if (typeof raw === 'string' && raw.length > 0) return new BackendError(fallback, raw, status);
  return new BackendError(fallback, 'Unexpected error', status);
}

/** One line suitable for a person: never a stack trace. */
export function describeError(err: unknown): string {
  const e = toBackendError(err);
  const label: Record<ErrorCode, string> = {
    invalid_input: 'Invalid input',
    unauthenticated: 'Not signed in',
    not_found: 'Not found',
    forbidden: 'Not allowed',
    unavailable: 'Backend unavailable',
    internal: 'Internal error',
  };
  return `${label[e.code]}: ${e.message}`;
}
