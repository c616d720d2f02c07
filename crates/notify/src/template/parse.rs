//! The template parser: literal text, `{path|filter|...}` placeholders, and `{{` / `}}` for
//! literal braces. Errors carry the 1-based line and column (in characters) and the byte
//! offset of the problem, so an editor can put the cursor on it.

use super::{Filter, Part, Placeholder};
use serde::Serialize;
use thiserror::Error;

/// What is wrong with a template's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TemplateErrorKind {
    /// A `{` with no `}` on the same line.
    UnclosedBrace,
    /// A lone `}` (write `}}` for a literal brace).
    UnmatchedBrace,
    /// `{}` or `{ }`.
    EmptyName,
    /// A character that cannot be part of a variable path, or an empty path segment.
    BadName,
    /// A `|filter` that does not exist.
    UnknownFilter,
    /// A variable whose path is outside the template's available variables.
    UnknownVariable,
}

/// A rejected template, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, ts_rs::TS)]
#[error("{message} (line {line}, column {column})")]
#[ts(export)]
pub struct TemplateError {
    pub kind: TemplateErrorKind,
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters (not bytes).
    pub column: u32,
    /// 0-based byte offset into the template text.
    pub offset: u32,
}

impl TemplateError {
    fn at(src: &str, offset: usize, kind: TemplateErrorKind, message: String) -> Self {
        let before = &src[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Self {
            kind,
            message,
            line: line as u32,
            column: column as u32,
            offset: offset as u32,
        }
    }
}

/// True if `path` is listed, or one of its dotted prefixes is (`recipient` allows
/// `recipient.first_name`; `order.number` does not allow `order.total`).
pub(crate) fn is_available(path: &str, available: &[&str]) -> bool {
    available.iter().any(|a| {
        path == *a
            || path
                .strip_prefix(a)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Checks a dotted variable path; on failure returns the byte offset (within `path`) of the
/// problem and a message. The root is an identifier; later segments may also be array indices.
pub(crate) fn check_path(path: &str) -> Result<(), (usize, String)> {
    let mut start = 0;
    for (i, segment) in path.split('.').enumerate() {
        if segment.is_empty() {
            return Err((start, format!("empty segment in variable path {path:?}")));
        }
        let index = i > 0 && segment.bytes().all(|b| b.is_ascii_digit());
        if !index {
            for (j, c) in segment.char_indices() {
                let ok = c == '_' || c.is_ascii_alphabetic() || (j > 0 && c.is_ascii_digit());
                if !ok {
                    return Err((
                        start + j,
                        format!(
                            "{c:?} is not allowed in variable path {path:?} \
                             (use letters, digits, '_' and '.')"
                        ),
                    ));
                }
            }
        }
        start += segment.len() + 1;
    }
    Ok(())
}

pub(crate) fn parse(src: &str, available: &[&str]) -> Result<Vec<Part>, TemplateError> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < src.len() {
        let rest = &src[i..];
        let Some(k) = rest.find(['{', '}']) else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..k]);
        i += k;
        let brace = src.as_bytes()[i];
        if src.as_bytes().get(i + 1) == Some(&brace) {
            text.push(brace as char);
            i += 2;
            continue;
        }
        if brace == b'}' {
            return Err(TemplateError::at(
                src,
                i,
                TemplateErrorKind::UnmatchedBrace,
                "unmatched '}' (write '}}' for a literal brace)".into(),
            ));
        }
        // A placeholder ends at the next '}' on the same line, before any other '{'.
        let close = src[i + 1..]
            .find(['}', '{', '\n'])
            .map(|k| i + 1 + k)
            .filter(|&j| src.as_bytes()[j] == b'}');
        let Some(close) = close else {
            return Err(TemplateError::at(
                src,
                i,
                TemplateErrorKind::UnclosedBrace,
                "'{' is never closed (write '{{' for a literal brace)".into(),
            ));
        };
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        parts.push(Part::Var(placeholder(src, i, close, available)?));
        i = close + 1;
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// Parses the inside of `{...}`: `open` and `close` are the byte offsets of the braces.
fn placeholder(
    src: &str,
    open: usize,
    close: usize,
    available: &[&str],
) -> Result<Placeholder, TemplateError> {
    // Each piece is (offset of its trimmed start, trimmed text).
    let mut pieces = Vec::new();
    let mut start = open + 1;
    for raw in src[open + 1..close].split('|') {
        let lead = raw.len() - raw.trim_start().len();
        pieces.push((start + lead, raw.trim()));
        start += raw.len() + 1;
    }
    let (path_at, path) = pieces[0];
    if path.is_empty() {
        let kind = TemplateErrorKind::EmptyName;
        return Err(TemplateError::at(
            src,
            open,
            kind,
            "empty variable name".into(),
        ));
    }
    check_path(path)
        .map_err(|(k, msg)| TemplateError::at(src, path_at + k, TemplateErrorKind::BadName, msg))?;
    let mut filters = Vec::new();
    for &(at, name) in &pieces[1..] {
        let filter = Filter::parse(name).ok_or_else(|| {
            let names: Vec<&str> = Filter::ALL.iter().map(|f| f.as_str()).collect();
            let what = if name.is_empty() {
                "empty filter name".to_owned()
            } else {
                format!("unknown filter {name:?}")
            };
            TemplateError::at(
                src,
                at,
                TemplateErrorKind::UnknownFilter,
                format!("{what}; known filters: {}", names.join(", ")),
            )
        })?;
        filters.push(filter);
    }
    if !is_available(path, available) {
        let listed = if available.is_empty() {
            "none".to_owned()
        } else {
            available.join(", ")
        };
        return Err(TemplateError::at(
            src,
            path_at,
            TemplateErrorKind::UnknownVariable,
            format!("variable {path:?} is not available (available: {listed})"),
        ));
    }
    Ok(Placeholder {
        segments: path.split('.').map(str::to_owned).collect(),
        path: path.to_owned(),
        filters,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Template;
    use super::*;

    fn err(src: &str) -> TemplateError {
        Template::parse(src, &["recipient", "message", "order.number", "amount"]).unwrap_err()
    }

    #[test]
    fn seed_syntax_parses() {
        let avail = ["recipient", "alert_type", "message"];
        let t = Template::parse("Dear {recipient.first_name}, {message}", &avail).unwrap();
        let vars: Vec<&str> = t.variables().collect();
        assert_eq!(vars, ["recipient.first_name", "message"]);
        assert!(Template::parse("Alert: {alert_type}", &avail).is_ok());
        assert!(Template::parse("{ message | upper }", &avail).is_ok());
        assert!(
            Template::parse("{{literal}} and }} {{", &avail)
                .unwrap()
                .variables()
                .count()
                == 0
        );
    }

    #[test]
    fn errors_carry_kind_and_position() {
        let e = err("Hello {message");
        assert_eq!(
            (e.kind, e.line, e.column, e.offset),
            (TemplateErrorKind::UnclosedBrace, 1, 7, 6)
        );

        let e = err("ok\nthen } here");
        assert_eq!(
            (e.kind, e.line, e.column, e.offset),
            (TemplateErrorKind::UnmatchedBrace, 2, 6, 8)
        );

        let e = err("a {} b");
        assert_eq!((e.kind, e.column), (TemplateErrorKind::EmptyName, 3));

        let e = err("x {first name}");
        assert_eq!((e.kind, e.column), (TemplateErrorKind::BadName, 9));
        assert!(e.message.contains("' '"), "{}", e.message);

        let e = err("{order..number}");
        assert_eq!((e.kind, e.column), (TemplateErrorKind::BadName, 8));

        let e = err("line1\nline2 {secret}");
        assert_eq!(
            (e.kind, e.line, e.column),
            (TemplateErrorKind::UnknownVariable, 2, 8)
        );
        assert!(e.message.contains("\"secret\""), "{}", e.message);

        let e = err("{amount|usd}");
        assert_eq!((e.kind, e.column), (TemplateErrorKind::UnknownFilter, 9));
        assert!(
            e.message.contains("kes, upper, lower, date"),
            "{}",
            e.message
        );

        let e = err("{amount|}");
        assert_eq!(e.kind, TemplateErrorKind::UnknownFilter);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = err("Habari → Wanjiku {nope}");
        assert_eq!(e.column, 19);
        assert_eq!(e.offset as usize, "Habari → Wanjiku {".len());
    }

    #[test]
    fn unclosed_when_next_brace_or_newline_comes_first() {
        assert_eq!(
            err("{message {amount}").kind,
            TemplateErrorKind::UnclosedBrace
        );
        assert_eq!(err("{message\n}").kind, TemplateErrorKind::UnclosedBrace);
    }

    #[test]
    fn prefixes_allow_deeper_paths_only_at_dots() {
        assert!(is_available("recipient.first_name", &["recipient"]));
        assert!(is_available("order.number", &["order.number"]));
        assert!(!is_available("order.total", &["order.number"]));
        assert!(!is_available("recipients", &["recipient"]));
        assert!(check_path("items.0.name").is_ok());
        assert!(check_path("0.name").is_err());
        assert!(check_path("_private").is_ok());
    }
}
