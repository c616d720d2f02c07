// The one typed surface the UI uses to reach the Rust API. Both transports
// (Tauri IPC and loopback HTTP) carry exactly these commands; the request and
// response types are generated from crates/api (see src/bindings/).
//
// Only the contract's top-level type names are imported from the bindings;
// nested enums are reached through indexed access so that the generated file
// names of helper types do not matter here.
import type { AddConnectionRequest } from '../../bindings/AddConnectionRequest';
import type { AlertSettings } from '../../bindings/AlertSettings';
import type { ConnectionInfo } from '../../bindings/ConnectionInfo';
import type { ActivityPage } from '../../bindings/ActivityPage';
import type { ActivityQuery } from '../../bindings/ActivityQuery';
import type { ApiError } from '../../bindings/ApiError';
import type { AuditPage } from '../../bindings/AuditPage';
import type { AuditQuery } from '../../bindings/AuditQuery';
import type { AuditRecord } from '../../bindings/AuditRecord';
import type { ChangeSetQuery } from '../../bindings/ChangeSetQuery';
import type { ConsoleStatus } from '../../bindings/ConsoleStatus';
import type { LogExtent } from '../../bindings/LogExtent';
import type { OperatorInfo } from '../../bindings/OperatorInfo';
import type { SignInRequest } from '../../bindings/SignInRequest';
import type { SignOutRequest } from '../../bindings/SignOutRequest';
import type { WhoAmIRequest } from '../../bindings/WhoAmIRequest';
import type { StatusRequest } from '../../bindings/StatusRequest';
import type { VerifyQuery } from '../../bindings/VerifyQuery';
import type { VerifyReport } from '../../bindings/VerifyReport';
import type { VerifyId } from '../../bindings/VerifyId';
import type { VerifyStatus } from '../../bindings/VerifyStatus';
import type { GetNotificationRequest } from '../../bindings/GetNotificationRequest';
import type { GetPreferencesRequest } from '../../bindings/GetPreferencesRequest';
import type { GetTemplateRequest } from '../../bindings/GetTemplateRequest';
import type { ListNotificationsRequest } from '../../bindings/ListNotificationsRequest';
import type { ListTemplatesRequest } from '../../bindings/ListTemplatesRequest';
import type { NotificationPage } from '../../bindings/NotificationPage';
import type { NotificationView } from '../../bindings/NotificationView';
import type { PreferencesSaved } from '../../bindings/PreferencesSaved';
import type { PreviewTemplateRequest } from '../../bindings/PreviewTemplateRequest';
import type { QueueActionRequest } from '../../bindings/QueueActionRequest';
import type { QueueActionResult } from '../../bindings/QueueActionResult';
import type { QueueSummary } from '../../bindings/QueueSummary';
import type { QueueSummaryRequest } from '../../bindings/QueueSummaryRequest';
import type { SaveTemplateRequest } from '../../bindings/SaveTemplateRequest';
import type { SaveTemplateResult } from '../../bindings/SaveTemplateResult';
import type { SendTestResult } from '../../bindings/SendTestResult';
import type { SendTestTemplateRequest } from '../../bindings/SendTestTemplateRequest';
import type { SetPreferencesRequest } from '../../bindings/SetPreferencesRequest';
import type { TemplateDetail } from '../../bindings/TemplateDetail';
import type { TemplateList } from '../../bindings/TemplateList';
import type { TemplatePreview } from '../../bindings/TemplatePreview';
import type { UserPreferences } from '../../bindings/UserPreferences';
import type { ExportId } from '../../bindings/ExportId';
import type { ExportRequest } from '../../bindings/ExportRequest';
import type { ExportStatus } from '../../bindings/ExportStatus';
import type { FieldLastChange } from '../../bindings/FieldLastChange';
import type { FieldLastChangesQuery } from '../../bindings/FieldLastChangesQuery';
import type { Overview } from '../../bindings/Overview';
import type { OverviewRequest } from '../../bindings/OverviewRequest';

export type ErrorCode = ApiError['code'];

/** Command name → [request, response]. Mirrors the Api methods in crates/api. */
export interface Commands {
  sign_in: [SignInRequest, OperatorInfo];
  sign_out: [SignOutRequest, unknown];
  whoami: [WhoAmIRequest, OperatorInfo];
  status: [StatusRequest, ConsoleStatus];
  list_activity: [ActivityQuery, ActivityPage];
  list_audit: [AuditQuery, AuditPage];
  activity_extent: [ActivityQuery, LogExtent];
  audit_extent: [AuditQuery, LogExtent];
  get_change_set: [ChangeSetQuery, AuditRecord[]];
  verify_audit: [VerifyQuery, VerifyReport];
  start_verify: [VerifyQuery, VerifyStatus];
  verify_status: [VerifyId, VerifyStatus];
  cancel_verify: [VerifyId, VerifyStatus];
  queue_summary: [QueueSummaryRequest, QueueSummary];
  list_notifications: [ListNotificationsRequest, NotificationPage];
  get_notification: [GetNotificationRequest, NotificationView];
  queue_action: [QueueActionRequest, QueueActionResult];
  list_templates: [ListTemplatesRequest, TemplateList];
  get_template: [GetTemplateRequest, TemplateDetail];
  preview_template: [PreviewTemplateRequest, TemplatePreview];
  save_template: [SaveTemplateRequest, SaveTemplateResult];
  send_test_template: [SendTestTemplateRequest, SendTestResult];
  get_preferences: [GetPreferencesRequest, UserPreferences];
  set_preferences: [SetPreferencesRequest, PreferencesSaved];
  overview: [OverviewRequest, Overview];
  field_last_changes: [FieldLastChangesQuery, FieldLastChange[]];
  start_export: [ExportRequest, ExportStatus];
  export_status: [ExportId, ExportStatus];
  cancel_export: [ExportId, ExportStatus];
  get_alert_settings: [Record<string, never>, AlertSettings];
  set_alert_settings: [AlertSettings, AlertSettings];
  // Desktop only (the shell's databases); a browser has the one server it came from.
  list_connections: [Record<string, never>, ConnectionInfo[]];
  add_connection: [AddConnectionRequest, ConnectionInfo[]];
  remove_connection: [{ id: string }, ConnectionInfo[]];
  switch_connection: [{ id: string }, ConnectionInfo[]];
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
  /** The newest and oldest rows' keys of what `listActivity` lists (cursor and limit ignored), and how many: exact up to a cap. */
  activityExtent(req: ActivityQuery): Promise<LogExtent>;
  /** Like `activityExtent`, for `listAudit` (keys are `(ts, seq)`). */
  auditExtent(req: AuditQuery): Promise<LogExtent>;
  getChangeSet(req: ChangeSetQuery): Promise<AuditRecord[]>;
  verifyAudit(req: VerifyQuery): Promise<VerifyReport>;
  /** Starts re-walking the hash chain in the background (`verify_audit`); poll its status. */
  startVerify(req: VerifyQuery): Promise<VerifyStatus>;
  verifyStatus(req: VerifyId): Promise<VerifyStatus>;
  /** Stops a running verification at its next chunk; it ends `cancelled`. */
  cancelVerify(req: VerifyId): Promise<VerifyStatus>;
  /** Counts per status, queue depth per channel and grouped failures (`view_queue`). */
  queueSummary(req: QueueSummaryRequest): Promise<QueueSummary>;
  /** Filtered notifications, newest first, keyset-paged (`view_queue`). */
  listNotifications(req: ListNotificationsRequest): Promise<NotificationPage>;
  /** One notification: attempts, fan-out decisions and its status in words (`view_queue`). */
  getNotification(req: GetNotificationRequest): Promise<NotificationView>;
  /** Retry, cancel or requeue by ids or a filter with a status; `dry_run` only counts (`manage_queue`). */
  queueAction(req: QueueActionRequest): Promise<QueueActionResult>;
  /** Every template with its channels' current versions (`view_templates`). */
  listTemplates(req: ListTemplatesRequest): Promise<TemplateList>;
  /** One template: each channel's current version and version history (`view_templates`). */
  getTemplate(req: GetTemplateRequest): Promise<TemplateDetail>;
  /** Renders an unsaved edit; problems (with line/column) come back in the answer (`view_templates`). */
  previewTemplate(req: PreviewTemplateRequest): Promise<TemplatePreview>;
  /** Validates and stores a new version; audited old → new (`edit_templates`). */
  saveTemplate(req: SaveTemplateRequest): Promise<SaveTemplateResult>;
  /** Queues one real notification of the template to the signed-in operator (`edit_templates`). */
  sendTestTemplate(req: SendTestTemplateRequest): Promise<SendTestResult>;
  /** A user's effective notification preferences (`view_preferences`). */
  getPreferences(req: GetPreferencesRequest): Promise<UserPreferences>;
  /** Validates and replaces a user's preferences; audited old → new (`edit_preferences`). */
  setPreferences(req: SetPreferencesRequest): Promise<PreferencesSaved>;
  /** Charts for the overview page (`view_overview`). */
  overview(req: OverviewRequest): Promise<Overview>;
  /** The newest change of each field of one record. */
  fieldLastChanges(req: FieldLastChangesQuery): Promise<FieldLastChange[]>;
  /** Starts writing the filtered rows to a file; poll `exportStatus` until it is no longer running. */
  startExport(req: ExportRequest): Promise<ExportStatus>;
  exportStatus(req: ExportId): Promise<ExportStatus>;
  cancelExport(req: ExportId): Promise<ExportStatus>;
  /** Which desktop alerts the operator gets. */
  getAlertSettings(): Promise<AlertSettings>;
  setAlertSettings(req: AlertSettings): Promise<AlertSettings>;
  /** Desktop only: the databases the console knows, which one is live. */
  listConnections(): Promise<ConnectionInfo[]>;
  /** Desktop only: saves a PostgreSQL connection (its password goes to the OS keychain). */
  addConnection(req: AddConnectionRequest): Promise<ConnectionInfo[]>;
  removeConnection(id: string): Promise<ConnectionInfo[]>;
  /** Desktop only: opens another database; whoever was signed in is signed out. */
  switchConnection(id: string): Promise<ConnectionInfo[]>;
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
    activityExtent: (req) => send('activity_extent', req),
    auditExtent: (req) => send('audit_extent', req),
    getChangeSet: (req) => send('get_change_set', req),
    verifyAudit: (req) => send('verify_audit', req),
    startVerify: (req) => send('start_verify', req),
    verifyStatus: (req) => send('verify_status', req),
    cancelVerify: (req) => send('cancel_verify', req),
    queueSummary: (req) => send('queue_summary', req),
    listNotifications: (req) => send('list_notifications', req),
    getNotification: (req) => send('get_notification', req),
    queueAction: (req) => send('queue_action', req),
    listTemplates: (req) => send('list_templates', req),
    getTemplate: (req) => send('get_template', req),
    previewTemplate: (req) => send('preview_template', req),
    saveTemplate: (req) => send('save_template', req),
    sendTestTemplate: (req) => send('send_test_template', req),
    getPreferences: (req) => send('get_preferences', req),
    setPreferences: (req) => send('set_preferences', req),
    overview: (req) => send('overview', req),
    fieldLastChanges: (req) => send('field_last_changes', req),
    startExport: (req) => send('start_export', req),
    exportStatus: (req) => send('export_status', req),
    cancelExport: (req) => send('cancel_export', req),
    getAlertSettings: () => send('get_alert_settings', {}),
    setAlertSettings: (req) => send('set_alert_settings', req),
    listConnections: () => send('list_connections', {}),
    addConnection: (req) => send('add_connection', req),
    removeConnection: (id) => send('remove_connection', { id }),
    switchConnection: (id) => send('switch_connection', { id }),
  };
}
