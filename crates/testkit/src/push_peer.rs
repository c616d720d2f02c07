//! A Web Push endpoint on 127.0.0.1 playing both ends of RFC 8030: the push service (checks
//! the VAPID JWT against the `k=` key and its own origin) and the browser (holds the
//! subscription's private key and auth secret and decrypts the aes128gcm body).
//!
//! The decryption here is written from RFC 8291 / RFC 8188 with raw HMAC-SHA-256, not with the
//! `hkdf` crate the provider uses, so a shared mistake cannot pass unnoticed.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes128Gcm, Nonce};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;
use tokio::task::JoinHandle;

use crate::sms_peers::Scripted;

#[derive(Debug, Clone)]
pub struct PushReceived {
    pub headers: HeaderMap,
    pub plaintext: Vec<u8>,
    /// The last path segment of the endpoint it was pushed to.
    pub token: String,
    pub claims: serde_json::Value,
    pub vapid_key: String,
}

struct Shared {
    origin: String,
    /// The audience the peer insists on; its own origin unless told otherwise.
    audience: Mutex<String>,
    ua_secret: SecretKey,
    auth: [u8; 16],
    received: Mutex<Vec<PushReceived>>,
    rejected: Mutex<Vec<String>>,
    script: Mutex<VecDeque<Scripted>>,
    /// A standing answer per endpoint token (e.g. 410 for an unsubscribed device).
    by_token: Mutex<HashMap<String, Scripted>>,
}

pub struct PushPeer {
    pub origin: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for PushPeer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PushPeer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let mut auth = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut auth);
        let shared = Arc::new(Shared {
            origin: origin.clone(),
            audience: Mutex::new(origin.clone()),
            ua_secret: SecretKey::random(&mut rand::rngs::OsRng),
            auth,
            received: Mutex::default(),
            rejected: Mutex::default(),
            script: Mutex::default(),
            by_token: Mutex::default(),
        });
        let app = Router::new()
            .route("/wpush/v2/{token}", post(push))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            origin,
            shared,
            task,
        }
    }

    /// The subscription a browser would hand over for this endpoint, as
    /// `PushSubscription.toJSON()` gives it: `{endpoint, keys: {p256dh, auth}}` (base64url).
    pub fn subscription_json(&self) -> serde_json::Value {
        let (endpoint, p256dh, auth) = self.subscription_parts();
        serde_json::json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})
    }

    /// Endpoint, p256dh and auth of the subscription, as stored in a database row.
    pub fn subscription_parts(&self) -> (String, String, String) {
        self.subscription_at("gAAAAABm-token")
    }

    /// The same keys at another endpoint path (a second device of the same browser profile).
    pub fn subscription_at(&self, token: &str) -> (String, String, String) {
        let public = self.shared.ua_secret.public_key().to_encoded_point(false);
        (
            format!("{}/wpush/v2/{token}", self.origin),
            URL_SAFE_NO_PAD.encode(public.as_bytes()),
            URL_SAFE_NO_PAD.encode(self.shared.auth),
        )
    }

    pub fn received(&self) -> Vec<PushReceived> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Requests the peer refused because VAPID or decryption failed.
    pub fn rejected(&self) -> Vec<String> {
        self.shared.rejected.lock().unwrap().clone()
    }

    pub fn requests(&self) -> usize {
        self.received().len() + self.rejected().len()
    }

    pub fn script(&self, answers: impl IntoIterator<Item = Scripted>) {
        self.shared.script.lock().unwrap().extend(answers);
    }

    /// Answer every push to the endpoint with this token the same way, before the script.
    pub fn answer_token(&self, token: &str, answer: Scripted) {
        self.shared
            .by_token
            .lock()
            .unwrap()
            .insert(token.to_owned(), answer);
    }

    /// Act as if this endpoint lived at `origin`: JWTs minted for the real one are refused.
    pub fn expect_audience(&self, origin: &str) {
        *self.shared.audience.lock().unwrap() = origin.to_owned();
    }
}

async fn push(
    State(s): State<Arc<Shared>>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let audience = s.audience.lock().unwrap().clone();
    let checked = check_vapid(&headers, &audience).and_then(|(claims, key)| {
        if headers
            .get("content-encoding")
            .and_then(|v| v.to_str().ok())
            != Some("aes128gcm")
        {
            return Err("Content-Encoding is not aes128gcm".to_owned());
        }
        let ua_public = s.ua_secret.public_key().to_encoded_point(false);
        let plaintext = decrypt(&body, &s.ua_secret, ua_public.as_bytes(), &s.auth)?;
        Ok((claims, key, plaintext))
    });
    let (claims, vapid_key, plaintext) = match checked {
        Ok(v) => v,
        Err(why) => {
            s.rejected.lock().unwrap().push(why.clone());
            return (StatusCode::UNAUTHORIZED, why).into_response();
        }
    };
    s.received.lock().unwrap().push(PushReceived {
        headers,
        plaintext,
        token: token.clone(),
        claims,
        vapid_key,
    });
    let standing = s.by_token.lock().unwrap().get(&token).cloned();
    let next = standing.or_else(|| s.script.lock().unwrap().pop_front());
    match next {
        Some(Scripted::Hang) => std::future::pending().await,
        Some(Scripted::Respond {
            status,
            body,
            retry_after,
        }) => {
            let mut r = (StatusCode::from_u16(status).unwrap(), body).into_response();
            if let Some(ra) = retry_after {
                r.headers_mut().insert("retry-after", ra.parse().unwrap());
            }
            r
        }
        None => {
            let location = format!("{}/m/{}", s.origin, uuid::Uuid::new_v4().simple());
            (StatusCode::CREATED, [("location", location)]).into_response()
        }
    }
}

/// RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`; ES256 over `header.claims`, `aud` is
/// this origin, `exp` within 24 hours, `sub` a contact URI.
fn check_vapid(headers: &HeaderMap, origin: &str) -> Result<(serde_json::Value, String), String> {
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization")?;
    let params = value.strip_prefix("vapid ").ok_or("scheme is not vapid")?;
    let mut t = None;
    let mut k = None;
    for p in params.split(',') {
        match p.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.to_owned()),
            Some(("k", v)) => k = Some(v.to_owned()),
            _ => return Err(format!("unexpected parameter {p:?}")),
        }
    }
    let (t, k) = (t.ok_or("no t=")?, k.ok_or("no k=")?);
    let parts: Vec<&str> = t.split('.').collect();
    if parts.len() != 3 {
        return Err("JWT is not three parts".into());
    }
    let b64 = |s: &str| URL_SAFE_NO_PAD.decode(s).map_err(|e| e.to_string());
    let header: serde_json::Value =
        serde_json::from_slice(&b64(parts[0])?).map_err(|e| e.to_string())?;
    if header["alg"] != "ES256" {
        return Err(format!("alg {}", header["alg"]));
    }
    let key = VerifyingKey::from_sec1_bytes(&b64(&k)?).map_err(|e| e.to_string())?;
    let sig = Signature::from_slice(&b64(parts[2])?).map_err(|e| e.to_string())?;
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .map_err(|_| "VAPID signature does not verify".to_owned())?;
    let claims: serde_json::Value =
        serde_json::from_slice(&b64(parts[1])?).map_err(|e| e.to_string())?;
    if claims["aud"] != origin {
        return Err(format!("aud {} is not {origin}", claims["aud"]));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    if exp <= now || exp > now + 24 * 3600 {
        return Err(format!("exp {exp} outside (now, now + 24h]"));
    }
    let sub = claims["sub"].as_str().unwrap_or_default();
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err(format!("sub {sub:?}"));
    }
    Ok((claims, k))
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// The user agent's side of RFC 8291 section 3.4 and RFC 8188 section 2.
pub fn decrypt(
    body: &[u8],
    ua_secret: &SecretKey,
    ua_public: &[u8],
    auth: &[u8],
) -> Result<Vec<u8>, String> {
    if body.len() < 21 {
        return Err("body shorter than the aes128gcm header".into());
    }
    let salt = &body[..16];
    let rs = u32::from_be_bytes(body[16..20].try_into().unwrap()) as usize;
    let idlen = body[20] as usize;
    if idlen != 65 || body.len() < 21 + idlen {
        return Err(format!("keyid length {idlen}"));
    }
    let as_public = &body[21..21 + idlen];
    let ciphertext = &body[21 + idlen..];
    if ciphertext.len() > rs || ciphertext.len() < 17 {
        return Err(format!(
            "one record of {} bytes with rs {rs}",
            ciphertext.len()
        ));
    }
    let as_key = PublicKey::from_sec1_bytes(as_public).map_err(|_| "keyid is not a P-256 point")?;
    let ecdh = p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_key.as_affine());

    // HKDF with one-block expands written out: PRK = HMAC(salt, IKM); OKM = HMAC(PRK, info 0x01).
    let prk_key = hmac_sha256(auth, &[ecdh.raw_secret_bytes().as_slice()]);
    let ikm = hmac_sha256(&prk_key, &[b"WebPush: info\0", ua_public, as_public, &[1]]);
    let prk = hmac_sha256(salt, &[&ikm]);
    let cek = hmac_sha256(&prk, &[b"Content-Encoding: aes128gcm\0", &[1]]);
    let nonce = hmac_sha256(&prk, &[b"Content-Encoding: nonce\0", &[1]]);

    let record = Aes128Gcm::new_from_slice(&cek[..16])
        .unwrap()
        .decrypt(Nonce::from_slice(&nonce[..12]), ciphertext)
        .map_err(|_| "AES-GCM authentication failed".to_owned())?;
    // Strip zero padding; the last record's delimiter is 0x02.
    let end = record
        .iter()
        .rposition(|b| *b != 0)
        .ok_or("record is all padding")?;
    if record[end] != 2 {
        return Err(format!(
            "delimiter {:#x} is not the last-record 0x02",
            record[end]
        ));
    }
    Ok(record[..end].to_vec())
}

/// The test decryptor itself checked against RFC 8291 Appendix A.
#[cfg(test)]
#[test]
fn decryptor_reads_the_rfc8291_appendix_a_message() {
    let b = |s: &str| URL_SAFE_NO_PAD.decode(s).unwrap();
    let ua = SecretKey::from_slice(&b("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")).unwrap();
    let body = b("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN");
    let plaintext = decrypt(
        &body,
        &ua,
        ua.public_key().to_encoded_point(false).as_bytes(),
        &b("BTBZMqHH6r4Tts7J_aSIgg"),
    )
    .unwrap();
    assert_eq!(plaintext, b"When I grow up, I want to be a watermelon");
}
