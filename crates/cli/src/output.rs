//! Plain-text tables and JSON lines for the terminal.

use gurumisha_api::types::{ActivityRecord, AuditRecord};
use std::io::Write;

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn short_time(ts: &str) -> &str {
    // 2026-11-26T12:34:56.123456Z → 2026-11-26 12:34:56
    ts.get(..19).unwrap_or(ts)
}

pub fn json_lines<T: serde::Serialize>(items: &[T]) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    for i in items {
        serde_json::to_writer(&mut out, i)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

pub fn next_cursor(cursor: Option<&str>, json: bool) {
    if let Some(c) = cursor {
        if json {
            eprintln!("next cursor: {c}");
        } else {
            println!("-- more: --cursor {c}");
        }
    }
}

pub fn activity_table(items: &[ActivityRecord]) {
    println!(
        "{:>8}  {:19}  {:16}  {:16}  {:15}  DESCRIPTION",
        "ID", "TIME (UTC)", "USER", "ACTION", "IP"
    );
    for r in items {
        println!(
            "{:>8}  {:19}  {:16}  {:16}  {:15}  {}{}",
            r.id,
            short_time(&r.timestamp.to_rfc3339()),
            cut(r.username.as_deref().unwrap_or("-"), 16),
            cut(&r.action, 16),
            r.ip_address.as_deref().unwrap_or("-"),
            cut(&r.description, 70),
            if r.outcome == gurumisha_core::domain::Outcome::Failure {
                "  [FAILED]"
            } else {
                ""
            }
        );
    }
}

fn value(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "—".to_owned(),
        Some(v) => v.to_string(),
    }
}

pub fn audit_table(items: &[AuditRecord]) {
    println!(
        "{:>8}  {:19}  {:8}  {:17}  {:14}  {:30}  CHANGE",
        "SEQ", "TIME (UTC)", "SEVERITY", "ACTION", "USER", "TARGET"
    );
    for r in items {
        let target = format!(
            "{}{}{}",
            r.table_name,
            r.record_id
                .as_deref()
                .map(|id| format!("#{id}"))
                .unwrap_or_default(),
            r.field_name
                .as_deref()
                .map(|f| format!(".{f}"))
                .unwrap_or_default()
        );
        let change = if r.field_name.is_some() {
            format!(
                "{} → {}",
                cut(&value(&r.old_value), 24),
                cut(&value(&r.new_value), 24)
            )
        } else {
            cut(&r.description, 50)
        };
        println!(
            "{:>8}  {:19}  {:8}  {:17}  {:14}  {:30}  {}",
            r.seq,
            short_time(&r.timestamp.to_rfc3339()),
            r.severity.as_str(),
            cut(&r.action_type, 17),
            cut(r.username.as_deref().unwrap_or("-"), 14),
            cut(&target, 30),
            change
        );
    }
}

pub fn change_set(rows: &[AuditRecord]) {
    let Some(first) = rows.first() else { return };
    println!(
        "change set {}  {} {}#{}  by {}  at {}  severity {}",
        first.change_set_id.as_deref().unwrap_or("-"),
        first.action_type,
        first.table_name,
        first.record_id.as_deref().unwrap_or("-"),
        first.username.as_deref().unwrap_or("system"),
        first.timestamp.to_rfc3339(),
        first.severity.as_str()
    );
    println!("{:24}  {:30}  AFTER", "FIELD", "BEFORE");
    for r in rows {
        println!(
            "{:24}  {:30}  {}",
            r.field_name.as_deref().unwrap_or("-"),
            cut(&value(&r.old_value), 30),
            value(&r.new_value)
        );
    }
}
