//! Exact conversions between core values and PostgreSQL's wire formats.
//!
//! Timestamps travel as the raw binary `timestamptz` value (microseconds since 2000-01-01) so a
//! `Timestamp` round-trips to the microsecond over PostgreSQL's whole range, and a value that is
//! out of range is an error, never a panic (decoding through `time::OffsetDateTime` panics on
//! values beyond year 9999, such as `infinity`).

use gurumisha_core::chain::{self, Hash32};
use gurumisha_core::{StoreError, Timestamp};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};

/// Microseconds from the Unix epoch to PostgreSQL's epoch (2000-01-01T00:00:00Z).
const PG_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;
/// PostgreSQL's valid timestamp range in its own epoch (`MIN_TIMESTAMP`, `END_TIMESTAMP`).
const PG_MIN: i64 = -211_813_488_000_000_000;
const PG_END: i64 = 9_223_371_331_200_000_000;

/// A `timestamptz` carried as microseconds since the Unix epoch (the core's `Timestamp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PgTs(pub i64);

impl PgTs {
    fn to_pg(self) -> Option<i64> {
        self.0
            .checked_sub(PG_EPOCH_UNIX_MICROS)
            .filter(|v| (PG_MIN..PG_END).contains(v))
    }

    /// Whether PostgreSQL can store this instant.
    pub(crate) fn in_range(self) -> bool {
        self.to_pg().is_some()
    }

    /// The nearest instant PostgreSQL can store (for open-ended filter bounds).
    pub(crate) fn clamped(self) -> Self {
        // Every i64 above the minimum is storable: PostgreSQL's upper limit (year 294276) lies
        // beyond i64::MAX microseconds after 1970.
        Self(self.0.max(PG_MIN + PG_EPOCH_UNIX_MICROS))
    }

    /// Checks a timestamp that is about to be stored.
    pub(crate) fn checked(t: Timestamp) -> Result<Self, StoreError> {
        let v = Self(t.micros());
        if v.in_range() {
            Ok(v)
        } else {
            Err(StoreError::Database(format!(
                "timestamp {} µs since 1970 is outside PostgreSQL's range",
                t.micros()
            )))
        }
    }

    pub(crate) fn ts(self) -> Timestamp {
        Timestamp(self.0)
    }
}

impl Type<Postgres> for PgTs {
    fn type_info() -> PgTypeInfo {
        <time::OffsetDateTime as Type<Postgres>>::type_info()
    }
}

impl PgHasArrayType for PgTs {
    fn array_type_info() -> PgTypeInfo {
        <time::OffsetDateTime as PgHasArrayType>::array_type_info()
    }
}

impl Encode<'_, Postgres> for PgTs {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let v = self
            .to_pg()
            .ok_or_else(|| format!("timestamp {} µs is outside PostgreSQL's range", self.0))?;
        <i64 as Encode<Postgres>>::encode(v, buf)
    }

    fn size_hint(&self) -> usize {
        8
    }
}

impl<'r> Decode<'r, Postgres> for PgTs {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        // sqlx asks for binary results; a text value would fail to parse as i64 (an error).
        let v = <i64 as Decode<Postgres>>::decode(value)?;
        if v == i64::MAX || v == i64::MIN {
            return Err("timestamp is infinity".into());
        }
        v.checked_add(PG_EPOCH_UNIX_MICROS)
            .map(PgTs)
            .ok_or_else(|| "timestamp out of range".into())
    }
}

/// A 32-byte hash read from a `bytea` column; any other length is corrupt data.
pub(crate) fn hash(column: &str, bytes: &[u8]) -> Result<Hash32, StoreError> {
    chain::from_slice(bytes).ok_or_else(|| {
        StoreError::Database(format!(
            "{column} holds {} bytes, a hash has 32: the row is corrupt",
            bytes.len()
        ))
    })
}

/// A PostgreSQL array literal (`{"a","b"}`) for one row's `text[]`, so a batch of rows can
/// travel as one flat `text[]` parameter and be cast back per row (`UNNEST` flattens a 2-D array).
pub(crate) fn text_array_literal(items: &[String]) -> String {
    let mut out = String::with_capacity(2 + items.iter().map(|s| s.len() + 3).sum::<usize>());
    out.push('{');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in s.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_checks() {
        assert!(PgTs(0).in_range());
        assert!(PgTs(1_700_000_000_123_456).in_range());
        assert!(PgTs(i64::MAX).in_range());
        assert!(!PgTs(i64::MIN).in_range());
        assert!(!PgTs(PG_MIN + PG_EPOCH_UNIX_MICROS - 1).in_range());
        assert!(PgTs(PG_MIN + PG_EPOCH_UNIX_MICROS).in_range());
        assert!(PgTs(i64::MIN).clamped().in_range());
        assert!(PgTs::checked(Timestamp(i64::MIN)).is_err());
    }

    #[test]
    fn array_literals_quote_everything() {
        assert_eq!(text_array_literal(&[]), "{}");
        assert_eq!(
            text_array_literal(&["a:b".into(), "q\"u\\o,te{}".into(), "NULL".into()]),
            r#"{"a:b","q\"u\\o,te{}","NULL"}"#
        );
    }

    #[test]
    fn short_hash_is_an_error() {
        assert!(matches!(
            hash("hash", &[1, 2, 3]),
            Err(StoreError::Database(_))
        ));
        assert_eq!(hash("hash", &[7; 32]).unwrap(), [7; 32]);
    }
}
