//! Timestamps as stored: UTC with microsecond precision, carried as an `i64` of microseconds
//! since the Unix epoch so that what is hashed is exactly what the database keeps.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    pub fn from_datetime(dt: OffsetDateTime) -> Self {
        Timestamp((dt.unix_timestamp_nanos() / 1_000) as i64)
    }

    pub fn micros(self) -> i64 {
        self.0
    }

    pub fn to_datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.0 as i128 * 1_000)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// RFC 3339 in UTC with exactly six fractional digits.
    pub fn to_rfc3339(self) -> String {
        let dt = self.to_datetime();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second(),
            dt.microsecond()
        )
    }

    pub fn parse(s: &str) -> Result<Self, crate::ValidationError> {
        let s = s.trim();
        if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
            return Ok(Self::from_datetime(dt));
        }
        // A bare date means midnight UTC of that day.
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        if let Ok(d) = time::Date::parse(s, &fmt) {
            return Ok(Self::from_datetime(d.midnight().assume_utc()));
        }
        Err(crate::ValidationError::new(
            "timestamp",
            format!("{s:?} is not an RFC 3339 time or a YYYY-MM-DD date"),
        ))
    }

    pub fn minus_days(self, days: i64) -> Self {
        Timestamp(self.0 - days * 86_400_000_000)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_microseconds() {
        let t = Timestamp(1_700_000_000_123_456);
        let s = t.to_rfc3339();
        assert_eq!(s, "2023-11-14T22:13:20.123456Z");
        assert_eq!(Timestamp::parse(&s).unwrap(), t);
    }

    #[test]
    fn bare_date_is_midnight_utc() {
        assert_eq!(
            Timestamp::parse("2023-11-14").unwrap().to_rfc3339(),
            "2023-11-14T00:00:00.000000Z"
        );
        assert_eq!(
            Timestamp::parse("yesterday").unwrap_err().field,
            "timestamp"
        );
    }
}
