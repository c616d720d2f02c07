//! Domain newtypes that cannot hold invalid values. Each constructor names the field it
//! validates, so a caller learns exactly which input was wrong.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Audit severity, after the seed's SEVERITY_LEVELS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [Self::Critical, Self::High, Self::Medium, Self::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Critical => "critical",
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                ValidationError::new(
                    "severity",
                    format!("{s:?} is not one of critical, high, medium, low"),
                )
            })
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Outcome of an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s {
            "success" => Ok(Self::Success),
            "failure" => Ok(Self::Failure),
            _ => Err(ValidationError::new(
                "outcome",
                format!("{s:?} is not success or failure"),
            )),
        }
    }
}

/// Validates a lowercase identifier like `car_view` or `failed_login`.
fn identifier(field: &'static str, s: &str, max: usize) -> Result<String, ValidationError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if s.len() > max {
        return Err(ValidationError::new(
            field,
            format!("is {} characters long, at most {max} allowed", s.len()),
        ));
    }
    let ok_first = s.as_bytes()[0].is_ascii_lowercase();
    let ok_rest = s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.');
    if !ok_first || !ok_rest {
        return Err(ValidationError::new(
            field,
            format!("{s:?} must start with a-z and contain only a-z, 0-9, '_' and '.'"),
        ));
    }
    Ok(s.to_owned())
}

macro_rules! string_newtype {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

string_newtype!(
    /// An activity action such as `login`, `car_view` or `order_processing` (seed ACTION_CHOICES).
    Action
);
string_newtype!(
    /// An audit action type such as `update`, `failed_login` or `permission_change`.
    AuditActionType
);
string_newtype!(
    /// A table name: a lowercase SQL identifier.
    TableName
);
string_newtype!(
    /// A field (column) name: a lowercase identifier.
    FieldName
);
string_newtype!(
    /// A record id: an integer or a UUID-like token of letters, digits, '-', '_', ':' and '.'.
    RecordId
);
string_newtype!(
    /// An object type such as `car` or `import_order`.
    ObjectType
);

impl Action {
    /// The seed's ACTION_CHOICES and the list. Other well-formed actions are accepted too.
    pub const KNOWN: &'static [&'static str] = &[
        "login",
        "logout",
        "page_view",
        "search",
        "create",
        "read",
        "update",
        "delete",
        "car_view",
        "order_processing",
        "order_create",
        "import_tracking",
        "import_request",
        "inquiry_create",
        "inquiry_reply",
        "profile_update",
        "export",
    ];

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        identifier("action", s, 50).map(Self)
    }
}

impl AuditActionType {
    pub const KNOWN: &'static [&'static str] = &[
        "create",
        "update",
        "delete",
        "login",
        "logout",
        "failed_login",
        "permission_change",
        "data_access",
        "export",
        "password_change",
        "config_change",
    ];

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        identifier("action_type", s, 20).map(Self)
    }
}

impl TableName {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        identifier("table_name", s, 100).map(Self)
    }
}

impl FieldName {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        identifier("field_name", s, 100).map(Self)
    }
}

impl ObjectType {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        identifier("object_type", s, 100).map(Self)
    }
}

impl RecordId {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::parse_named("record_id", s)
    }

    pub fn parse_named(field: &'static str, s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(ValidationError::new(field, "must not be empty"));
        }
        if s.len() > 64 {
            return Err(ValidationError::new(
                field,
                format!("is {} characters long, at most 64 allowed", s.len()),
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
        {
            return Err(ValidationError::new(
                field,
                format!("{s:?} may contain only letters, digits, '-', '_', ':' and '.'"),
            ));
        }
        Ok(Self(s.to_owned()))
    }
}

impl From<i64> for RecordId {
    fn from(v: i64) -> Self {
        Self(v.to_string())
    }
}

/// Parses an IPv4 or IPv6 address; the error names `field`.
pub fn parse_ip(field: &'static str, s: &str) -> Result<IpAddr, ValidationError> {
    s.trim()
        .parse::<IpAddr>()
        .map_err(|_| ValidationError::new(field, format!("{s:?} is not an IPv4 or IPv6 address")))
}

/// An e-mail address (pragmatic check: one '@', a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let (local, domain) = s
            .split_once('@')
            .ok_or_else(|| ValidationError::new("email", format!("{s:?} has no '@'")))?;
        let ok = !local.is_empty()
            && local.len() <= 64
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && !domain.contains('@')
            && s.len() <= 254;
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValidationError::new(
                "email",
                format!("{s:?} is not an e-mail address"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number in E.164 (`+` then 8 to 15 digits, no leading zero).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PhoneE164(String);

impl PhoneE164 {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let compact: String = s
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let digits = compact.strip_prefix('+').unwrap_or("");
        let ok = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(Self(compact))
        } else {
            Err(ValidationError::new(
                "phone",
                format!("{s:?} is not an E.164 number like +254712345678"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Operator and platform roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Admin,
    ComplianceOfficer,
    Support,
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Admin => "admin",
            Self::ComplianceOfficer => "compliance_officer",
            Self::Support => "support",
            Self::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        [
            Self::Customer,
            Self::Admin,
            Self::ComplianceOfficer,
            Self::Support,
            Self::Manager,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
        .ok_or_else(|| ValidationError::new("role", format!("{s:?} is not a known role")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_field() {
        assert_eq!(Action::parse("").unwrap_err().field, "action");
        assert_eq!(Action::parse("Car View").unwrap_err().field, "action");
        assert_eq!(Severity::parse("urgent").unwrap_err().field, "severity");
        assert_eq!(
            parse_ip("ip_address", "10.0.0.300").unwrap_err().field,
            "ip_address"
        );
        assert_eq!(RecordId::parse("12; drop").unwrap_err().field, "record_id");
        assert_eq!(PhoneE164::parse("0712345678").unwrap_err().field, "phone");
        assert_eq!(Email::parse("a@b").unwrap_err().field, "email");
    }

    #[test]
    fn accepts_good_values() {
        assert_eq!(Action::parse(" car_view ").unwrap().as_str(), "car_view");
        assert_eq!(Severity::parse("HIGH").unwrap(), Severity::High);
        assert!(parse_ip("ip", "2001:db8::1").is_ok());
        assert_eq!(
            PhoneE164::parse("+254 712 345 678").unwrap().as_str(),
            "+254712345678"
        );
        assert!(RecordId::parse("0b6f8a2e-1c9d-4e7a-9f00-aa11bb22cc33").is_ok());
    }
}
