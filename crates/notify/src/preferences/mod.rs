//! Per-user notification preferences and the decision they imply for one notification on one
//! channel at one instant.
//!
//! Rules (the issue's, made exact):
//! - **Security** notifications cannot be turned off: they ignore the channel switches, the
//!   per-type switches, quiet hours and the digest frequency, and are always sent at once.
//! - **Marketing** is opt-in: off on every channel unless explicitly switched on.
//! - Otherwise, in this order: channel off → skip; type off for the channel → skip; frequency
//!   hourly/daily/weekly → into the digest bucket of the window containing now (quiet hours do
//!   not matter yet: the flush consults [`quiet_until`] when the window ends); inside quiet
//!   hours → defer until they end; else send.
//!
//! All local-time reasoning happens in the user's IANA zone through `jiff`'s bundled tz
//! database, so DST is handled for any zone (see [`window`] for how skipped and repeated local
//! times are resolved).

mod decide;
pub mod window;

#[cfg(test)]
mod decide_tests;

pub use decide::{decide, explain, Decision, DecisionKind, DeliveryTrace, TraceEntry};
pub use window::{digest_window, quiet_until};

use crate::domain::{Channel, Frequency, NotificationType, TimeZoneName};
use gurumisha_core::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One switch per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ChannelSwitches {
    pub email: bool,
    pub sms: bool,
    pub push: bool,
    pub in_app: bool,
}

impl ChannelSwitches {
    pub const ALL_ON: Self = Self::all(true);
    pub const ALL_OFF: Self = Self::all(false);

    pub const fn all(on: bool) -> Self {
        Self {
            email: on,
            sms: on,
            push: on,
            in_app: on,
        }
    }

    pub fn get(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email,
            Channel::Sms => self.sms,
            Channel::Push => self.push,
            Channel::InApp => self.in_app,
        }
    }

    pub fn set(&mut self, channel: Channel, on: bool) {
        match channel {
            Channel::Email => self.email = on,
            Channel::Sms => self.sms = on,
            Channel::Push => self.push = on,
            Channel::InApp => self.in_app = on,
        }
    }
}

impl Default for ChannelSwitches {
    fn default() -> Self {
        Self::ALL_ON
    }
}

fn all_off() -> ChannelSwitches {
    ChannelSwitches::ALL_OFF
}

/// Channel switches per notification type. Missing types deserialize to their defaults:
/// on, except marketing (off: opt-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct TypeSwitches {
    #[serde(default)]
    pub orders: ChannelSwitches,
    #[serde(default)]
    pub imports: ChannelSwitches,
    /// Always all on; kept so the console can show the switches, locked.
    #[serde(default)]
    pub security: ChannelSwitches,
    #[serde(default = "all_off")]
    pub marketing: ChannelSwitches,
    #[serde(default)]
    pub system: ChannelSwitches,
}

impl Default for TypeSwitches {
    fn default() -> Self {
        Self {
            orders: ChannelSwitches::ALL_ON,
            imports: ChannelSwitches::ALL_ON,
            security: ChannelSwitches::ALL_ON,
            marketing: ChannelSwitches::ALL_OFF,
            system: ChannelSwitches::ALL_ON,
        }
    }
}

impl TypeSwitches {
    pub fn get(&self, ty: NotificationType) -> &ChannelSwitches {
        match ty {
            NotificationType::Orders => &self.orders,
            NotificationType::Imports => &self.imports,
            NotificationType::Security => &self.security,
            NotificationType::Marketing => &self.marketing,
            NotificationType::System => &self.system,
        }
    }

    fn get_mut(&mut self, ty: NotificationType) -> &mut ChannelSwitches {
        match ty {
            NotificationType::Orders => &mut self.orders,
            NotificationType::Imports => &mut self.imports,
            NotificationType::Security => &mut self.security,
            NotificationType::Marketing => &mut self.marketing,
            NotificationType::System => &mut self.system,
        }
    }
}

/// A wall-clock time of day, `HH:MM` on the wire (what an HTML time input gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ts_rs::TS)]
#[ts(type = "string")]
pub struct LocalTime {
    hour: u8,
    minute: u8,
}

impl LocalTime {
    pub fn new(hour: u8, minute: u8) -> Result<Self, ValidationError> {
        if hour < 24 && minute < 60 {
            Ok(Self { hour, minute })
        } else {
            Err(ValidationError::new(
                "quiet_hours",
                format!("{hour:02}:{minute:02} is not a time of day"),
            ))
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let bad = || ValidationError::new("quiet_hours", format!("{s:?} is not a time like 22:00"));
        let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return Err(bad());
        }
        Self::new(h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }

    pub fn hour(self) -> u8 {
        self.hour
    }

    pub fn minute(self) -> u8 {
        self.minute
    }

    pub(crate) fn minutes_of_day(self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }
}

impl Serialize for LocalTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for LocalTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// Quiet hours in the user's zone, start inclusive, end exclusive; `22:00`–`07:00` wraps
/// midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct QuietHours {
    pub start: LocalTime,
    pub end: LocalTime,
}

impl QuietHours {
    pub fn new(start: LocalTime, end: LocalTime) -> Result<Self, ValidationError> {
        let q = Self { start, end };
        q.validate()?;
        Ok(q)
    }

    fn validate(&self) -> Result<(), ValidationError> {
        if self.start == self.end {
            return Err(ValidationError::new(
                "quiet_hours",
                format!("start and end are both {}", self.start),
            ));
        }
        Ok(())
    }
}

/// Everything a user can choose about notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct Preferences {
    #[serde(default)]
    pub channels: ChannelSwitches,
    #[serde(default)]
    pub types: TypeSwitches,
    #[serde(default)]
    pub frequency: Frequency,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
    #[serde(default)]
    pub time_zone: TimeZoneName,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            channels: ChannelSwitches::ALL_ON,
            types: TypeSwitches::default(),
            frequency: Frequency::Immediate,
            quiet_hours: None,
            time_zone: TimeZoneName::nairobi(),
        }
    }
}

impl Preferences {
    /// What saving must check beyond what the types already guarantee.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if let Some(q) = &self.quiet_hours {
            q.validate()?;
        }
        if self.types.security != ChannelSwitches::ALL_ON {
            return Err(ValidationError::new(
                "types",
                "security notifications cannot be turned off",
            ));
        }
        Ok(())
    }

    /// Parses stored or submitted JSON and validates it.
    pub fn from_json(value: serde_json::Value) -> Result<Self, ValidationError> {
        // Check the validated strings first so the error names the field, not "preferences".
        if let Some(s) = value.get("time_zone").and_then(|v| v.as_str()) {
            TimeZoneName::parse(s)?;
        }
        if let Some(s) = value.get("frequency").and_then(|v| v.as_str()) {
            Frequency::parse(s)?;
        }
        for k in ["start", "end"] {
            if let Some(s) = value
                .pointer(&format!("/quiet_hours/{k}"))
                .and_then(|v| v.as_str())
            {
                LocalTime::parse(s)?;
            }
        }
        let p: Self = serde_json::from_value(value)
            .map_err(|e| ValidationError::new("preferences", e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    /// Switches one type on one channel; refuses to switch security off.
    pub fn set_type(
        &mut self,
        ty: NotificationType,
        channel: Channel,
        on: bool,
    ) -> Result<(), ValidationError> {
        if ty == NotificationType::Security && !on {
            return Err(ValidationError::new(
                "types",
                "security notifications cannot be turned off",
            ));
        }
        self.types.get_mut(ty).set(channel, on);
        Ok(())
    }

    /// Whether `ty` may use `channel` at all (security: always).
    pub fn allows(&self, ty: NotificationType, channel: Channel) -> bool {
        ty == NotificationType::Security
            || (self.channels.get(channel) && self.types.get(ty).get(channel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_marketing_opt_in_and_nairobi() {
        let p = Preferences::default();
        assert_eq!(p.time_zone.as_str(), "Africa/Nairobi");
        assert!(p.allows(NotificationType::Orders, Channel::Sms));
        for c in Channel::ALL {
            assert!(!p.allows(NotificationType::Marketing, *c));
        }
        let parsed = Preferences::from_json(json!({})).unwrap();
        assert_eq!(parsed, p, "an empty document means the defaults");
        let partial =
            Preferences::from_json(json!({"types": {"orders": ChannelSwitches::ALL_OFF}})).unwrap();
        assert!(
            !partial.types.marketing.email,
            "missing marketing stays opt-in"
        );
    }

    #[test]
    fn security_cannot_be_turned_off() {
        let mut p = Preferences::default();
        let e = p
            .set_type(NotificationType::Security, Channel::Email, false)
            .unwrap_err();
        assert_eq!(e.field, "types");
        p.types.security.sms = false;
        assert_eq!(p.validate().unwrap_err().field, "types");
        p.channels = ChannelSwitches::ALL_OFF;
        assert!(p.allows(NotificationType::Security, Channel::Sms));
        p.set_type(NotificationType::Marketing, Channel::Email, true)
            .unwrap();
        assert!(p.types.marketing.email);
    }

    #[test]
    fn json_shape_and_validation_errors_name_fields() {
        let p = Preferences {
            quiet_hours: Some(
                QuietHours::new(
                    LocalTime::new(22, 0).unwrap(),
                    LocalTime::parse("7:00").unwrap(),
                )
                .unwrap(),
            ),
            ..Preferences::default()
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["quiet_hours"], json!({"start": "22:00", "end": "07:00"}));
        assert_eq!(v["frequency"], "immediate");
        assert_eq!(v["types"]["in_app"], serde_json::Value::Null);
        assert_eq!(v["types"]["marketing"]["in_app"], false);
        assert_eq!(Preferences::from_json(v).unwrap(), p);

        let e = Preferences::from_json(json!({"time_zone": "Africa/Nowhere"})).unwrap_err();
        assert_eq!(e.field, "time_zone");
        assert!(e.reason.contains("Africa/Nowhere"), "{e}");
        let e = Preferences::from_json(json!({"frequency": "monthly"})).unwrap_err();
        assert_eq!(e.field, "frequency");
        let e = Preferences::from_json(json!({"channels": {"email": "yes"}})).unwrap_err();
        assert_eq!(e.field, "preferences");
        assert_eq!(
            TimeZoneName::parse("Africa/Nowhere").unwrap_err().field,
            "time_zone"
        );
        let e = Preferences::from_json(json!({"quiet_hours": {"start": "22:00", "end": "22:00"}}));
        assert_eq!(e.unwrap_err().field, "quiet_hours");
        assert_eq!(LocalTime::parse("24:00").unwrap_err().field, "quiet_hours");
        assert_eq!(LocalTime::parse("7").unwrap_err().field, "quiet_hours");
        assert_eq!(LocalTime::parse("07:5").unwrap_err().field, "quiet_hours");
    }
}
