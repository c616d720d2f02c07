//! Mapping driver errors to `StoreError`, and keeping passwords out of every message.

use gurumisha_core::StoreError;

/// Maps a sqlx error: lost or unreachable server → `Unavailable`; unique and foreign-key
/// violations → `Conflict`; the rest → `Database`. The full error goes to `tracing`.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    use sqlx::Error as E;
    tracing::debug!(error = ?e, "postgres error");
    match &e {
        E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => {
            StoreError::Unavailable(e.to_string())
        }
        E::Database(d) => {
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            match code.as_str() {
                // unique_violation, foreign_key_violation, exclusion_violation
                "23505" | "23503" | "23P01" => StoreError::Conflict(d.message().to_owned()),
                // connection exceptions, admin/crash shutdown, cannot connect now
                c if c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03") => {
                    StoreError::Unavailable(d.message().to_owned())
                }
                _ => StoreError::Database(d.message().to_owned()),
            }
        }
        _ => StoreError::Database(e.to_string()),
    }
}

/// Splits a URL into (before userinfo, userinfo, after userinfo) if it has an authority part.
fn split_userinfo(url: &str) -> Option<(&str, &str, &str)> {
    let start = url.find("://")? + 3;
    let rest = &url[start..];
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest[..auth_end].rfind('@')?;
    Some((&url[..start], &rest[..at], &rest[at..]))
}

/// The password of a URL, both as written and percent-decoded, if it has one (in the userinfo
/// or as a `password=` query parameter).
pub(crate) fn secrets(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Some((_, userinfo, _)) = split_userinfo(url) {
        if let Some((_, pw)) = userinfo.split_once(':') {
            out.push(pw.to_owned());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split(['&', '#']) {
            if let Some(("password", pw)) = pair.split_once('=') {
                out.push(pw.to_owned());
            }
        }
    }
    let decoded: Vec<String> = out.iter().map(|s| percent_decode(s)).collect();
    out.extend(decoded);
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}

/// The URL with any password removed (userinfo and `password=` query parameter).
pub fn redact_url(url: &str) -> String {
    let mut s = match split_userinfo(url) {
        Some((head, userinfo, tail)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{head}{user}{tail}")
        }
        None => url.to_owned(),
    };
    if let Some(q) = s.find('?') {
        let (base, query) = s.split_at(q + 1);
        let (query, fragment) = match query.find('#') {
            Some(h) => query.split_at(h),
            None => (query, ""),
        };
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with("password=") && *p != "password")
            .collect();
        let base = if kept.is_empty() {
            &base[..base.len() - 1]
        } else {
            base
        };
        s = format!("{base}{}{fragment}", kept.join("&"));
    }
    s
}

/// Replaces every occurrence of the URL's password in `msg`.
pub(crate) fn scrub(msg: String, secrets: &[String]) -> String {
    secrets.iter().fold(msg, |m, s| {
        if m.contains(s.as_str()) {
            m.replace(s.as_str(), "***")
        } else {
            m
        }
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hi = (b[i + 1] as char).to_digit(16);
            let lo = (b[i + 2] as char).to_digit(16);
            if let (Some(hi), Some(lo)) = (hi, lo) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_removed() {
        assert_eq!(
            redact_url("postgres://app:s3cr%40t@db.example:5432/gm?sslmode=require"),
            "postgres://app@db.example:5432/gm?sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/postgres"),
            "postgres://postgres@127.0.0.1:5432/postgres"
        );
        assert_eq!(
            redact_url("postgres://u@h/db?password=x&sslmode=disable"),
            "postgres://u@h/db?sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://u@h/db?password=x"),
            "postgres://u@h/db"
        );
        // An '@' inside the path is not userinfo.
        assert_eq!(redact_url("postgres://h/db@x"), "postgres://h/db@x");
    }

    #[test]
    fn secrets_are_found_and_scrubbed() {
        let s = secrets("postgres://app:s3cr%40t@h/db?password=other");
        assert!(s.contains(&"s3cr%40t".to_owned()));
        assert!(s.contains(&"s3cr@t".to_owned()));
        assert!(s.contains(&"other".to_owned()));
        assert_eq!(scrub("bad s3cr@t and other".into(), &s), "bad *** and ***");
        assert!(secrets("postgres://u@h/db").is_empty());
    }
}
