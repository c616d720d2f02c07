//! Console edits of stored data (templates, preferences) recorded as model changes: one audit
//! row per changed field with its old and new value, sharing a change set, with the operator
//! as actor; and one activity row in the operator's timeline pointing at that change set.
//! [`Console::record`] is for actions without field values (bulk retries, sign-in).

use crate::types::ApiError;
use crate::Console;
use gurumisha_core::domain::{Action, AuditActionType, FieldName, RecordId, TableName};
use gurumisha_core::event::{FieldChange, NewActivity, ObjectRef};
use gurumisha_core::service::ModelChange;

/// One field of a change: name, old value, new value.
pub(crate) type Change = (&'static str, serde_json::Value, serde_json::Value);

impl Console {
    /// Records the fields of `changes` whose values differ; returns the change set id, or
    /// `None` (and records nothing) when no field changed.
    pub(crate) async fn record_change(
        &self,
        action_type: &str,
        table: &str,
        record_id: &str,
        changes: Vec<Change>,
        description: String,
        object: Option<ObjectRef>,
    ) -> Result<Option<String>, ApiError> {
        let op = self.operator();
        let changes = changes
            .into_iter()
            .map(|(field, old, new)| {
                Ok(FieldChange {
                    field: FieldName::parse(field)?,
                    old,
                    new,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let written = self
            .api()
            .recorder()
            .log_model_change(ModelChange {
                timestamp: None,
                user_id: Some(op.user_id),
                table_name: TableName::parse(table)?,
                record_id: RecordId::parse(record_id)?,
                action_type: AuditActionType::parse(action_type)?,
                changes,
                severity: None,
                description: Some(description.clone()),
                context: self.context().clone(),
            })
            .await?;
        let Some(written) = written else {
            return Ok(None);
        };
        let mut activity = NewActivity::new(
            Some(op.user_id),
            Action::parse("update")?,
            format!("Console: {description}"),
        );
        activity.object = object;
        activity.context = self.context().clone();
        activity.extra_data = serde_json::json!({
            "source": "console",
            "audit_action": action_type,
            "change_set_id": written.change_set_id,
        });
        self.api().recorder().log_activity(activity).await?;
        Ok(Some(written.change_set_id))
    }
}
