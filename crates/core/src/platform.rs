//! The platform's own tables that the product reads and the demo fills: users, cars, orders,
//! import orders and inquiries. The Django platform owns them in production.

use crate::domain::{Email, PhoneE164, Role};
use crate::{Timestamp, ValidationError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Email,
    pub phone: Option<PhoneE164>,
    pub role: Role,
    pub is_staff: bool,
    pub is_active: bool,
    pub date_joined: Timestamp,
    pub time_zone: String,
    /// Django's `algorithm$iterations$salt$hash` format.
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct User {
    #[ts(type = "number")]
    pub id: i64,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub role: Role,
    pub is_staff: bool,
    pub is_active: bool,
    pub time_zone: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CarStatus {
    Available,
    Reserved,
    Sold,
    InTransit,
}

impl CarStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Reserved => "reserved",
            Self::Sold => "sold",
            Self::InTransit => "in_transit",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCar {
    pub make: String,
    pub model: String,
    pub year: i32,
    pub vin: Vin,
    pub price_kes: i64,
    pub status: CarStatus,
    pub created_at: Timestamp,
}

/// A 17-character vehicle identification number (no I, O or Q).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Vin(String);

impl Vin {
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim().to_ascii_uppercase();
        let ok = s.len() == 17
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'I' | b'O' | b'Q'));
        if ok {
            Ok(Self(s))
        } else {
            Err(ValidationError::new(
                "vin",
                format!("{s:?} is not a 17-character VIN without I, O or Q"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub user_id: i64,
    pub car_id: i64,
    pub status: String,
    pub total_kes: i64,
    pub created_at: Timestamp,
}

/// Stages of an import order, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportStage {
    Ordered,
    Shipped,
    ArrivedDocked,
    Customs,
    Cleared,
    Delivered,
}

impl ImportStage {
    pub const ALL: [ImportStage; 6] = [
        Self::Ordered,
        Self::Shipped,
        Self::ArrivedDocked,
        Self::Customs,
        Self::Cleared,
        Self::Delivered,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordered => "ordered",
            Self::Shipped => "shipped",
            Self::ArrivedDocked => "arrived_docked",
            Self::Customs => "customs",
            Self::Cleared => "cleared",
            Self::Delivered => "delivered",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| ValidationError::new("stage", format!("{s:?} is not an import stage")))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewImportOrder {
    pub user_id: i64,
    pub make: String,
    pub model: String,
    pub year: i32,
    pub origin_country: String,
    pub stage: ImportStage,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewInquiry {
    pub user_id: i64,
    pub car_id: Option<i64>,
    pub subject: String,
    pub message: String,
    pub status: String,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vin_rules() {
        assert!(Vin::parse("JTDKB20U793456789").is_ok());
        assert_eq!(Vin::parse("JTDKB20U79345678O").unwrap_err().field, "vin");
        assert_eq!(Vin::parse("SHORT").unwrap_err().field, "vin");
    }
}
