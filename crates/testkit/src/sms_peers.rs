//! HTTP servers on 127.0.0.1 that speak the Africa's Talking and Twilio messaging APIs: the
//! real paths, authentication checks and response shapes, plus scripted answers (429 with
//! Retry-After, 5xx, per-recipient failures, a handler that never answers). Every request is
//! recorded with its headers and form fields.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use tokio::task::JoinHandle;

pub const AT_USER: &str = "gurumisha";
pub const AT_KEY: &str = "atsk_live_0123456789abcdef";
pub const TW_SID: &str = "AC0123456789abcdef0123456789abcdef";
pub const TW_TOKEN: &str = "tw-token-9f8e7d6c5b4a";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub form: Vec<(String, String)>,
    /// When the request arrived.
    pub at: Instant,
}

impl Recorded {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A scripted answer; the default answer (when the script is empty) is the API's success.
#[derive(Debug, Clone)]
pub enum Scripted {
    Respond {
        status: u16,
        body: String,
        retry_after: Option<String>,
    },
    /// Never answer: the client's timeout must fire.
    Hang,
}

impl Scripted {
    pub fn status(status: u16, body: &str) -> Self {
        Scripted::Respond {
            status,
            body: body.to_owned(),
            retry_after: None,
        }
    }

    pub fn too_many(retry_after: &str, body: &str) -> Self {
        Scripted::Respond {
            status: 429,
            body: body.to_owned(),
            retry_after: Some(retry_after.to_owned()),
        }
    }
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<Recorded>>,
    script: Mutex<VecDeque<Scripted>>,
    /// A standing answer per recipient number (`to` / `To`), played before the script.
    by_number: Mutex<HashMap<String, Scripted>>,
    /// How long every answer takes (a real API's latency).
    delay: Mutex<std::time::Duration>,
}

pub struct ApiPeer {
    pub base_url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for ApiPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ApiPeer {
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Answer every request for this recipient number the same way (for load tests where the
    /// order of requests is not known).
    pub fn answer_number(&self, to: &str, answer: Scripted) {
        self.shared
            .by_number
            .lock()
            .unwrap()
            .insert(to.to_owned(), answer);
    }

    /// Make every answer take `d` (the request is recorded on arrival).
    pub fn set_delay(&self, d: std::time::Duration) {
        *self.shared.delay.lock().unwrap() = d;
    }

    /// Queue answers for the next requests, in order.
    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.shared.script.lock().unwrap().extend(answers);
    }

    async fn serve(router: Router<Arc<Shared>>) -> Self {
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let app = router.with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base_url: format!("http://{addr}"),
            shared,
            task,
        }
    }

    /// Africa's Talking: `POST /version1/messaging`, `apiKey` header.
    pub async fn africas_talking() -> Self {
        Self::serve(Router::new().route("/version1/messaging", post(at_messaging))).await
    }

    /// Twilio: `POST /2010-04-01/Accounts/{sid}/Messages.json`, basic auth.
    pub async fn twilio() -> Self {
        Self::serve(Router::new().route(
            "/2010-04-01/Accounts/{sid}/Messages.json",
            post(twilio_messages),
        ))
        .await
    }
}

fn record(shared: &Shared, path: String, headers: &HeaderMap, body: &Bytes) -> Recorded {
    let form: Vec<(String, String)> =
        reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body)))
            .unwrap()
            .query_pairs()
            .into_owned()
            .collect();
    let r = Recorded {
        path,
        headers: headers.clone(),
        form,
        at: Instant::now(),
    };
    shared.requests.lock().unwrap().push(r.clone());
    r
}

/// Plays the standing answer for `to` or the next scripted answer, if any; `None` means
/// "answer normally".
async fn scripted(shared: &Shared, to: Option<&str>) -> Option<Response> {
    let standing = to.and_then(|to| shared.by_number.lock().unwrap().get(to).cloned());
    let next = standing.or_else(|| shared.script.lock().unwrap().pop_front());
    match next? {
        Scripted::Hang => std::future::pending().await,
        Scripted::Respond {
            status,
            body,
            retry_after,
        } => {
            let mut resp = (
                StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response();
            if let Some(ra) = retry_after {
                resp.headers_mut()
                    .insert("retry-after", ra.parse().unwrap());
            }
            Some(resp)
        }
    }
}

async fn at_messaging(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = record(&shared, "/version1/messaging".into(), &headers, &body);
    let delay = *shared.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    if r.header("apikey") != Some(AT_KEY) || r.field("username") != Some(AT_USER) {
        return (
            StatusCode::UNAUTHORIZED,
            "The supplied authentication is invalid",
        )
            .into_response();
    }
    if let Some(resp) = scripted(&shared, r.field("to")).await {
        return resp;
    }
    let to = r.field("to").unwrap_or_default();
    let body = serde_json::json!({
        "SMSMessageData": {
            "Message": "Sent to 1/1 Total Cost: KES 0.8000",
            "Recipients": [{
                "statusCode": 101,
                "number": to,
                "status": "Success",
                "cost": "KES 0.8000",
                "messageId": format!("ATXid_{}", uuid::Uuid::new_v4().simple()),
            }]
        }
    });
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// An Africa's Talking 201 whose only recipient failed with `code`/`status`.
pub fn at_recipient_failure(code: u16, status: &str) -> Scripted {
    Scripted::status(
        201,
        &serde_json::json!({
            "SMSMessageData": {
                "Message": "Sent to 0/1 Total Cost: 0",
                "Recipients": [{
                    "statusCode": code, "number": "+254700000000", "status": status,
                    "cost": "0", "messageId": "None"
                }]
            }
        })
        .to_string(),
    )
}

async fn twilio_messages(
    State(shared): State<Arc<Shared>>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = record(
        &shared,
        format!("/2010-04-01/Accounts/{sid}/Messages.json"),
        &headers,
        &body,
    );
    let expected = format!("Basic {}", STANDARD.encode(format!("{TW_SID}:{TW_TOKEN}")));
    if sid != TW_SID || r.header("authorization") != Some(expected.as_str()) {
        let e = serde_json::json!({
            "code": 20003, "message": "Authenticate",
            "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401
        });
        return (StatusCode::UNAUTHORIZED, axum::Json(e)).into_response();
    }
    if let Some(resp) = scripted(&shared, r.field("To")).await {
        return resp;
    }
    let body = serde_json::json!({
        "account_sid": sid,
        "api_version": "2010-04-01",
        "body": r.field("Body"),
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": r.field("From"),
        "messaging_service_sid": r.field("MessagingServiceSid"),
        "num_segments": "1",
        "price": null,
        "sid": format!("SM{}", uuid::Uuid::new_v4().simple()),
        "status": "queued",
        "to": r.field("To"),
        "uri": format!("/2010-04-01/Accounts/{sid}/Messages/SM.json"),
    });
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// Twilio's error JSON.
pub fn twilio_error(status: u16, code: u32, message: &str) -> Scripted {
    Scripted::status(
        status,
        &serde_json::json!({
            "code": code, "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status
        })
        .to_string(),
    )
}
