//! What the console's queue summary shows besides counts: unfinished rows per channel, and the
//! failures grouped so that one broken provider shows as one line, not a thousand rows.
//!
//! Grouping happens here, in Rust, on a bounded sample the store reads through its status
//! index (the newest dead and the newest failed rows), so both stores group identically and
//! neither needs regular expressions in SQL. An error's *pattern* is its text with numbers and
//! ids replaced by `#`, except the status code a person reads it by: "HTTP 410 for sub 123"
//! and "HTTP 410 for sub 456" are one group, "HTTP 404 …" another.

use super::QueueStatus;
use crate::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Unfinished rows of one channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelDepth {
    pub channel: String,
    /// Pending and due now (waiting for a worker).
    pub due: i64,
    /// Pending with a later scheduled time (deferred by quiet hours, scheduled sends).
    pub scheduled: i64,
    /// Failed, waiting for their retry time.
    pub retrying: i64,
    /// Leased by a worker right now.
    pub processing: i64,
}

impl ChannelDepth {
    pub fn total(&self) -> i64 {
        self.due + self.scheduled + self.retrying + self.processing
    }
}

/// One dead or failed row, as much as grouping needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureSample {
    pub id: i64,
    pub status: QueueStatus,
    pub channel: String,
    pub provider: Option<String>,
    pub last_error: Option<String>,
    pub updated_at: Timestamp,
}

/// Failures with the same provider, channel and error pattern.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureGroup {
    pub provider: Option<String>,
    pub channel: String,
    /// The error with numbers and ids replaced by `#` (see [`error_pattern`]).
    pub pattern: String,
    /// The newest row's error as written.
    pub example_error: String,
    pub count: i64,
    pub dead: i64,
    pub failed: i64,
    /// The newest row of the group (highest id).
    pub newest_id: i64,
    pub newest_at: Timestamp,
}

/// Grouped failures of a bounded sample.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureReport {
    /// Most rows first, then newest first.
    pub groups: Vec<FailureGroup>,
    /// Rows read.
    pub scanned: i64,
    /// The sample hit its cap: older failures exist and are not counted.
    pub truncated: bool,
}

/// Most groups a report keeps (the rest are the long tail).
pub const MAX_GROUPS: usize = 100;

/// Longest pattern kept, in characters.
const MAX_PATTERN: usize = 160;

/// Words after which a 3-digit number is a status code worth keeping.
const CODE_WORDS: &[&str] = &["http", "status", "smtp"];

/// The error with numbers and ids replaced by `#`: every word holding a digit or an `@` (ids,
/// phone numbers, addresses, URLs with ids, timings) becomes `#`, except a status code: a
/// 3-digit number from 100 to 599 that opens the message or follows "HTTP", "status" or
/// "SMTP", and any number after "code". Whitespace collapses; long texts are cut.
pub fn error_pattern(error: &str) -> String {
    let is_word = |c: char| c.is_alphanumeric() || "_-@+/.:%=".contains(c);
    let mut out = String::new();
    let mut prev_word: Option<String> = None;
    let mut first = true;
    let mut rest = error.trim();
    while !rest.is_empty() {
        let end = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
        if end == 0 {
            let c = rest.chars().next().unwrap_or(' ');
            if c.is_whitespace() {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        // Trailing punctuation belongs to the sentence, not the word ("410:", "user.").
        let word = rest[..end].trim_end_matches(['.', ':', '-', '=']);
        let word = if word.is_empty() { &rest[..end] } else { word };
        let keep = match word.parse::<u32>() {
            Ok(n) if word.len() == 3 && (100..600).contains(&n) => {
                first
                    || prev_word
                        .as_deref()
                        .is_some_and(|p| CODE_WORDS.contains(&p))
                    || prev_word.as_deref() == Some("code")
            }
            Ok(_) => prev_word.as_deref() == Some("code"),
            Err(_) => !word.contains(|c: char| c.is_ascii_digit() || c == '@'),
        };
        out.push_str(if keep { word } else { "#" });
        prev_word = Some(word.to_ascii_lowercase());
        first = false;
        rest = &rest[word.len()..];
    }
    let out = out.trim();
    match out.char_indices().nth(MAX_PATTERN) {
        Some((i, _)) => format!("{}…", &out[..i]),
        None => out.to_owned(),
    }
}

/// Groups a sample by (provider, channel, error pattern). `truncated` says the sample was cut.
pub fn group_failures(samples: Vec<FailureSample>, truncated: bool) -> FailureReport {
    let scanned = samples.len() as i64;
    let mut groups: HashMap<(Option<String>, String, String), FailureGroup> = HashMap::new();
    for s in samples {
        let error = s.last_error.unwrap_or_default();
        let pattern = error_pattern(&error);
        let key = (s.provider.clone(), s.channel.clone(), pattern.clone());
        let g = groups.entry(key).or_insert_with(|| FailureGroup {
            provider: s.provider,
            channel: s.channel,
            pattern,
            example_error: error.clone(),
            count: 0,
            dead: 0,
            failed: 0,
            newest_id: s.id,
            newest_at: s.updated_at,
        });
        g.count += 1;
        match s.status {
            QueueStatus::Dead => g.dead += 1,
            _ => g.failed += 1,
        }
        if s.id >= g.newest_id {
            g.newest_id = s.id;
            g.newest_at = s.updated_at;
            g.example_error = error;
        }
    }
    let mut groups: Vec<FailureGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.newest_id.cmp(&a.newest_id)));
    groups.truncate(MAX_GROUPS);
    FailureReport {
        groups,
        scanned,
        truncated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_go_status_codes_stay() {
        assert_eq!(
            error_pattern("HTTP 410 for sub 123"),
            error_pattern("HTTP 410 for sub 456")
        );
        assert_eq!(error_pattern("HTTP 410 for sub 123"), "HTTP 410 for sub #");
        assert_ne!(
            error_pattern("HTTP 410 for sub 1"),
            error_pattern("HTTP 404 for sub 1")
        );
        assert_eq!(error_pattern("550 no such user"), "550 no such user");
        assert_eq!(
            error_pattern("550 5.1.1 <wanjiku@example.co.ke>: user unknown"),
            "550 # <#>: user unknown"
        );
        assert_eq!(
            error_pattern("HTTP 400, code 21211: The 'To' number +254712345678 is not valid."),
            "HTTP 400, code 21211: The 'To' number # is not valid."
        );
        assert_eq!(
            error_pattern("subscription gone (HTTP 410: https://push.example/sub/abc123)"),
            "subscription gone (HTTP 410: #)"
        );
        assert_eq!(
            error_pattern("timed out after 30000 ms"),
            "timed out after # ms"
        );
        assert_eq!(error_pattern("  a \n\t b  "), "a b");
        assert_eq!(error_pattern(""), "");
        assert!(error_pattern(&"word ".repeat(100)).ends_with('…'));
    }

    #[test]
    fn groups_count_and_keep_the_newest_example() {
        let s = |id, status, provider: &str, error: &str| FailureSample {
            id,
            status,
            channel: "push".into(),
            provider: Some(provider.into()),
            last_error: Some(error.into()),
            updated_at: Timestamp(id),
        };
        let report = group_failures(
            vec![
                s(3, QueueStatus::Dead, "webpush", "HTTP 410 for sub 123"),
                s(9, QueueStatus::Failed, "webpush", "HTTP 410 for sub 456"),
                s(5, QueueStatus::Dead, "webpush", "HTTP 500 for sub 456"),
                s(7, QueueStatus::Dead, "other", "HTTP 410 for sub 1"),
            ],
            false,
        );
        assert_eq!(report.scanned, 4);
        let first = &report.groups[0];
        assert_eq!((first.count, first.dead, first.failed), (2, 1, 1));
        assert_eq!(first.newest_id, 9);
        assert_eq!(first.example_error, "HTTP 410 for sub 456");
        assert_eq!(report.groups.len(), 3);
    }
}
