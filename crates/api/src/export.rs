//! Exports of a filtered activity or audit set as CSV (formula-safe) or JSON Lines, streamed
//! page by page (keyset) into a file by a background task, with progress and cancellation.
//!
//! The transport picks the file: the desktop shell asks with a native save dialog, the HTTP
//! server writes into its own export directory and serves the result to the same operator.
//! Starting an export is recorded (`export`, with the filter) before the first row is read.

use crate::access::Permission;
use crate::types::*;
use crate::{ApiError, Console};
use gurumisha_core::domain::Severity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportKind {
    Activity,
    Audit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Jsonl => "jsonl",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    pub kind: ExportKind,
    pub format: ExportFormat,
    /// The activity filter (for `kind: activity`); cursor and limit are ignored.
    #[ts(optional)]
    #[serde(default)]
    pub activity: Option<ActivityQuery>,
    /// The audit filter (for `kind: audit`); cursor and limit are ignored.
    #[ts(optional)]
    #[serde(default)]
    pub audit: Option<AuditQuery>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportId {
    pub export_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportStatus {
    pub export_id: String,
    pub state: JobState,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Rows expected, when known cheaply (an unfiltered export); `null` otherwise.
    #[ts(type = "number | null")]
    pub total_estimate: Option<i64>,
    /// Where the file is (desktop).
    pub path: Option<String>,
    /// Where to download it from when done (HTTP).
    pub download_url: Option<String>,
    pub error: Option<String>,
}

struct Job {
    owner: i64,
    status: Arc<Mutex<ExportStatus>>,
    cancel: CancellationToken,
    path: PathBuf,
}

/// Running and finished exports of this process.
#[derive(Default)]
pub struct Exports {
    jobs: Mutex<HashMap<String, Job>>,
}

impl Exports {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn lock(s: &Mutex<ExportStatus>) -> std::sync::MutexGuard<'_, ExportStatus> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(ApiErrorCode::NotFound, format!("no export {id:?}"))
}

impl Console {
    /// Starts writing the filtered set to `path`. With `download_base` (HTTP) the status
    /// reports `download_base` + the export's id as its download URL when done, else the path.
    pub async fn start_export(
        &self,
        req: ExportRequest,
        path: PathBuf,
        download_base: Option<&str>,
    ) -> Result<ExportStatus, ApiError> {
        self.authorize_export(req.kind).await?;
        let mut req = req;
        if let Some(q) = req.activity.as_mut().filter(|q| q.mine == Some(true)) {
            q.user_id = Some(self.operator().user_id);
            q.username = None;
        }
        let filter = match req.kind {
            ExportKind::Activity => serde_json::to_value(req.activity.clone().unwrap_or_default()),
            ExportKind::Audit => serde_json::to_value(req.audit.clone().unwrap_or_default()),
        }
        .map(describe_filter)
        .unwrap_or_default();
        let (what, severity) = match req.kind {
            ExportKind::Activity => ("activity", Severity::Medium),
            ExportKind::Audit => ("the audit trail", Severity::High),
        };
        self.record(
            "export",
            match req.kind {
                ExportKind::Activity => "activity_log",
                ExportKind::Audit => "audit_log",
            },
            None,
            format!(
                "exported {what} as {} ({filter}) to {}",
                req.format.extension().to_uppercase(),
                path.display()
            ),
            severity,
            None,
        )
        .await?;

        let total_estimate = match req.kind {
            ExportKind::Activity
                if is_unfiltered(&serde_json::to_value(&req.activity).unwrap_or_default()) =>
            {
                Some(self.api().store().estimate_activity().await?)
            }
            ExportKind::Audit
                if is_unfiltered(&serde_json::to_value(&req.audit).unwrap_or_default()) =>
            {
                self.api().store().audit_head().await?.map(|h| h.0)
            }
            _ => None,
        };
        let export_id = uuid::Uuid::new_v4().simple().to_string();
        let download_url = download_base.map(|b| format!("{b}{export_id}"));
        let status = Arc::new(Mutex::new(ExportStatus {
            export_id: export_id.clone(),
            state: JobState::Running,
            rows: 0,
            bytes: 0,
            total_estimate,
            path: download_url.is_none().then(|| path.display().to_string()),
            download_url: None,
            error: None,
        }));
        let cancel = CancellationToken::new();
        self.api().exports().lock().insert(
            export_id.clone(),
            Job {
                owner: self.operator().user_id,
                status: status.clone(),
                cancel: cancel.clone(),
                path: path.clone(),
            },
        );
        let api = self.api().clone();
        let st = status.clone();
        tokio::spawn(async move {
            let result = write_export(&api, &req, &path, &st, &cancel).await;
            let mut s = lock(&st);
            match result {
                Ok(()) if cancel.is_cancelled() => s.state = JobState::Cancelled,
                Ok(()) => {
                    s.state = JobState::Done;
                    s.download_url = download_url;
                }
                Err(e) => {
                    tracing::warn!(error = %e.message, "export failed");
                    s.state = JobState::Failed;
                    s.error = Some(e.message);
                }
            }
            if s.state == JobState::Cancelled {
                // A cancelled export leaves no partial file behind.
                let _ = std::fs::remove_file(&path);
            }
        });
        let s = lock(&status).clone();
        Ok(s)
    }

    /// Whether this operator may export `kind` (a refusal is recorded). The desktop shell asks
    /// before it opens the save dialog.
    pub async fn authorize_export(&self, kind: ExportKind) -> Result<(), ApiError> {
        self.require(match kind {
            ExportKind::Activity => Permission::ExportActivity,
            ExportKind::Audit => Permission::ExportAudit,
        })
        .await
    }

    /// The status of an export that never started because no file was chosen.
    pub fn export_not_started() -> ExportStatus {
        ExportStatus {
            export_id: String::new(),
            state: JobState::Cancelled,
            rows: 0,
            bytes: 0,
            total_estimate: None,
            path: None,
            download_url: None,
            error: None,
        }
    }

    pub async fn export_status(&self, req: ExportId) -> Result<ExportStatus, ApiError> {
        let jobs = self.api().exports().lock();
        match jobs.get(&req.export_id) {
            Some(j) if j.owner == self.operator().user_id => Ok(lock(&j.status).clone()),
            _ => Err(not_found(&req.export_id)),
        }
    }

    pub async fn cancel_export(&self, req: ExportId) -> Result<ExportStatus, ApiError> {
        let jobs = self.api().exports().lock();
        match jobs.get(&req.export_id) {
            Some(j) if j.owner == self.operator().user_id => {
                j.cancel.cancel();
                Ok(lock(&j.status).clone())
            }
            _ => Err(not_found(&req.export_id)),
        }
    }

    /// The finished file of one of this operator's exports (for the HTTP download).
    pub fn export_file(&self, export_id: &str) -> Result<(PathBuf, ExportStatus), ApiError> {
        let jobs = self.api().exports().lock();
        match jobs.get(export_id) {
            Some(j) if j.owner == self.operator().user_id => {
                let s = lock(&j.status).clone();
                if s.state != JobState::Done {
                    return Err(ApiError::invalid(format!(
                        "invalid export_id: export {export_id} is not finished"
                    )));
                }
                Ok((j.path.clone(), s))
            }
            _ => Err(not_found(export_id)),
        }
    }
}

/// The set filter fields as `key=value, ...` for the audit trail.
fn describe_filter(v: serde_json::Value) -> String {
    let parts: Vec<String> = v
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| !v.is_null() && *k != "cursor" && *k != "limit")
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => format!("{k}={s}"),
            other => format!("{k}={other}"),
        })
        .collect();
    if parts.is_empty() {
        "everything".into()
    } else {
        format!("filter: {}", parts.join(", "))
    }
}

fn is_unfiltered(v: &serde_json::Value) -> bool {
    describe_filter(v.clone()) == "everything"
}

async fn write_export(
    api: &crate::Api,
    req: &ExportRequest,
    path: &Path,
    status: &Mutex<ExportStatus>,
    cancel: &CancellationToken,
) -> Result<(), ApiError> {
    let io = |e: std::io::Error| {
        ApiError::new(
            ApiErrorCode::Internal,
            format!("cannot write {}: {e}", path.display()),
        )
    };
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
    }
    let file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut out = tokio::io::BufWriter::with_capacity(1 << 16, file);
    let csv = req.format == ExportFormat::Csv;
    if csv {
        let header = match req.kind {
            ExportKind::Activity => ACTIVITY_COLUMNS,
            ExportKind::Audit => AUDIT_COLUMNS,
        }
        .join(",")
            + "\r\n";
        out.write_all(header.as_bytes()).await.map_err(io)?;
        lock(status).bytes += header.len() as u64;
    }
    let mut cursor: Option<String> = None;
    loop {
        if cancel.is_cancelled() {
            return Ok(());
        }
        let mut buf = String::new();
        let (rows, next) = match req.kind {
            ExportKind::Activity => {
                let mut q = req.activity.clone().unwrap_or_default();
                q.cursor = cursor.clone();
                q.limit = Some(gurumisha_core::query::PageRequest::MAX);
                let page = api.list_activity(q).await?;
                for r in &page.items {
                    if csv {
                        activity_csv(r, &mut buf);
                    } else {
                        jsonl(r, &mut buf)?;
                    }
                }
                (page.items.len(), page.next_cursor)
            }
            ExportKind::Audit => {
                let mut q = req.audit.clone().unwrap_or_default();
                q.cursor = cursor.clone();
                q.limit = Some(gurumisha_core::query::PageRequest::MAX);
                let page = api.list_audit(q).await?;
                for r in &page.items {
                    if csv {
                        audit_csv(r, &mut buf);
                    } else {
                        jsonl(r, &mut buf)?;
                    }
                }
                (page.items.len(), page.next_cursor)
            }
        };
        out.write_all(buf.as_bytes()).await.map_err(io)?;
        {
            let mut s = lock(status);
            s.rows += rows as u64;
            s.bytes += buf.len() as u64;
        }
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    out.flush().await.map_err(io)?;
    out.into_inner().sync_all().await.map_err(io)?;
    Ok(())
}

const ACTIVITY_COLUMNS: &[&str] = &[
    "id",
    "timestamp",
    "user_id",
    "username",
    "action",
    "description",
    "ip_address",
    "user_agent",
    "session_id",
    "request_id",
    "object_type",
    "object_id",
    "object_display",
    "outcome",
    "extra_data",
    "content_flags",
];

const AUDIT_COLUMNS: &[&str] = &[
    "seq",
    "timestamp",
    "user_id",
    "username",
    "action_type",
    "table_name",
    "record_id",
    "field_name",
    "old_value",
    "new_value",
    "severity",
    "description",
    "ip_address",
    "user_agent",
    "change_set_id",
    "content_flags",
    "prev_hash",
    "hash",
];

fn jsonl<T: Serialize>(row: &T, buf: &mut String) -> Result<(), ApiError> {
    let line = serde_json::to_string(row)
        .map_err(|e| ApiError::new(ApiErrorCode::Internal, format!("cannot encode a row: {e}")))?;
    buf.push_str(&line);
    buf.push('\n');
    Ok(())
}

/// One CSV cell: quoted when needed, and a text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`, tab or carriage return) gets a leading `'` (OWASP's
/// advice), so opening an export never executes what a user typed into the platform.
pub fn csv_cell(text: &str, buf: &mut String) {
    let formula = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let quote = formula || text.contains([',', '"', '\n', '\r']);
    if quote {
        buf.push('"');
    }
    if formula {
        buf.push('\'');
    }
    if quote {
        buf.push_str(&text.replace('"', "\"\""));
        buf.push('"');
    } else {
        buf.push_str(text);
    }
}

fn cells(values: &[Option<String>], buf: &mut String) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            buf.push(',');
        }
        if let Some(v) = v {
            csv_cell(v, buf);
        }
    }
    buf.push_str("\r\n");
}

fn json_text(v: &serde_json::Value) -> String {
    v.to_string()
}

fn activity_csv(r: &ActivityRecord, buf: &mut String) {
    cells(
        &[
            Some(r.id.to_string()),
            Some(r.timestamp.to_rfc3339()),
            r.user_id.map(|u| u.to_string()),
            r.username.clone(),
            Some(r.action.clone()),
            Some(r.description.clone()),
            r.ip_address.clone(),
            r.user_agent.clone(),
            r.session_id.clone(),
            r.request_id.clone(),
            r.object_type.clone(),
            r.object_id.clone(),
            r.object_display.clone(),
            Some(r.outcome.as_str().to_owned()),
            Some(json_text(&r.extra_data)),
            Some(r.content_flags.join(" ")),
        ],
        buf,
    );
}

fn audit_csv(r: &AuditRecord, buf: &mut String) {
    cells(
        &[
            Some(r.seq.to_string()),
            Some(r.timestamp.to_rfc3339()),
            r.user_id.map(|u| u.to_string()),
            r.username.clone(),
            Some(r.action_type.clone()),
            Some(r.table_name.clone()),
            r.record_id.clone(),
            r.field_name.clone(),
            r.old_value.as_ref().map(json_text),
            r.new_value.as_ref().map(json_text),
            Some(r.severity.as_str().to_owned()),
            Some(r.description.clone()),
            r.ip_address.clone(),
            r.user_agent.clone(),
            r.change_set_id.clone(),
            Some(r.content_flags.join(" ")),
            Some(r.prev_hash.clone()),
            Some(r.hash.clone()),
        ],
        buf,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(s: &str) -> String {
        let mut b = String::new();
        csv_cell(s, &mut b);
        b
    }

    #[test]
    fn csv_cells_are_quoted_and_formula_safe() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(cell("+254712345678"), "\"'+254712345678\"");
        assert_eq!(cell("-1"), "\"'-1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn filters_are_described_for_the_audit_trail() {
        let q = ActivityQuery {
            action: Some("login".into()),
            cursor: Some("abc".into()),
            ..Default::default()
        };
        assert_eq!(
            describe_filter(serde_json::to_value(q).unwrap()),
            "filter: action=login"
        );
        assert_eq!(
            describe_filter(serde_json::to_value(ActivityQuery::default()).unwrap()),
            "everything"
        );
    }
}
