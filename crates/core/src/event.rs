//! Events as callers describe them (validated inputs) and as stores keep them (rows).

use crate::domain::{Action, AuditActionType, ObjectType, Outcome, RecordId, Severity, TableName};
use crate::{Timestamp, ValidationError};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// Where a request came from. Every field is optional: background jobs have none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    pub ip_address: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub session_id: Option<String>,
    pub request_id: Option<String>,
}

impl RequestContext {
    /// Builds a context from raw strings; a malformed IP is an error naming `ip_address`.
    pub fn parse(
        ip_address: Option<&str>,
        user_agent: Option<&str>,
        session_id: Option<&str>,
        request_id: Option<&str>,
    ) -> Result<Self, ValidationError> {
        let ip_address = match ip_address.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(crate::domain::parse_ip("ip_address", s)?),
            None => None,
        };
        Ok(Self {
            ip_address,
            user_agent: user_agent.map(str::to_owned),
            session_id: session_id.map(str::to_owned),
            request_id: request_id.map(str::to_owned),
        })
    }
}

/// The object an activity is about, with a display text captured at the time
/// (so "Viewed Toyota Harrier 2018" still reads right after the car is sold or deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRef {
    pub object_type: ObjectType,
    pub object_id: RecordId,
    pub display: String,
}

impl ObjectRef {
    pub fn parse(
        object_type: &str,
        object_id: &str,
        display: &str,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            object_type: ObjectType::parse(object_type)?,
            object_id: RecordId::parse_named("object_id", object_id)?,
            display: display.to_owned(),
        })
    }
}

/// A validated activity event, before sanitising and storage.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// When it happened; `None` means now. Back-dated imports and the demo set it.
    pub timestamp: Option<Timestamp>,
    pub user_id: Option<i64>,
    pub action: Action,
    pub description: String,
    pub object: Option<ObjectRef>,
    pub context: RequestContext,
    pub extra_data: serde_json::Value,
    pub outcome: Outcome,
}

impl NewActivity {
    pub fn new(user_id: Option<i64>, action: Action, description: impl Into<String>) -> Self {
        Self {
            timestamp: None,
            user_id,
            action,
            description: description.into(),
            object: None,
            context: RequestContext::default(),
            extra_data: serde_json::Value::Null,
            outcome: Outcome::Success,
        }
    }
}

/// An activity row as stored: sanitised text, JSON as text, flags naming what was altered.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub timestamp: Timestamp,
    pub user_id: Option<i64>,
    pub action: String,
    pub description: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub session_id: Option<String>,
    pub request_id: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub object_display: Option<String>,
    pub extra_data: String,
    pub outcome: Outcome,
    pub content_flags: Vec<String>,
}

/// An activity entry as read back, joined with the user's name. This is also the API's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct ActivityRecord {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "string")]
    pub timestamp: Timestamp,
    #[ts(type = "number | null")]
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub description: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub session_id: Option<String>,
    pub request_id: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub object_display: Option<String>,
    #[ts(type = "unknown")]
    pub extra_data: serde_json::Value,
    pub outcome: Outcome,
    pub content_flags: Vec<String>,
}

/// One changed field of a model change: typed old and new values (numbers stay numbers,
/// `null` stays null, objects stay JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: crate::domain::FieldName,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

/// A validated audit entry, before sanitising and chaining.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub timestamp: Option<Timestamp>,
    pub user_id: Option<i64>,
    pub action_type: AuditActionType,
    pub table_name: TableName,
    pub record_id: Option<RecordId>,
    pub field_name: Option<crate::domain::FieldName>,
    /// `None` means "no value" (not applicable); `Some(Value::Null)` means the value was null.
    pub old_value: Option<serde_json::Value>,
    pub new_value: Option<serde_json::Value>,
    pub severity: Severity,
    pub description: String,
    pub context: RequestContext,
    pub change_set_id: Option<String>,
}

/// Everything an audit row's hash covers besides its sequence number and the previous hash.
/// Values are kept exactly as stored (JSON as canonical text) so verification is byte-exact.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditContent {
    pub timestamp: Timestamp,
    pub user_id: Option<i64>,
    pub action_type: String,
    pub table_name: String,
    pub record_id: Option<String>,
    pub field_name: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub severity: Severity,
    pub description: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub change_set_id: Option<String>,
    pub content_flags: Vec<String>,
}

/// A sealed audit row: content plus its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub seq: i64,
    pub prev_hash: crate::chain::Hash32,
    pub hash: crate::chain::Hash32,
    pub content: AuditContent,
}

/// An audit row as read for people, joined with the user's name.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub row: AuditRow,
    pub username: Option<String>,
}
