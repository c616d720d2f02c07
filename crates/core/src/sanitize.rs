//! Making any content storable. An event is never lost because of what it contains: NUL bytes
//! (which PostgreSQL text cannot hold) are escaped, over-long text is truncated, over-deep or
//! over-large JSON is cut, and every such change is named in the row's `content_flags`
//! (e.g. `truncated:description`) so a reader sees the row is not verbatim.

use serde_json::Value;

/// Size limits, configurable per deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_text_bytes: usize,
    pub max_short_text_bytes: usize,
    pub max_json_bytes: usize,
    pub max_json_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_text_bytes: 8 * 1024,
            max_short_text_bytes: 512,
            max_json_bytes: 64 * 1024,
            max_json_depth: 32,
        }
    }
}

pub const TRUNCATION_MARKER: &str = "…[truncated]";

/// Collects the flags of one row while its fields are cleaned.
#[derive(Debug, Default)]
pub struct Sanitizer {
    pub limits: Limits,
    pub flags: Vec<String>,
}

impl Sanitizer {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            flags: Vec::new(),
        }
    }

    fn flag(&mut self, what: &str, field: &str) {
        let f = format!("{what}:{field}");
        if !self.flags.contains(&f) {
            self.flags.push(f);
        }
    }

    /// Escapes NUL as the six characters `\u0000` and truncates at a char boundary.
    pub fn text(&mut self, field: &str, s: &str, max_bytes: usize) -> String {
        let mut out = if s.contains('\0') {
            self.flag("nul_escaped", field);
            s.replace('\0', "\\u0000")
        } else {
            s.to_owned()
        };
        if out.len() > max_bytes {
            self.flag("truncated", field);
            let keep = max_bytes.saturating_sub(TRUNCATION_MARKER.len());
            let mut cut = keep.min(out.len());
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            out.push_str(TRUNCATION_MARKER);
        }
        out
    }

    pub fn long(&mut self, field: &str, s: &str) -> String {
        let max = self.limits.max_text_bytes;
        self.text(field, s, max)
    }

    pub fn short(&mut self, field: &str, s: &str) -> String {
        let max = self.limits.max_short_text_bytes;
        self.text(field, s, max)
    }

    pub fn opt_short(&mut self, field: &str, s: Option<&str>) -> Option<String> {
        s.map(|s| self.short(field, s))
    }

    /// Canonical JSON text (sorted keys, no spaces) within the depth and size limits.
    pub fn json(&mut self, field: &str, v: &Value) -> String {
        let max_depth = self.limits.max_json_depth;
        let (mut depth_cut, mut nul) = (false, false);
        let limited = limit_depth(v, max_depth, &mut depth_cut, &mut nul);
        if depth_cut {
            self.flag("json_depth_limited", field);
        }
        if nul {
            // PostgreSQL's jsonb refuses \u0000 even escaped; keep it visible as text instead.
            self.flag("nul_escaped", field);
        }
        let text = canonical_json(&limited);
        if text.len() <= self.limits.max_json_bytes {
            return text;
        }
        self.flag("truncated", field);
        let mut preview = text;
        let mut cut = self.limits.max_json_bytes.min(preview.len()) / 2;
        while !preview.is_char_boundary(cut) {
            cut -= 1;
        }
        preview.truncate(cut);
        canonical_json(&serde_json::json!({ "_truncated": true, "preview": preview }))
    }
}

fn no_nul(s: &str, nul: &mut bool) -> String {
    if s.contains('\0') {
        *nul = true;
        s.replace('\0', "\\u0000")
    } else {
        s.to_owned()
    }
}

fn limit_depth(v: &Value, remaining: usize, cut: &mut bool, nul: &mut bool) -> Value {
    match v {
        Value::String(s) => Value::String(no_nul(s, nul)),
        Value::Array(_) | Value::Object(_) if remaining == 0 => {
            *cut = true;
            Value::String("[depth limit]".to_owned())
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| limit_depth(i, remaining - 1, cut, nul))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, i)| (no_nul(k, nul), limit_depth(i, remaining - 1, cut, nul)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Serialises JSON with object keys sorted at every level, whatever map type serde_json uses.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nul_is_escaped_and_flagged() {
        let mut s = Sanitizer::default();
        assert_eq!(s.short("user_agent", "a\0b"), "a\\u0000b");
        assert_eq!(s.flags, vec!["nul_escaped:user_agent"]);
    }

    #[test]
    fn long_text_is_truncated_on_a_char_boundary() {
        let mut s = Sanitizer::new(Limits {
            max_text_bytes: 20,
            ..Limits::default()
        });
        let out = s.long("description", &"ü".repeat(50));
        assert!(out.len() <= 20, "{}", out.len());
        assert!(out.ends_with(TRUNCATION_MARKER));
        assert_eq!(s.flags, vec!["truncated:description"]);
    }

    #[test]
    fn deep_json_is_cut_and_keys_sorted() {
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!({ "z": deep, "a": 1 });
        }
        let mut s = Sanitizer::default();
        let out = s.json("extra_data", &deep);
        assert!(out.starts_with("{\"a\":1,\"z\":"));
        assert!(out.contains("[depth limit]"));
        assert_eq!(s.flags, vec!["json_depth_limited:extra_data"]);
        let parsed: Value = serde_json::from_str(&out).unwrap();
        assert!(parsed.is_object());
    }

    #[test]
    fn nul_in_json_strings_and_keys_is_escaped() {
        let mut s = Sanitizer::default();
        let out = s.json("extra_data", &json!({ "k\u{0}": ["a\u{0}b"] }));
        let back: Value = serde_json::from_str(&out).unwrap();
        assert!(!format!("{back:?}").contains('\0'), "{out}");
        assert_eq!(back["k\\u0000"][0], json!("a\\u0000b"));
        assert_eq!(s.flags, vec!["nul_escaped:extra_data"]);
    }

    #[test]
    fn huge_json_becomes_a_marked_preview() {
        let mut s = Sanitizer::new(Limits {
            max_json_bytes: 100,
            ..Limits::default()
        });
        let out = s.json("extra_data", &json!({ "blob": "x".repeat(1000) }));
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["_truncated"], json!(true));
        assert_eq!(s.flags, vec!["truncated:extra_data"]);
    }
}
