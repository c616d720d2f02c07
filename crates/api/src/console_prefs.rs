//! A user's notification preferences in the console: channel switches per notification type,
//! frequency (immediate or a digest), quiet hours and their time zone.
//!
//! Viewing needs `view_preferences`; changing needs `edit_preferences` and is recorded as a
//! model change of the user's preferences (each changed top-level field old → new, as JSON)
//! with the operator as actor. The rules themselves (security cannot be switched off,
//! marketing is opt-in, valid zones and times) are `gurumisha_notify::Preferences`'; this
//! module adds what a hand-edited document needs: unknown types, channels and fields are
//! refused by name instead of silently dropped.

use crate::access::Permission;
use crate::console_changes::Change;
use crate::types::*;
use crate::Console;
use gurumisha_core::event::ObjectRef;
use gurumisha_core::notify_data::Contact;
use gurumisha_core::Timestamp;
use gurumisha_notify::{Channel, NotificationType, Preferences, TimeZoneName};
use serde_json::Value;

/// The top-level fields of a preferences document, in display order.
const FIELDS: [&str; 5] = ["channels", "types", "frequency", "quiet_hours", "time_zone"];

impl Console {
    pub async fn get_preferences(
        &self,
        req: GetPreferencesRequest,
    ) -> Result<UserPreferences, ApiError> {
        self.require(Permission::ViewPreferences).await?;
        let id = self
            .api()
            .user_id(req.user_id, req.username.as_deref())
            .await?
            .ok_or_else(|| ApiError::invalid("invalid user_id: give a user_id or a username"))?;
        self.preferences_of(id).await
    }

    /// Validates and replaces the user's preferences; records what changed.
    pub async fn set_preferences(
        &self,
        req: SetPreferencesRequest,
    ) -> Result<PreferencesSaved, ApiError> {
        self.require(Permission::EditPreferences).await?;
        let id = req.user_id;
        let before = self.preferences_of(id).await?;
        let mut submitted = req.preferences;
        check_shape(&mut submitted)?;
        let chose_zone = submitted.get("time_zone").is_some();
        let parsed = Preferences::from_json(submitted)?;
        let mut doc = serde_json::to_value(&parsed).map_err(|e| {
            ApiError::new(
                ApiErrorCode::Internal,
                format!("cannot encode preferences: {e}"),
            )
        })?;
        if !chose_zone {
            // Keep following the profile's zone (see `UserPreferences::time_zone_from_profile`).
            if let Some(m) = doc.as_object_mut() {
                m.remove("time_zone");
            }
        }
        self.api()
            .notify_data()
            .set_preferences(id, doc, Timestamp::now())
            .await?;
        let after = self.preferences_of(id).await?;
        let (old, new) = (json(&before.preferences)?, json(&after.preferences)?);
        let changes: Vec<Change> = FIELDS
            .iter()
            .map(|f| (*f, old[*f].clone(), new[*f].clone()))
            .filter(|(_, o, n)| o != n)
            .collect();
        let changed_fields: Vec<String> = changes.iter().map(|c| c.0.to_owned()).collect();
        let description = format!(
            "changed the notification preferences of {} (user {id}): {}",
            after.name,
            changed_fields.join(", ")
        );
        let object = ObjectRef::parse("user", &id.to_string(), &after.name)?;
        let change_set_id = self
            .record_change(
                "update",
                "notification_preferences",
                &id.to_string(),
                changes,
                description,
                Some(object),
            )
            .await?;
        Ok(PreferencesSaved {
            user: after,
            changed_fields,
            change_set_id,
        })
    }

    /// The effective preferences of `user_id`: stored (defaults when none), in the zone they
    /// name, else the profile's.
    async fn preferences_of(&self, user_id: i64) -> Result<UserPreferences, ApiError> {
        let data = self.api().notify_data();
        let ids = [user_id];
        let (contacts, stored) =
            tokio::try_join!(data.contacts(&ids), data.get_preferences(user_id))?;
        let Some(contact) = contacts.into_iter().next() else {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("no user with id {user_id}"),
            ));
        };
        let chose_zone = stored
            .as_ref()
            .is_some_and(|s| s.preferences.get("time_zone").is_some());
        let mut preferences = match stored
            .as_ref()
            .map(|s| Preferences::from_json(s.preferences.clone()))
        {
            Some(Ok(p)) => p,
            Some(Err(e)) => {
                tracing::warn!(user_id, error = %e, "stored preferences unreadable: showing defaults");
                Preferences::default()
            }
            None => Preferences::default(),
        };
        if !chose_zone {
            if let Ok(tz) = TimeZoneName::parse(&contact.time_zone) {
                preferences.time_zone = tz;
            }
        }
        let Contact {
            first_name,
            last_name,
            email,
            phone,
            is_active,
            ..
        } = contact;
        Ok(UserPreferences {
            user_id,
            name: format!("{first_name} {last_name}").trim().to_owned(),
            email,
            phone,
            is_active,
            preferences,
            stored: stored.is_some(),
            time_zone_from_profile: !chose_zone,
            updated_at: stored.map(|s| s.updated_at),
        })
    }
}

fn json(p: &Preferences) -> Result<Value, ApiError> {
    serde_json::to_value(p).map_err(|e| {
        ApiError::new(
            ApiErrorCode::Internal,
            format!("cannot encode preferences: {e}"),
        )
    })
}

fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> String {
    all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", ")
}

/// Refuses what serde would silently drop (unknown fields, types, channels) or misreport
/// (a non-boolean switch), naming the path. A `null` time zone means "the profile's".
fn check_shape(doc: &mut Value) -> Result<(), ApiError> {
    let Some(map) = doc.as_object_mut() else {
        return Err(ApiError::invalid(
            "invalid preferences: must be a JSON object",
        ));
    };
    if map.get("time_zone").is_some_and(Value::is_null) {
        map.remove("time_zone");
    }
    for key in map.keys() {
        if !FIELDS.contains(&key.as_str()) {
            return Err(ApiError::invalid(format!(
                "invalid preferences.{key}: unknown field; the fields are {}",
                FIELDS.join(", ")
            )));
        }
    }
    let channels = names(Channel::ALL, Channel::as_str);
    let switches = |path: &str, v: &Value| -> Result<(), ApiError> {
        let Some(m) = v.as_object() else {
            return Err(ApiError::invalid(format!(
                "invalid {path}: must be an object of channel switches ({channels})"
            )));
        };
        for (c, on) in m {
            if !Channel::parse(c).is_ok_and(|p| p.as_str() == c) {
                return Err(ApiError::invalid(format!(
                    "invalid {path}.{c}: unknown channel; the channels are {channels}"
                )));
            }
            if !on.is_boolean() {
                return Err(ApiError::invalid(format!(
                    "invalid {path}.{c}: must be true or false"
                )));
            }
        }
        Ok(())
    };
    if let Some(v) = map.get("channels") {
        switches("channels", v)?;
    }
    if let Some(v) = map.get("types") {
        let types = names(NotificationType::ALL, NotificationType::as_str);
        let Some(m) = v.as_object() else {
            return Err(ApiError::invalid(format!(
                "invalid types: must be an object keyed by notification type ({types})"
            )));
        };
        for (t, s) in m {
            if !NotificationType::parse(t).is_ok_and(|p| p.as_str() == t) {
                return Err(ApiError::invalid(format!(
                    "invalid types.{t}: unknown notification type; the types are {types}"
                )));
            }
            switches(&format!("types.{t}"), s)?;
        }
    }
    if let Some(q) = map.get("quiet_hours").and_then(Value::as_object) {
        for k in q.keys() {
            if k != "start" && k != "end" {
                return Err(ApiError::invalid(format!(
                    "invalid quiet_hours.{k}: unknown field; quiet hours have start and end (HH:MM)"
                )));
            }
        }
    }
    Ok(())
}
