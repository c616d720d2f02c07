//! Rendering: look each placeholder up in the JSON context, apply its filters, escape for HTML
//! if asked. Values print naturally (integers without `.0`); objects and arrays are refused
//! rather than dumped as JSON into a customer's message.

use super::{Filter, Part};
use crate::domain::TimeZoneName;
use serde_json::Value;
use thiserror::Error;

/// Settings a render needs besides the context.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Zone for the `date` filter: the recipient's (Africa/Nairobi by default).
    pub time_zone: TimeZoneName,
}

/// A render that could not produce honest text. Each variant names the variable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RenderError {
    #[error("no value for {variable:?} in the context")]
    Missing { variable: String },
    #[error("{variable:?} is {found}, not text or a number")]
    NotText {
        variable: String,
        found: &'static str,
    },
    #[error("filter {filter:?} on {variable:?}: {reason}")]
    Filter {
        variable: String,
        filter: &'static str,
        reason: String,
    },
}

impl RenderError {
    pub fn variable(&self) -> &str {
        match self {
            Self::Missing { variable }
            | Self::NotText { variable, .. }
            | Self::Filter { variable, .. } => variable,
        }
    }
}

pub(crate) fn render(
    parts: &[Part],
    context: &Value,
    options: &RenderOptions,
    html: bool,
) -> Result<String, RenderError> {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Var(p) => {
                let value = lookup(context, &p.segments)
                    .filter(|v| !v.is_null())
                    .ok_or_else(|| RenderError::Missing {
                        variable: p.path.clone(),
                    })?;
                let mut text = scalar_text(value).ok_or_else(|| RenderError::NotText {
                    variable: p.path.clone(),
                    found: if value.is_array() {
                        "a list"
                    } else {
                        "an object"
                    },
                })?;
                for &f in &p.filters {
                    text = apply(f, &text, options).map_err(|reason| RenderError::Filter {
                        variable: p.path.clone(),
                        filter: f.as_str(),
                        reason,
                    })?;
                }
                if html {
                    escape_html_into(&text, &mut out);
                } else {
                    out.push_str(&text);
                }
            }
        }
    }
    Ok(out)
}

fn lookup<'a>(mut v: &'a Value, segments: &[String]) -> Option<&'a Value> {
    for s in segments {
        v = match v {
            Value::Object(m) => m.get(s)?,
            Value::Array(a) => a.get(s.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(if let Some(i) = n.as_i64() {
            i.to_string()
        } else if let Some(u) = n.as_u64() {
            u.to_string()
        } else {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", f as i64)
            } else {
                f.to_string()
            }
        }),
        _ => None,
    }
}

fn apply(f: Filter, text: &str, options: &RenderOptions) -> Result<String, String> {
    match f {
        Filter::Upper => Ok(text.to_uppercase()),
        Filter::Lower => Ok(text.to_lowercase()),
        Filter::Kes => kes(text),
        Filter::Date => date(text, options),
    }
}

/// `1800000` → `KES 1,800,000`; `1500.5` → `KES 1,500.50`; numeric strings are accepted
/// because prices often arrive as strings (the seed's `changed_fields` are).
pub(crate) fn kes(text: &str) -> Result<String, String> {
    let t = text.trim().replace(',', "");
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_owned()),
        None => (false, t.clone()),
    };
    let (int, frac) = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        (digits.trim_start_matches('0').to_owned(), None)
    } else {
        let f: f64 = digits
            .parse()
            .ok()
            .filter(|f: &f64| f.is_finite() && !digits.starts_with(['+', '-']))
            .ok_or_else(|| format!("{text:?} is not an amount"))?;
        let fixed = format!("{f:.2}");
        let (i, d) = fixed.split_once('.').unwrap_or((&fixed, "00"));
        let frac = (d != "00").then(|| d.to_owned());
        (i.trim_start_matches('0').to_owned(), frac)
    };
    let int = if int.is_empty() { "0".to_owned() } else { int };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative && (int != "0" || frac.is_some()) {
        "-"
    } else {
        ""
    };
    Ok(match frac {
        Some(d) => format!("KES {sign}{grouped}.{d}"),
        None => format!("KES {sign}{grouped}"),
    })
}

/// An RFC 3339 timestamp → `26 Nov 2026, 14:05` in the render's zone; a bare `2026-11-26`
/// → `26 Nov 2026`.
fn date(text: &str, options: &RenderOptions) -> Result<String, String> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<jiff::Timestamp>() {
        let local = ts.to_zoned_datetime(options.time_zone.zone());
        return Ok(local.strftime("%-d %b %Y, %H:%M").to_string());
    }
    if let Ok(d) = t.parse::<jiff::civil::Date>() {
        if t.len() == 10 {
            return Ok(d.strftime("%-d %b %Y").to_string());
        }
    }
    Err(format!(
        "{text:?} is not an ISO timestamp with an offset (like 2026-11-26T11:05:00Z) or a date"
    ))
}

pub(crate) fn escape_html_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Template;
    use super::*;
    use serde_json::json;

    fn text(src: &str, ctx: Value) -> Result<String, RenderError> {
        let t = Template::parse(src, &["recipient", "message", "amount", "when", "items"]).unwrap();
        t.render_text(&ctx, &RenderOptions::default())
    }

    #[test]
    fn renders_the_seed_example() {
        let ctx = json!({"recipient": {"first_name": "Wanjiku"}, "message": "Your car is ready."});
        assert_eq!(
            text("Dear {recipient.first_name}, {message}", ctx).unwrap(),
            "Dear Wanjiku, Your car is ready."
        );
    }

    #[test]
    fn missing_null_and_non_scalar_values_are_errors_naming_the_variable() {
        let e = text("Dear {recipient.first_name}", json!({"recipient": {}})).unwrap_err();
        assert_eq!(
            e,
            RenderError::Missing {
                variable: "recipient.first_name".into()
            }
        );
        let e = text("{message}", json!({"message": null})).unwrap_err();
        assert_eq!(e.variable(), "message");
        let e = text("{recipient}", json!({"recipient": {"a": 1}})).unwrap_err();
        assert!(matches!(
            e,
            RenderError::NotText {
                found: "an object",
                ..
            }
        ));
        assert!(e.to_string().contains("\"recipient\""));
    }

    #[test]
    fn numbers_render_naturally() {
        assert_eq!(
            text("{amount}", json!({"amount": 1800000})).unwrap(),
            "1800000"
        );
        assert_eq!(
            text("{amount}", json!({"amount": 1800000.0})).unwrap(),
            "1800000"
        );
        assert_eq!(text("{amount}", json!({"amount": 2.5})).unwrap(), "2.5");
        assert_eq!(
            text("{amount}", json!({"amount": u64::MAX})).unwrap(),
            u64::MAX.to_string()
        );
        assert_eq!(text("{message}", json!({"message": true})).unwrap(), "true");
        assert_eq!(
            text("{items.1}", json!({"items": ["a", "b"]})).unwrap(),
            "b"
        );
    }

    #[test]
    fn kes_filter() {
        assert_eq!(kes("1800000").unwrap(), "KES 1,800,000");
        assert_eq!(kes("999").unwrap(), "KES 999");
        assert_eq!(kes("1000").unwrap(), "KES 1,000");
        assert_eq!(kes("0").unwrap(), "KES 0");
        assert_eq!(kes("1500.5").unwrap(), "KES 1,500.50");
        assert_eq!(kes("2,000,000").unwrap(), "KES 2,000,000");
        assert_eq!(kes("-1500").unwrap(), "KES -1,500");
        assert_eq!(
            kes("12345678901234567890").unwrap(),
            "KES 12,345,678,901,234,567,890"
        );
        assert!(kes("abc").is_err());
        assert!(kes("--5").is_err());
        assert_eq!(
            text("{amount|kes}", json!({"amount": 1800000})).unwrap(),
            "KES 1,800,000"
        );
        let e = text("{message|kes}", json!({"message": "soon"})).unwrap_err();
        assert!(matches!(e, RenderError::Filter { filter: "kes", .. }));
    }

    #[test]
    fn case_and_chained_filters() {
        let ctx = json!({"message": "Shipped", "amount": "2500000"});
        assert_eq!(text("{message|upper}", ctx.clone()).unwrap(), "SHIPPED");
        assert_eq!(text("{message|lower}", ctx.clone()).unwrap(), "shipped");
        assert_eq!(text("{amount|kes|lower}", ctx).unwrap(), "kes 2,500,000");
    }

    #[test]
    fn date_filter_uses_the_time_zone() {
        let ctx = json!({"when": "2026-11-26T11:05:00Z"});
        assert_eq!(
            text("{when|date}", ctx.clone()).unwrap(),
            "26 Nov 2026, 14:05"
        );
        let t = Template::parse("{when|date}", &["when"]).unwrap();
        let ny = RenderOptions {
            time_zone: TimeZoneName::parse("America/New_York").unwrap(),
        };
        assert_eq!(t.render_text(&ctx, &ny).unwrap(), "26 Nov 2026, 06:05");
        assert_eq!(
            text("{when|date}", json!({"when": "2026-03-05"})).unwrap(),
            "5 Mar 2026"
        );
        assert!(text("{when|date}", json!({"when": "next week"})).is_err());
    }

    #[test]
    fn html_escapes_values_not_markup() {
        let t = Template::parse(
            "<p>Dear <b>{recipient.name}</b> &amp; {message}</p>",
            &["recipient", "message"],
        )
        .unwrap();
        let ctx = json!({"recipient": {"name": "<script>x</script>"}, "message": "Tom & 'Jerry'"});
        let o = RenderOptions::default();
        assert_eq!(
            t.render_html(&ctx, &o).unwrap(),
            "<p>Dear <b>&lt;script&gt;x&lt;/script&gt;</b> &amp; Tom &amp; &#39;Jerry&#39;</p>"
        );
        assert!(t.render_text(&ctx, &o).unwrap().contains("<script>"));
    }
}
