//! Filters and keyset pagination shared by every store. Lists are newest first; the cursor is
//! an opaque token holding the (timestamp, id) of the last row shown, so a page never needs
//! OFFSET and a deep page costs the same as the first.

use crate::domain::Severity;
use crate::{StoreError, Timestamp};
use base64::Engine;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityFilter {
    pub user_id: Option<i64>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub ip: Option<String>,
    pub session_id: Option<String>,
    /// Inclusive lower bound.
    pub from: Option<Timestamp>,
    /// Exclusive upper bound.
    pub to: Option<Timestamp>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub table_name: Option<String>,
    pub record_id: Option<String>,
    pub field_name: Option<String>,
    pub action_type: Option<String>,
    pub severity: Option<Severity>,
    pub change_set_id: Option<String>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    pub text: Option<String>,
}

/// Position after which the next page starts (exclusive), newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub ts: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(self) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("v1:{}:{}", self.ts, self.id))
    }

    pub fn decode(s: &str) -> Result<Self, StoreError> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim())
            .map_err(|_| StoreError::InvalidCursor)?;
        let text = String::from_utf8(raw).map_err(|_| StoreError::InvalidCursor)?;
        let mut parts = text.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("v1"), Some(ts), Some(id), None) => Ok(Cursor {
                ts: ts.parse().map_err(|_| StoreError::InvalidCursor)?,
                id: id.parse().map_err(|_| StoreError::InvalidCursor)?,
            }),
            _ => Err(StoreError::InvalidCursor),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub limit: u32,
}

impl PageRequest {
    pub const MAX: u32 = 1000;
    pub const DEFAULT: u32 = 100;

    pub fn first(limit: u32) -> Self {
        Self {
            after: None,
            limit: limit.clamp(1, Self::MAX),
        }
    }

    pub fn new(cursor: Option<&str>, limit: Option<u32>) -> Result<Self, StoreError> {
        Ok(Self {
            after: cursor
                .filter(|c| !c.is_empty())
                .map(Cursor::decode)
                .transpose()?,
            limit: limit.unwrap_or(Self::DEFAULT).clamp(1, Self::MAX),
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says another page exists.
    pub fn from_overfetch(mut items: Vec<T>, limit: u32, key: impl Fn(&T) -> Cursor) -> Self {
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|t| key(t).encode())
        } else {
            None
        };
        Page { items, next_cursor }
    }
}

/// Splits free text into search terms both stores treat the same: runs of letters and digits,
/// lowercased, each matched as a word prefix, all required. Returns `None` for no terms.
pub fn search_terms(text: &str) -> Option<Vec<String>> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(8)
        .map(|t| t.to_lowercase())
        .collect();
    (!terms.is_empty()).then_some(terms)
}

/// Counts are capped, never a full `count(*)` over a log table.
pub const COUNT_CAP: i64 = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_garbage() {
        let c = Cursor {
            ts: 1_700_000_000_000_000,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("not a cursor").is_err());
        assert!(
            Cursor::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("v1:x:1"))
                .is_err()
        );
    }

    #[test]
    fn overfetch_sets_next_cursor() {
        let p = Page::from_overfetch(vec![(5, 5), (4, 4), (3, 3)], 2, |r| Cursor {
            ts: r.0,
            id: r.1,
        });
        assert_eq!(p.items.len(), 2);
        assert_eq!(
            Cursor::decode(p.next_cursor.as_ref().unwrap()).unwrap(),
            Cursor { ts: 4, id: 4 }
        );
        let p = Page::from_overfetch(vec![(5, 5)], 2, |r| Cursor { ts: r.0, id: r.1 });
        assert!(p.next_cursor.is_none());
    }

    #[test]
    fn terms_are_safe_words() {
        assert_eq!(
            search_terms("Toyota  \"Camry\" OR *"),
            Some(vec!["toyota".into(), "camry".into(), "or".into()])
        );
        assert_eq!(search_terms("  ' -- "), None);
    }
}
