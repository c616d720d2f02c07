// The one typed surface the UI uses to reach the Rust API. Both transports
// (Tauri IPC and loopback HTTP) carry exactly these commands; the request and
// response types are generated from crates/api (see src/bindings/).
//
// Only the contract's top-level type names are imported from the bindings;
// nested enums are reached through indexed access so that the generated file
// names of helper types do not matter here.
import type { ActivityPage } from '../../bindings/ActivityPage';
import type { ActivityQuery } from '../../bindings/ActivityQuery';
import type { ApiError } from '../../bindings/ApiError';
import type { AuditPage } from '../../bindings/AuditPage';
import type { AuditQuery } from '../../bindings/AuditQuery';
import type { AuditRecord } from '../../bindings/AuditRecord';
import type { ChangeSetQuery } from '../../bindings/ChangeSetQuery';
import type { ConsoleStatus } from '../../bindings/ConsoleStatus';
import type { OperatorInfo } from '../../bindings/OperatorInfo';
import type { SignInRequest } from '../../bindings/SignInRequest';
import type { SignOutRequest } from '../../bindings/SignOutRequest';
import type { WhoAmIRequest } from '../../bindings/WhoAmIRequest';
import type { StatusRequest } from '../../bindings/StatusRequest';
import type { VerifyQuery } from '../../bindings/VerifyQuery';
import type { VerifyReport } from '../../bindings/VerifyReport';

export type ErrorCode = ApiError['code'];

/** Command name → [request, response]. Mirrors the Api methods in crates/api. */
export interface Commands {
  sign_in: [SignInRequest, OperatorInfo];
  sign_out: [SignOutRequest, unknown];
  whoami: [WhoAmIRequest, OperatorInfo];
  status: [StatusRequest, ConsoleStatus];
  list_activity: [ActivityQuery, ActivityPage];
  list_audit: [AuditQuery, AuditPage];
  get_change_set: [ChangeSetQuery, AuditRecord[]];
  verify_audit: [VerifyQuery, VerifyReport];
}

export type CommandName = keyof Commands;
export type RequestOf<C extends CommandName> = Commands[C][0];
export type ResponseOf<C extends CommandName> = Commands[C][1];

/** Sends one command over some transport and resolves with its response. */
export type Transport = <C extends CommandName>(command: C, req: RequestOf<C>) => Promise<ResponseOf<C>>;

export interface Backend {
  /** Which transport is in use, for display and diagnostics. */
  readonly kind: 'tauri' | 'http';
  /** Checks a platform user's password and staff rights; the session stays in the backend. */
  signIn(req: SignInRequest): Promise<OperatorInfo>;
  signOut(): Promise<void>;
  /** The signed-in operator; rejects with `unauthenticated` when there is none. */
  whoami(): Promise<OperatorInfo>;
  status(): Promise<ConsoleStatus>;
  listActivity(req: ActivityQuery): Promise<ActivityPage>;
  listAudit(req: AuditQuery): Promise<AuditPage>;
  getChangeSet(req: ChangeSetQuery): Promise<AuditRecord[]>;
  verifyAudit(req: VerifyQuery): Promise<VerifyReport>;
}

export function backendOver(kind: Backend['kind'], send: Transport): Backend {
  return {
    kind,
    signIn: (req) => send('sign_in', req),
    signOut: async () => {
      await send('sign_out', {});
    },
    whoami: () => send('whoami', {}),
    status: () => send('status', {}),
    listActivity: (req) => send('list_activity', req),
    listAudit: (req) => send('list_audit', req),
    getChangeSet: (req) => send('get_change_set', req),
    verifyAudit: (req) => send('verify_audit', req),
  };
}
