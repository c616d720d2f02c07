//! Notification newtypes and enums that cannot hold invalid values: channels, notification
//! types, priorities, delivery frequencies, template names, queue statuses and IANA time-zone
//! names. Every parser names the field it validates, like the core's domain types.

use gurumisha_core::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Generates `ALL`, `as_str`, `parse` (trimmed, case-insensitive, error naming `$field`) and
/// `Display` for a field-less enum whose serde names are its `as_str` names.
macro_rules! str_enum {
    ($ty:ident, $field:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text),+
                }
            }

            pub fn parse(s: &str) -> Result<Self, ValidationError> {
                let wanted = s.trim().to_ascii_lowercase();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| {
                        let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                        ValidationError::new(
                            $field,
                            format!("{s:?} is not one of {}", names.join(", ")),
                        )
                    })
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Serializes a validated string newtype as its text; deserializing runs `parse`, so a bad
/// value in stored JSON is refused with the field's message.
macro_rules! string_serde {
    ($ty:ident) => {
        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A delivery channel (the seed's CHANNEL_CHOICES).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Channel {
    Email,
    Sms,
    Push,
    InApp,
}
str_enum!(Channel, "channel", { Email => "email", Sms => "sms", Push => "push", InApp => "in_app" });

/// What a notification is about; preferences are kept per type and channel.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NotificationType {
    Orders,
    Imports,
    Security,
    Marketing,
    System,
}
str_enum!(NotificationType, "notification_type", {
    Orders => "orders", Imports => "imports", Security => "security",
    Marketing => "marketing", System => "system",
});

/// How often a user wants non-security notifications: at once, or gathered into a digest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Frequency {
    #[default]
    Immediate,
    Hourly,
    Daily,
    Weekly,
}
str_enum!(Frequency, "frequency", {
    Immediate => "immediate", Hourly => "hourly", Daily => "daily", Weekly => "weekly",
});

/// A queue entry's state. `failed` will be retried; `dead` has exhausted its retries (or failed
/// permanently); `sent`, `dead` and `cancelled` are final until someone requeues by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum NotificationStatus {
    Pending,
    Processing,
    Sent,
    Failed,
    Dead,
    Cancelled,
}
str_enum!(NotificationStatus, "status", {
    Pending => "pending", Processing => "processing", Sent => "sent",
    Failed => "failed", Dead => "dead", Cancelled => "cancelled",
});

impl NotificationStatus {
    /// No worker will touch it again on its own.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Sent | Self::Dead | Self::Cancelled)
    }

    /// The transitions the queue may make. `processing → pending` is a lease that expired;
    /// `failed | dead | cancelled → pending` is a manual retry or requeue. A sent notification
    /// is never sent again by a status change.
    pub fn can_become(self, next: Self) -> bool {
        use NotificationStatus::*;
        matches!(
            (self, next),
            (Pending, Processing | Cancelled)
                | (Processing, Sent | Failed | Dead | Pending)
                | (Failed, Processing | Pending | Cancelled | Dead)
                | (Dead | Cancelled, Pending)
        )
    }
}

/// Delivery priority, 1 (highest) to 5 (lowest); the seed's default is 3. Queues claim in
/// ascending numeric order, so the derived `Ord` sorts the most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ts_rs::TS)]
#[ts(type = "number")]
pub struct Priority(u8);

impl Priority {
    pub const HIGHEST: Priority = Priority(1);
    pub const NORMAL: Priority = Priority(3);
    pub const LOWEST: Priority = Priority(5);

    pub fn new(value: i64) -> Result<Self, ValidationError> {
        if (1..=5).contains(&value) {
            Ok(Self(value as u8))
        } else {
            Err(ValidationError::new(
                "priority",
                format!("{value} is outside 1 (highest) to 5 (lowest)"),
            ))
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let n = s.trim().parse::<i64>().map_err(|_| {
            ValidationError::new("priority", format!("{s:?} is not a number from 1 to 5"))
        })?;
        Self::new(n)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for Priority {
    fn default() -> Self {
        Self::NORMAL
    }
}

impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(i64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A template name such as `order_status_change`: `a-z` first, then `a-z`, `0-9` or `_`, at
/// most 100 characters (the seed's `max_length`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ts_rs::TS)]
#[ts(type = "string")]
pub struct TemplateName(String);

impl TemplateName {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        let err = |reason: String| Err(ValidationError::new("template_name", reason));
        if s.is_empty() {
            return err("must not be empty".into());
        }
        if s.len() > 100 {
            return err(format!(
                "is {} characters long, at most 100 allowed",
                s.len()
            ));
        }
        let first_ok = s.as_bytes()[0].is_ascii_lowercase();
        let rest_ok = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !first_ok || !rest_ok {
            return err(format!(
                "{s:?} must start with a-z and contain only a-z, 0-9 and '_'"
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_serde!(TemplateName);

impl fmt::Display for TemplateName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time-zone name known to the bundled tz database (so the answer does not depend on
/// the host's `/usr/share/zoneinfo`). Stored in the database's canonical spelling.
#[derive(Debug, Clone, PartialEq, Eq, Hash, ts_rs::TS)]
#[ts(type = "string")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub const NAIROBI: &'static str = "Africa/Nairobi";

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        // Fixed offsets and POSIX strings are refused on purpose: only a named zone follows
        // future rule changes.
        let tz = jiff::tz::TimeZone::get(s).map_err(|_| {
            ValidationError::new(
                "time_zone",
                format!("{s:?} is not an IANA time zone like Africa/Nairobi"),
            )
        })?;
        Ok(Self(tz.iana_name().unwrap_or(s).to_owned()))
    }

    pub fn nairobi() -> Self {
        Self(Self::NAIROBI.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone's rules. Parsing proved the name exists, so a failure here would mean the
    /// bundled database changed under us; fall back to UTC rather than panic.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }

    /// The zone's UTC offset in seconds at `unix_micros` (east positive).
    pub fn offset_seconds_at(&self, unix_micros: i64) -> i32 {
        jiff::Timestamp::from_microsecond(unix_micros)
            .map(|t| self.zone().to_offset(t).seconds())
            .unwrap_or(0)
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self::nairobi()
    }
}

string_serde!(TimeZoneName);

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_round_trip_and_name_the_field() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()).unwrap(), *c);
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Channel::parse(" In_App ").unwrap(), Channel::InApp);
        assert_eq!(Channel::parse("fax").unwrap_err().field, "channel");
        assert_eq!(
            NotificationType::parse("spam").unwrap_err().field,
            "notification_type"
        );
        assert_eq!(Frequency::parse("monthly").unwrap_err().field, "frequency");
        assert_eq!(
            NotificationStatus::parse("done").unwrap_err().field,
            "status"
        );
        assert_eq!(
            serde_json::to_string(&NotificationStatus::Cancelled).unwrap(),
            "\"cancelled\""
        );
        assert_eq!(Frequency::default(), Frequency::Immediate);
        let err = Channel::parse("fax").unwrap_err().reason;
        assert!(err.contains("email, sms, push, in_app"), "{err}");
    }

    #[test]
    fn priority_is_one_to_five_default_three() {
        assert_eq!(Priority::default().get(), 3);
        assert_eq!(Priority::parse(" 1 ").unwrap(), Priority::HIGHEST);
        assert_eq!(Priority::new(0).unwrap_err().field, "priority");
        assert_eq!(Priority::new(6).unwrap_err().field, "priority");
        assert_eq!(Priority::parse("high").unwrap_err().field, "priority");
        assert!(Priority::HIGHEST < Priority::LOWEST);
        assert_eq!(serde_json::to_string(&Priority::NORMAL).unwrap(), "3");
        assert!(serde_json::from_str::<Priority>("9").is_err());
    }

    #[test]
    fn template_names() {
        assert_eq!(
            TemplateName::parse(" order_status_change ")
                .unwrap()
                .as_str(),
            "order_status_change"
        );
        for bad in ["", "Order", "1st", "order-status", "a b", &"a".repeat(101)] {
            assert_eq!(TemplateName::parse(bad).unwrap_err().field, "template_name");
        }
        assert!(TemplateName::parse(&"a".repeat(100)).is_ok());
        assert!(serde_json::from_str::<TemplateName>("\"Bad Name\"").is_err());
    }

    #[test]
    fn time_zone_names() {
        assert_eq!(TimeZoneName::default().as_str(), "Africa/Nairobi");
        assert_eq!(
            TimeZoneName::parse("America/New_York").unwrap().as_str(),
            "America/New_York"
        );
        assert_eq!(
            TimeZoneName::parse("Mars/Olympus").unwrap_err().field,
            "time_zone"
        );
        assert!(serde_json::from_str::<TimeZoneName>("\"Nowhere/Land\"").is_err());
    }

    #[test]
    fn status_transitions() {
        use NotificationStatus::*;
        assert!(Pending.can_become(Processing));
        assert!(
            Processing.can_become(Pending),
            "an expired lease returns the entry"
        );
        assert!(Dead.can_become(Pending), "manual requeue");
        assert!(
            !Sent.can_become(Pending),
            "a sent notification is never resent"
        );
        assert!(!Cancelled.can_become(Processing));
        assert!(Sent.is_final() && Dead.is_final() && Cancelled.is_final());
        assert!(!Failed.is_final());
    }
}
