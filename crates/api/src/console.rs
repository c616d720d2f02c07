//! The console as a signed-in operator sees it: every command checks the operator's role here,
//! in the backend, and the console's own actions are recorded with the operator as actor: in
//! the audit trail (tamper-evident) and in the activity log (their "My activity" timeline).
//!
//! Both transports go through this type only: the HTTP server resolves its session cookie and
//! the desktop shell its stored token to a [`Console`], then calls one method.

use crate::access::{Operator, Permission};
use crate::password::{self, HashError};
use crate::sessions::Session;
use crate::types::*;
use crate::Api;
use gurumisha_core::domain::{Action, AuditActionType, RecordId, Role, Severity, TableName};
use gurumisha_core::event::{NewActivity, NewAudit, ObjectRef, RequestContext};

/// The message for every failed sign-in, whatever failed: it must not tell an unknown
/// username from a wrong password.
const WRONG: &str = "wrong username or password";

/// A hash with Django's current cost, checked when the username is unknown so that a failed
/// sign-in takes as long either way ("letmein", salt "unknownuser").
const DECOY: &str = "pbkdf2_sha256$720000$unknownuser$D+oBWXO4TeJsBrJDlxtA1UB58xSeHxxBY8BNNosAi2k=";

/// How a sign-in attempt went, before it is recorded.
enum Outcome {
    In(Operator),
    Refused {
        user_id: Option<i64>,
        reason: String,
        shown: String,
    },
}

impl Api {
    /// Checks a platform user's password (Django's hash) and staff rights and opens a session.
    /// Both outcomes are audited (`login` / `failed_login`).
    pub async fn sign_in(
        &self,
        req: SignInRequest,
        context: RequestContext,
    ) -> Result<SignedIn, ApiError> {
        let username = req.username.trim().to_owned();
        if username.is_empty() {
            return Err(ApiError::invalid("invalid username: must not be empty"));
        }
        let outcome = self.check_password(&username, req.password).await?;
        match outcome {
            Outcome::In(operator) => {
                let token = self.sessions().create(|token| {
                    let mut context = context.clone();
                    context.session_id = Some(session_label(token));
                    Session {
                        operator: operator.clone(),
                        context,
                    }
                });
                let session = self.sessions().get(&token).ok_or_else(|| {
                    ApiError::new(ApiErrorCode::Internal, "the new session vanished")
                })?;
                let console = Console {
                    api: self.clone(),
                    session,
                };
                console
                    .record(
                        "login",
                        "auth",
                        Some(operator.user_id.to_string()),
                        format!(
                            "signed in to Gurumisha Console as {}",
                            crate::access::role_label(operator.role)
                        ),
                        Severity::Low,
                        None,
                    )
                    .await?;
                Ok(SignedIn {
                    token,
                    operator: operator.info(),
                })
            }
            Outcome::Refused {
                user_id,
                reason,
                shown,
            } => {
                self.recorder()
                    .log_audit(NewAudit {
                        timestamp: None,
                        user_id,
                        action_type: AuditActionType::parse("failed_login")?,
                        table_name: TableName::parse("auth")?,
                        record_id: user_id.map(RecordId::from),
                        field_name: None,
                        old_value: None,
                        new_value: None,
                        severity: Severity::Medium,
                        description: format!("console sign-in refused for {username:?}: {reason}"),
                        context,
                        change_set_id: None,
                    })
                    .await?;
                Err(ApiError::new(ApiErrorCode::Unauthenticated, shown))
            }
        }
    }

    async fn check_password(&self, username: &str, password: String) -> Result<Outcome, ApiError> {
        let user = self.store().get_user_by_username(username).await?;
        let Some(user) = user else {
            // Spend the same time as a real check.
            tokio::task::spawn_blocking(move || password::verify(&password, DECOY))
                .await
                .ok();
            return Ok(Outcome::Refused {
                user_id: None,
                reason: "no such user".into(),
                shown: WRONG.into(),
            });
        };
        let hash = self
            .store()
            .password_hash(user.id)
            .await?
            .unwrap_or_default();
        let checked = tokio::task::spawn_blocking(move || password::verify(&password, &hash))
            .await
            .map_err(|e| ApiError::new(ApiErrorCode::Internal, format!("password check: {e}")))?;
        let refused = |reason: String, shown: &str| Outcome::Refused {
            user_id: Some(user.id),
            reason,
            shown: shown.to_owned(),
        };
        Ok(match checked {
            Ok(false) => refused("wrong password".into(), WRONG),
            Err(e @ HashError::Unusable) => refused(e.to_string(), WRONG),
            Err(e) => {
                tracing::warn!(user = user.id, error = %e, "password hash");
                refused(e.to_string(), WRONG)
            }
            Ok(true) if !user.is_active => {
                refused("the account is inactive".into(), "this account is inactive")
            }
            Ok(true) if !user.is_staff || user.role == Role::Customer => refused(
                "not staff".into(),
                "this account has no console access (staff only)",
            ),
            Ok(true) => Outcome::In(Operator {
                user_id: user.id,
                display_name: match format!("{} {}", user.first_name, user.last_name).trim() {
                    "" => user.username.clone(),
                    name => name.to_owned(),
                },
                username: user.username,
                role: user.role,
                time_zone: user.time_zone,
            }),
        })
    }

    /// The console of the session `token`, or `unauthenticated` when there is none.
    pub fn console(&self, token: Option<&str>) -> Result<Console, ApiError> {
        token
            .and_then(|t| self.sessions().get(t))
            .map(|session| Console {
                api: self.clone(),
                session,
            })
            .ok_or_else(|| {
                ApiError::new(
                    ApiErrorCode::Unauthenticated,
                    "not signed in (or the session ended): sign in again",
                )
            })
    }

    /// Ends the session `token` (recorded as `logout`); no session is not an error.
    pub async fn sign_out(&self, token: Option<&str>) -> Result<(), ApiError> {
        let Some(session) = token.and_then(|t| self.sessions().remove(t)) else {
            return Ok(());
        };
        let console = Console {
            api: self.clone(),
            session,
        };
        let id = console.operator().user_id.to_string();
        console
            .record(
                "logout",
                "auth",
                Some(id),
                "signed out of Gurumisha Console".into(),
                Severity::Low,
                None,
            )
            .await
    }
}

/// A short, stable label of a session for the logs (never the token itself).
fn session_label(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(token.as_bytes());
    let hex: String = d[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("console-{hex}")
}

/// One signed-in operator's view of the API.
#[derive(Clone)]
pub struct Console {
    api: Api,
    session: Session,
}

impl Console {
    pub fn operator(&self) -> &Operator {
        &self.session.operator
    }

    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The session's request context (IP, user agent, session label) for what it records.
    pub(crate) fn context(&self) -> &RequestContext {
        &self.session.context
    }

    /// Records one console action: an audit row with the operator as actor and the same event
    /// in the activity log (the operator's own timeline).
    pub(crate) async fn record(
        &self,
        action_type: &str,
        table: &str,
        record_id: Option<String>,
        description: String,
        severity: Severity,
        object: Option<ObjectRef>,
    ) -> Result<(), ApiError> {
        let op = self.operator();
        let record_id = record_id.map(|r| RecordId::parse(&r)).transpose()?;
        self.api
            .recorder()
            .log_audit(NewAudit {
                timestamp: None,
                user_id: Some(op.user_id),
                action_type: AuditActionType::parse(action_type)?,
                table_name: TableName::parse(table)?,
                record_id,
                field_name: None,
                old_value: None,
                new_value: None,
                severity,
                description: description.clone(),
                context: self.session.context.clone(),
                change_set_id: None,
            })
            .await?;
        // The activity log's verbs: reading and changing settings keep the platform's words,
        // everything else (login, export, permission_denied, verify, ...) its own.
        let action = match action_type {
            "data_access" => "read",
            "config_change" => "update",
            _ => action_type,
        };
        let mut activity = NewActivity::new(
            Some(op.user_id),
            Action::parse(action)?,
            format!("Console: {description}"),
        );
        activity.object = object;
        activity.context = self.session.context.clone();
        activity.extra_data = serde_json::json!({"source": "console", "audit_action": action_type});
        self.api.recorder().log_activity(activity).await?;
        Ok(())
    }

    /// `require`, and a refusal is itself recorded (`permission_denied`, medium).
    pub(crate) async fn require(&self, p: Permission) -> Result<(), ApiError> {
        let Err(e) = self.operator().require(p) else {
            return Ok(());
        };
        self.record(
            "permission_denied",
            "console",
            None,
            format!("refused: {}", p.what()),
            Severity::Medium,
            None,
        )
        .await?;
        Err(e)
    }

    pub async fn whoami(
        &self,
        _req: WhoAmIRequest,
    ) -> Result<crate::access::OperatorInfo, ApiError> {
        Ok(self.operator().info())
    }

    /// Everyone's activity (`view_activity`); with `mine` only the operator's own, which every
    /// operator may see.
    pub async fn list_activity(&self, req: ActivityQuery) -> Result<ActivityPage, ApiError> {
        let req = self.activity_scope(req).await?;
        self.api.list_activity(req).await
    }

    /// The extent of what `list_activity` lists for `req`, with the same checks.
    pub async fn activity_extent(&self, req: ActivityQuery) -> Result<LogExtent, ApiError> {
        let req = self.activity_scope(req).await?;
        self.api.activity_extent(req).await
    }

    /// Checks the operator may see the activity `req` asks for; `mine` becomes a user filter.
    async fn activity_scope(&self, mut req: ActivityQuery) -> Result<ActivityQuery, ApiError> {
        if req.mine == Some(true) {
            self.require(Permission::ViewOwnActivity).await?;
            req.user_id = Some(self.operator().user_id);
            req.username = None;
        } else {
            self.require(Permission::ViewActivity).await?;
        }
        Ok(req)
    }

    pub async fn list_audit(&self, req: AuditQuery) -> Result<AuditPage, ApiError> {
        self.require(Permission::ViewAudit).await?;
        self.api.list_audit(req).await
    }

    /// The extent of what `list_audit` lists for `req`, with the same check.
    pub async fn audit_extent(&self, req: AuditQuery) -> Result<LogExtent, ApiError> {
        self.require(Permission::ViewAudit).await?;
        self.api.audit_extent(req).await
    }

    /// A change set's fields; opening one is recorded as data access.
    pub async fn get_change_set(&self, req: ChangeSetQuery) -> Result<Vec<AuditRecord>, ApiError> {
        self.require(Permission::ViewAudit).await?;
        let id = req.change_set_id.clone();
        let rows = self.api.get_change_set(req).await?;
        let first = &rows[0];
        self.record(
            "data_access",
            &first.table_name,
            first.record_id.clone(),
            format!(
                "opened change set {id} ({} {}, {} field{})",
                first.table_name,
                first.record_id.as_deref().unwrap_or("-"),
                rows.len(),
                if rows.len() == 1 { "" } else { "s" }
            ),
            Severity::Low,
            None,
        )
        .await?;
        Ok(rows)
    }

    pub async fn verify_audit(&self, req: VerifyQuery) -> Result<VerifyReport, ApiError> {
        self.require(Permission::VerifyAudit).await?;
        self.api.verify_audit(req).await
    }
}
