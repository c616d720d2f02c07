//! The query, verification and server commands: parse flags, call one API function, print.

use crate::output;
use anyhow::Context;
use clap::Args;
use gurumisha_api::types::*;
use gurumisha_api::Api;
use std::process::ExitCode;

pub async fn open(url: Option<String>) -> anyhow::Result<Api> {
    Api::open(url).await.map_err(|e| anyhow::anyhow!(e.message))
}

fn api_err(e: gurumisha_api::ApiError) -> anyhow::Error {
    anyhow::anyhow!(e.message)
}

pub async fn migrate(url: Option<String>) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    println!("migrations applied: {}", api.store().location());
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ActivityListArgs {
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    action: Option<String>,
    /// Related object as TYPE or TYPE:ID.
    #[arg(long)]
    object: Option<String>,
    #[arg(long)]
    ip: Option<String>,
    #[arg(long)]
    session: Option<String>,
    /// Inclusive start (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Exclusive end (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Free text (word prefixes, all required).
    #[arg(long)]
    text: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: u32,
    /// Continue after this cursor (printed at the end of the previous page).
    #[arg(long)]
    cursor: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn activity_list(url: Option<String>, a: ActivityListArgs) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    let (object_type, object_id) = match a
        .object
        .as_deref()
        .map(|o| o.split_once(':').map_or((o, None), |(t, i)| (t, Some(i))))
    {
        Some((t, i)) => (Some(t.to_owned()), i.map(str::to_owned)),
        None => (None, None),
    };
    let page = api
        .list_activity(ActivityQuery {
            username: a.user,
            action: a.action,
            object_type,
            object_id,
            ip: a.ip,
            session_id: a.session,
            from: a.from,
            to: a.to,
            text: a.text,
            cursor: a.cursor,
            limit: Some(a.limit),
            ..Default::default()
        })
        .await
        .map_err(api_err)?;
    if a.json {
        output::json_lines(&page.items)?;
    } else {
        output::activity_table(&page.items);
    }
    output::next_cursor(page.next_cursor.as_deref(), a.json);
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct AuditListArgs {
    #[arg(long)]
    user: Option<String>,
    #[arg(long)]
    table: Option<String>,
    #[arg(long)]
    record: Option<String>,
    #[arg(long)]
    field: Option<String>,
    #[arg(long)]
    action_type: Option<String>,
    /// critical, high, medium or low.
    #[arg(long)]
    severity: Option<String>,
    #[arg(long)]
    change_set: Option<String>,
    #[arg(long)]
    from: Option<String>,
    #[arg(long)]
    to: Option<String>,
    #[arg(long)]
    text: Option<String>,
    #[arg(long, default_value_t = 20)]
    limit: u32,
    #[arg(long)]
    cursor: Option<String>,
    #[arg(long)]
    json: bool,
}

pub async fn audit_list(url: Option<String>, a: AuditListArgs) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    let page = api
        .list_audit(AuditQuery {
            username: a.user,
            table_name: a.table,
            record_id: a.record,
            field_name: a.field,
            action_type: a.action_type,
            severity: a.severity,
            change_set_id: a.change_set,
            from: a.from,
            to: a.to,
            text: a.text,
            cursor: a.cursor,
            limit: Some(a.limit),
            ..Default::default()
        })
        .await
        .map_err(api_err)?;
    if a.json {
        output::json_lines(&page.items)?;
    } else {
        output::audit_table(&page.items);
    }
    output::next_cursor(page.next_cursor.as_deref(), a.json);
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ShowArgs {
    /// The change-set id (from `audit list`).
    change_set: String,
    #[arg(long)]
    json: bool,
}

pub async fn audit_show(url: Option<String>, a: ShowArgs) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    let rows = api
        .get_change_set(ChangeSetQuery {
            change_set_id: a.change_set,
        })
        .await
        .map_err(api_err)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        output::change_set(&rows);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct HistoryArgs {
    table: String,
    record: String,
    /// Only this field ("who last changed field X of record Y": add --limit 1).
    #[arg(long)]
    field: Option<String>,
    #[arg(long, default_value_t = 50)]
    limit: u32,
    #[arg(long)]
    json: bool,
}

pub async fn audit_history(url: Option<String>, a: HistoryArgs) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    let page = api
        .list_audit(AuditQuery {
            table_name: Some(a.table),
            record_id: Some(a.record),
            field_name: a.field,
            limit: Some(a.limit),
            ..Default::default()
        })
        .await
        .map_err(api_err)?;
    if a.json {
        output::json_lines(&page.items)?;
    } else {
        output::audit_table(&page.items);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct SecurityEventArgs {
    /// The event type (audit action type), e.g. permission_change, failed_login, data_access.
    #[arg(long = "type")]
    event_type: String,
    /// critical, high, medium or low.
    #[arg(long)]
    severity: String,
    #[arg(long)]
    description: String,
    /// The acting user's username, if any.
    #[arg(long)]
    user: Option<String>,
    /// The client's IP address, if any.
    #[arg(long)]
    ip: Option<String>,
}

pub async fn security_event(url: Option<String>, a: SecurityEventArgs) -> anyhow::Result<ExitCode> {
    use gurumisha_core::domain::{AuditActionType, Severity};
    use gurumisha_core::event::RequestContext;
    let api = open(url).await?;
    let event_type = AuditActionType::parse(&a.event_type).map_err(|e| api_err(e.into()))?;
    let severity = Severity::parse(&a.severity).map_err(|e| api_err(e.into()))?;
    let context =
        RequestContext::parse(a.ip.as_deref(), None, None, None).map_err(|e| api_err(e.into()))?;
    let user_id = match a.user.as_deref() {
        None => None,
        Some(name) => Some(
            api.store()
                .get_user_by_username(name)
                .await
                .map_err(|e| api_err(e.into()))?
                .ok_or_else(|| anyhow::anyhow!("invalid user: no user named {name:?}"))?
                .id,
        ),
    };
    let seq = api
        .recorder()
        .log_security_event(user_id, event_type, &a.description, severity, context)
        .await
        .map_err(|e| api_err(e.into()))?;
    println!("recorded audit row {seq}");
    Ok(ExitCode::SUCCESS)
}

pub async fn checkpoint(url: Option<String>, json: bool) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    match api
        .recorder()
        .checkpoint_now()
        .await
        .map_err(|e| api_err(e.into()))?
    {
        Some(cp) if json => println!(
            "{}",
            serde_json::json!({"seq": cp.seq, "head_hash": hex(&cp.head_hash), "key_id": cp.key_id})
        ),
        Some(cp) => println!("signed checkpoint at row {} (key {})", cp.seq, cp.key_id),
        None => println!("the audit trail is empty: nothing to sign"),
    }
    Ok(ExitCode::SUCCESS)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub async fn public_key(url: Option<String>) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    let key = api
        .recorder()
        .verifying_key()
        .context("no signing key is configured")?;
    println!("{}", hex(key.as_bytes()));
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct VerifyArgs {
    /// First sequence number to check (default: the start of the chain).
    #[arg(long)]
    from: Option<i64>,
    /// Last sequence number to check (default: the head).
    #[arg(long)]
    to: Option<i64>,
    #[arg(long)]
    json: bool,
}

pub async fn verify(url: Option<String>, a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let api = open(url).await?;
    let started = std::time::Instant::now();
    let report = api
        .verify_audit(VerifyQuery {
            from: a.from,
            to: a.to,
        })
        .await
        .map_err(api_err)?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else if let Some(p) = &report.problem {
        println!(
            "audit trail BROKEN at sequence number {}: {} ({})",
            p.seq,
            p.kind.as_str(),
            p.detail
        );
        println!(
            "checked {} rows and {} checkpoints before the problem",
            report.rows_checked, report.checkpoints_checked
        );
    } else {
        println!(
            "audit trail intact: {} rows, {} signed checkpoints, head {} ({:.2} s)",
            report.rows_checked,
            report.checkpoints_checked,
            report.head_seq.map_or("none".to_owned(), |s| s.to_string()),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Args)]
pub struct ServeArgs {
    /// Loopback address to listen on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:8765")]
    addr: std::net::SocketAddr,
    /// Directory of the built UI (ui/dist) to serve at `/`.
    #[arg(long)]
    ui_dir: Option<std::path::PathBuf>,
}

pub async fn serve(url: Option<String>, a: ServeArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let api = open(url).await?;
    let server = gurumisha_api::http::serve(api, a.addr, a.ui_dir, |addr| {
        println!("listening on http://{addr}");
        let _ = std::io::stdout().flush();
    });
    tokio::select! {
        r = server => r.context("HTTP server")?,
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(ExitCode::SUCCESS)
}
