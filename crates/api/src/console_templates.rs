//! Notification templates in the console: the list, one template with its version history,
//! a live preview of an unsaved edit (inline errors with line and column, SMS encoding and
//! segments), saving a new version, and a test send to the operator.
//!
//! Parsing, validation, rendering, sample contexts and SMS accounting are `gurumisha-notify`'s;
//! this module only feeds them and shapes the answers. Viewing and previewing need
//! `view_templates`; saving and test sends need `edit_templates` and are recorded: a save as a
//! model change (old → new of every changed part, so the audit trail holds the diff), a test
//! send as a console action.

use crate::access::Permission;
use crate::console_changes::Change;
use crate::types::*;
use crate::{clean, Console};
use gurumisha_core::domain::Severity;
use gurumisha_core::event::ObjectRef;
use gurumisha_core::notify_data::{NewDecision, TemplateDraft, TemplateVersion};
use gurumisha_core::queue::NewNotification;
use gurumisha_core::Timestamp;
use gurumisha_notify::template::{
    default_templates, humanize, preview_context, sample_context, sms_info,
    NotificationTemplateError, RenderOptions,
};
use gurumisha_notify::{
    Channel, NotificationTemplate, NotificationType, Priority, Template, TemplateName, TimeZoneName,
};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Retries of a test message after its first attempt.
const TEST_RETRIES: i32 = 3;

impl Console {
    pub async fn list_templates(
        &self,
        _req: ListTemplatesRequest,
    ) -> Result<TemplateList, ApiError> {
        self.require(Permission::ViewTemplates).await?;
        let current = self.api().notify_data().list_templates().await?;
        let names = self.editor_names(current.iter()).await?;
        let mut templates: Vec<TemplateSummary> = Vec::new();
        for v in current {
            let by_name = editor_name(&names, &v.edited_by);
            let info = TemplateChannelInfo {
                channel: v.channel,
                version: v.version,
                active: v.active,
                updated_at: v.created_at,
                updated_by: v.edited_by,
                updated_by_name: by_name,
            };
            match templates.last_mut().filter(|t| t.name == v.name) {
                Some(t) => {
                    if info.updated_at > t.updated_at {
                        t.updated_at = info.updated_at;
                        t.updated_by = info.updated_by.clone();
                        t.updated_by_name = info.updated_by_name.clone();
                    }
                    t.channels.push(info);
                }
                None => templates.push(TemplateSummary {
                    name: v.name,
                    notification_type: v.notification_type,
                    updated_at: info.updated_at,
                    updated_by: info.updated_by.clone(),
                    updated_by_name: info.updated_by_name.clone(),
                    channels: vec![info],
                }),
            }
        }
        Ok(TemplateList { templates })
    }

    /// Every channel of one template: its current version and all versions, newest first.
    pub async fn get_template(&self, req: GetTemplateRequest) -> Result<TemplateDetail, ApiError> {
        self.require(Permission::ViewTemplates).await?;
        let name = TemplateName::parse(&req.name)?;
        let data = self.api().notify_data();
        let channels: Vec<String> = data
            .list_templates()
            .await?
            .into_iter()
            .filter(|v| v.name == name.as_str())
            .map(|v| v.channel)
            .collect();
        if channels.is_empty() {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("no template named {name}"),
            ));
        }
        let mut histories = Vec::with_capacity(channels.len());
        for c in &channels {
            histories.push(data.template_history(name.as_str(), c).await?);
        }
        let names = self.editor_names(histories.iter().flatten()).await?;
        let mut out = TemplateDetail {
            name: name.as_str().to_owned(),
            notification_type: String::new(),
            channels: Vec::new(),
        };
        for (channel, history) in channels.into_iter().zip(histories) {
            let history: Vec<TemplateVersionInfo> = history
                .into_iter()
                .map(|v| version_info(v, &names))
                .collect();
            let Some(current) = history.first().cloned() else {
                continue;
            };
            out.notification_type = current.notification_type.clone();
            out.channels.push(TemplateChannelDetail {
                channel,
                current,
                history,
            });
        }
        Ok(out)
    }

    /// Renders an unsaved edit; problems come back in the answer (not as an error) so the
    /// editor can mark them inline.
    pub async fn preview_template(
        &self,
        req: PreviewTemplateRequest,
    ) -> Result<TemplatePreview, ApiError> {
        self.require(Permission::ViewTemplates).await?;
        let mut problems = Vec::new();
        let name = match clean(req.name) {
            None => None,
            Some(n) => match TemplateName::parse(&n) {
                Ok(n) => Some(n),
                Err(e) => {
                    problems.push(problem("name", e.reason));
                    None
                }
            },
        };
        let stored = match &name {
            Some(n) => {
                self.api()
                    .notify_data()
                    .get_template(n.as_str(), req.channel.as_str())
                    .await?
            }
            None => None,
        };
        let default = name.as_ref().and_then(|n| default_for(n, req.channel));
        let stored_type = stored
            .as_ref()
            .and_then(|s| NotificationType::parse(&s.notification_type).ok());
        let notification_type = req
            .notification_type
            .or(stored_type)
            .or(default.as_ref().map(|d| d.notification_type))
            .unwrap_or(NotificationType::System);
        let available = req
            .available_variables
            .or(stored.map(|s| s.available_variables))
            .or(default.map(|d| d.available_variables))
            .unwrap_or_else(|| sample_roots(notification_type));
        let template = NotificationTemplate {
            name: name.unwrap_or_else(|| TemplateName::parse("preview").expect("a valid name")),
            channel: req.channel,
            notification_type,
            subject_template: non_blank(req.subject),
            body_template: req.body,
            html_body_template: non_blank(req.html),
            available_variables: available,
            priority: Priority::NORMAL,
            active: true,
            version: 1,
        };

        // Every part's syntax errors, then the rules across parts (SMS has no subject, …).
        let mut blocking = Vec::new();
        {
            let vars: Vec<&str> = template
                .available_variables
                .iter()
                .map(String::as_str)
                .collect();
            let parts = [
                ("subject", template.subject_template.as_deref()),
                ("body", Some(template.body_template.as_str())),
                ("html", template.html_body_template.as_deref()),
            ];
            for (field, text) in parts {
                if let Some(Err(e)) = text.map(|t| Template::parse(t, &vars)) {
                    blocking.push(TemplateProblem {
                        field: field.into(),
                        message: e.message,
                        kind: Some(e.kind),
                        line: Some(e.line),
                        column: Some(e.column),
                        offset: Some(e.offset),
                    });
                }
            }
        }
        if let Err(NotificationTemplateError::Invalid(e)) = template.validate() {
            blocking.push(problem(editor_field(e.field), e.reason));
        }
        let context = match req.context {
            Some(c) if !c.is_null() => c,
            _ => sample_for(&template),
        };
        let mut rendered = None;
        if blocking.is_empty() {
            match template.render(&context, &RenderOptions::default()) {
                Ok(r) => rendered = Some(r),
                Err(NotificationTemplateError::Render { field, error }) => {
                    blocking.push(problem(editor_field(field), error.to_string()))
                }
                Err(e) => blocking.push(problem(editor_field(e.field()), e.to_string())),
            }
        }
        problems.extend(blocking);
        let sms = rendered
            .as_ref()
            .filter(|_| req.channel == Channel::Sms)
            .map(|r| sms_cost(&r.body));
        Ok(TemplatePreview {
            ok: problems.is_empty(),
            rendered,
            problems,
            sms,
            context,
            available_variables: template.available_variables,
        })
    }

    /// Validates and stores a new version; the audit trail gets each changed part old → new.
    pub async fn save_template(
        &self,
        req: SaveTemplateRequest,
    ) -> Result<SaveTemplateResult, ApiError> {
        self.require(Permission::EditTemplates).await?;
        let name = TemplateName::parse(&req.name)?;
        let channel = req.channel;
        let data = self.api().notify_data();
        let current = data.get_template(name.as_str(), channel.as_str()).await?;
        let default = default_for(&name, channel);
        let notification_type = match (req.notification_type, &current, &default) {
            (Some(t), _, _) => t,
            (None, Some(c), _) => NotificationType::parse(&c.notification_type)?,
            (None, None, Some(d)) => d.notification_type,
            (None, None, None) => {
                return Err(ApiError::invalid(
                    "invalid notification_type: a new template needs one \
                     (orders, imports, security, marketing or system)",
                ))
            }
        };
        let priority = match (req.priority, &current, &default) {
            (Some(p), _, _) => Priority::new(i64::from(p))?,
            (None, Some(c), _) => Priority::new(i64::from(c.priority))?,
            (None, None, Some(d)) => d.priority,
            (None, None, None) => Priority::NORMAL,
        };
        let template = NotificationTemplate {
            name: name.clone(),
            channel,
            notification_type,
            subject_template: non_blank(req.subject),
            body_template: req.body,
            html_body_template: non_blank(req.html),
            available_variables: req
                .available_variables
                .or_else(|| current.as_ref().map(|c| c.available_variables.clone()))
                .or_else(|| default.as_ref().map(|d| d.available_variables.clone()))
                .unwrap_or_default(),
            priority,
            active: req
                .active
                .or(current.as_ref().map(|c| c.active))
                .unwrap_or(true),
            version: current.as_ref().map_or(1, |c| c.version + 1),
        };
        template.validate().map_err(template_error)?;
        let op = self.operator();
        let draft = TemplateDraft {
            name: name.as_str().to_owned(),
            channel: channel.as_str().to_owned(),
            notification_type: notification_type.as_str().to_owned(),
            subject_template: template.subject_template.clone(),
            body_template: template.body_template.clone(),
            html_body_template: template.html_body_template.clone(),
            available_variables: template.available_variables.clone(),
            priority: i16::from(priority.get()),
            active: template.active,
            edited_by: Some(op.user_id.to_string()),
            note: clean(req.note),
        };
        let (saved, created) = data.save_template(draft, Timestamp::now()).await?;
        let mut change_set_id = None;
        if created {
            let record = template_record_id(&name, channel);
            let verb = if current.is_some() {
                "edited"
            } else {
                "created"
            };
            let description = format!(
                "{verb} template {name} ({channel}), now version {}",
                saved.version
            );
            let object = ObjectRef::parse(
                "notification_template",
                &record,
                &format!("{name} ({channel})"),
            )?;
            change_set_id = self
                .record_change(
                    if current.is_some() {
                        "update"
                    } else {
                        "create"
                    },
                    "notification_templates",
                    &record,
                    template_changes(current.as_ref(), &saved),
                    description,
                    Some(object),
                )
                .await?;
        }
        let names = self.editor_names([&saved]).await?;
        Ok(SaveTemplateResult {
            created,
            template: version_info(saved, &names),
            change_set_id,
        })
    }

    /// Queues one real notification of the current version, rendered with the sample
    /// context, to the signed-in operator; the worker delivers it through the real provider.
    pub async fn send_test_template(
        &self,
        req: SendTestTemplateRequest,
    ) -> Result<SendTestResult, ApiError> {
        self.require(Permission::EditTemplates).await?;
        let name = TemplateName::parse(&req.name)?;
        let channel = req.channel;
        let api = self.api();
        let data = api.notify_data();
        let op = self.operator().clone();
        let Some(version) = data.get_template(name.as_str(), channel.as_str()).await? else {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("no {channel} template named {name}"),
            ));
        };
        let template = from_version(&version)?;
        let ids = [op.user_id];
        let Some(me) = data.contacts(&ids).await?.into_iter().next() else {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("your user {} no longer exists", op.user_id),
            ));
        };
        let address = match channel {
            Channel::Email if me.email.trim().is_empty() => {
                return Err(ApiError::invalid(
                    "invalid channel: your account has no e-mail address for an e-mail test",
                ))
            }
            Channel::Email => me.email.clone(),
            Channel::Sms => me
                .phone
                .clone()
                .filter(|p| !p.trim().is_empty())
                .ok_or_else(|| {
                    ApiError::invalid(
                        "invalid channel: your account has no phone number; add one to your \
                     profile to receive an SMS test",
                    )
                })?,
            Channel::Push => {
                let n = data.push_subscriptions(op.user_id).await?.len();
                if n == 0 {
                    return Err(ApiError::invalid(
                        "invalid channel: you have no push subscriptions; allow notifications \
                         in a browser first",
                    ));
                }
                format!("{n} push subscription{}", if n == 1 { "" } else { "s" })
            }
            Channel::InApp => "your in-app inbox".to_owned(),
        };
        // The sample, addressed to the operator.
        let mut context = sample_for(&template);
        if let Some(r) = context.get_mut("recipient").and_then(Value::as_object_mut) {
            let mine = [
                ("first_name", Some(me.first_name.clone())),
                ("last_name", Some(me.last_name.clone())),
                ("email", Some(me.email.clone())),
                ("phone", me.phone.clone()),
            ];
            for (k, v) in mine {
                if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                    r.insert(k.into(), Value::String(v));
                }
            }
        }
        let options = RenderOptions {
            time_zone: TimeZoneName::parse(&me.time_zone).unwrap_or_default(),
        };
        let rendered = template
            .render(&context, &options)
            .map_err(template_error)?;
        let title = format!(
            "[Test] {}",
            rendered
                .subject
                .clone()
                .unwrap_or_else(|| humanize(name.as_str()))
        );
        let key = format!("console-test:{}", uuid::Uuid::now_v7());
        let now = Timestamp::now();
        let row = NewNotification {
            idempotency_key: key.clone(),
            recipient_id: op.user_id,
            channel: channel.as_str().into(),
            notification_type: template.notification_type.as_str().into(),
            template_name: Some(name.as_str().into()),
            template_version: i32::try_from(version.version).ok(),
            title: title.clone(),
            body: rendered.body.clone(),
            html_body: rendered.html_body,
            context,
            priority: i16::from(Priority::HIGHEST.get()),
            scheduled_at: now,
            created_at: now,
            max_retries: TEST_RETRIES,
        };
        let id = api.queue_store().enqueue(vec![row]).await?[0].0;
        // The "why" of this row, like a fan-out's: preferences were not consulted.
        data.record_decisions(vec![NewDecision {
            send_key: key,
            recipient_id: op.user_id,
            channel: channel.as_str().into(),
            notification_type: template.notification_type.as_str().into(),
            decision: "send".into(),
            reason: format!(
                "a test from the template editor by {} (preferences and quiet hours not applied)",
                op.username
            ),
            notification_id: Some(id),
            digest_bucket_id: None,
            until: None,
            decided_at: now,
        }])
        .await?;
        self.record(
            "create",
            "notifications",
            Some(id.to_string()),
            format!(
                "sent a test of template {name} ({channel}) version {} to themselves \
                 (notification {id})",
                version.version
            ),
            Severity::Low,
            Some(ObjectRef::parse("notification", &id.to_string(), &title)?),
        )
        .await?;
        Ok(SendTestResult {
            notification_id: id,
            channel,
            address,
            template_version: version.version,
            title,
            body: rendered.body,
        })
    }

    /// Names of the users among the editors of `versions` (editors that are user ids).
    async fn editor_names<'a>(
        &self,
        versions: impl IntoIterator<Item = &'a TemplateVersion>,
    ) -> Result<HashMap<String, String>, ApiError> {
        let mut ids: Vec<i64> = versions
            .into_iter()
            .filter_map(|v| v.edited_by.as_deref()?.parse().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let contacts = self.api().notify_data().contacts(&ids).await?;
        Ok(contacts
            .into_iter()
            .map(|c| {
                let name = format!("{} {}", c.first_name, c.last_name)
                    .trim()
                    .to_owned();
                (c.user_id.to_string(), name)
            })
            .collect())
    }
}

fn editor_name(names: &HashMap<String, String>, by: &Option<String>) -> Option<String> {
    by.as_ref().and_then(|b| names.get(b)).cloned()
}

fn version_info(v: TemplateVersion, names: &HashMap<String, String>) -> TemplateVersionInfo {
    TemplateVersionInfo {
        edited_by_name: editor_name(names, &v.edited_by),
        name: v.name,
        channel: v.channel,
        version: v.version,
        notification_type: v.notification_type,
        subject: v.subject_template,
        body: v.body_template,
        html: v.html_body_template,
        available_variables: v.available_variables,
        priority: v.priority,
        active: v.active,
        edited_by: v.edited_by,
        note: v.note,
        created_at: v.created_at,
    }
}

/// A stored version as the domain type.
fn from_version(v: &TemplateVersion) -> Result<NotificationTemplate, ApiError> {
    Ok(NotificationTemplate {
        name: TemplateName::parse(&v.name)?,
        channel: Channel::parse(&v.channel)?,
        notification_type: NotificationType::parse(&v.notification_type)?,
        subject_template: v.subject_template.clone(),
        body_template: v.body_template.clone(),
        html_body_template: v.html_body_template.clone(),
        available_variables: v.available_variables.clone(),
        priority: Priority::new(i64::from(v.priority))?,
        active: v.active,
        version: v.version,
    })
}

/// The shipped default of (name, channel), if there is one.
fn default_for(name: &TemplateName, channel: Channel) -> Option<NotificationTemplate> {
    default_templates()
        .into_iter()
        .find(|t| t.name == *name && t.channel == channel)
}

/// The default template whose sample context stands for a notification type.
fn sample_name(ty: NotificationType) -> &'static str {
    match ty {
        NotificationType::Orders => "order_status_change",
        NotificationType::Imports => "import_status_change",
        NotificationType::Security => "security_alert",
        NotificationType::Marketing => "marketing_digest",
        NotificationType::System => "notification_digest",
    }
}

/// The preview context of `t`: the sample of its name if it has one, else the sample of its
/// notification type, with a visible `[path]` for every variable the sample lacks.
fn sample_for(t: &NotificationTemplate) -> Value {
    let keys = |name: &str| sample_context(name).as_object().map_or(0, |m| m.len());
    if keys(t.name.as_str()) > keys("") {
        return preview_context(t);
    }
    let mut stand_in = t.clone();
    stand_in.name = TemplateName::parse(sample_name(t.notification_type)).expect("a valid name");
    preview_context(&stand_in)
}

/// The variables a template with nothing declared may use: the sample's top-level names.
fn sample_roots(ty: NotificationType) -> Vec<String> {
    sample_context(sample_name(ty))
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn sms_cost(body: &str) -> SmsCost {
    let i = sms_info(body);
    SmsCost {
        encoding: i.encoding,
        characters: body.chars().count() as u32,
        units: i.units,
        segments: i.segments,
        remaining: i.remaining,
    }
}

fn non_blank(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn problem(field: &str, message: String) -> TemplateProblem {
    TemplateProblem {
        field: field.into(),
        message,
        kind: None,
        line: None,
        column: None,
        offset: None,
    }
}

/// The editor's (and the requests') name of a template part.
fn editor_field(field: &str) -> &str {
    match field {
        "subject_template" => "subject",
        "body_template" => "body",
        "html_body_template" => "html",
        other => other,
    }
}

fn template_error(e: NotificationTemplateError) -> ApiError {
    match e {
        NotificationTemplateError::Invalid(v) => v.into(),
        NotificationTemplateError::Syntax { field, error } => {
            ApiError::invalid(format!("invalid {}: {error}", editor_field(field)))
        }
        NotificationTemplateError::Render { field, error } => {
            ApiError::invalid(format!("invalid {}: {error}", editor_field(field)))
        }
    }
}

/// `name:channel`, within a record id's 64 characters.
fn template_record_id(name: &TemplateName, channel: Channel) -> String {
    let room = 63 - channel.as_str().len();
    let name: String = name.as_str().chars().take(room).collect();
    format!("{name}:{channel}")
}

/// Every content field, old → new (old is null for a new template); unchanged ones are
/// dropped by the recorder.
fn template_changes(old: Option<&TemplateVersion>, new: &TemplateVersion) -> Vec<Change> {
    let was = |f: fn(&TemplateVersion) -> Value| old.map_or(Value::Null, f);
    vec![
        (
            "notification_type",
            was(|v| json!(v.notification_type)),
            json!(new.notification_type),
        ),
        (
            "subject_template",
            was(|v| json!(v.subject_template)),
            json!(new.subject_template),
        ),
        (
            "body_template",
            was(|v| json!(v.body_template)),
            json!(new.body_template),
        ),
        (
            "html_body_template",
            was(|v| json!(v.html_body_template)),
            json!(new.html_body_template),
        ),
        (
            "available_variables",
            was(|v| json!(v.available_variables)),
            json!(new.available_variables),
        ),
        ("priority", was(|v| json!(v.priority)), json!(new.priority)),
        ("active", was(|v| json!(v.active)), json!(new.active)),
    ]
}
