//! What the HTTP providers (SMS and Web Push) share: transport-error mapping, `Retry-After`
//! parsing and short body excerpts for error messages.

use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};

use crate::{Delivery, DeliveryError};

/// Reads a provider's answer: `(message id, status text)` or a classified error.
pub(crate) type Interpret =
    fn(StatusCode, Option<Duration>, &str) -> Result<(String, String), DeliveryError>;

/// Sends one prepared request and turns the answer into a [`Delivery`] with `interpret`
/// (the SMS providers differ only in how they build the request and read the answer).
pub(crate) async fn exchange(
    provider: &'static str,
    request: RequestBuilder,
    interpret: Interpret,
) -> Result<Delivery, DeliveryError> {
    let start = Instant::now();
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(provider, e))?;
    let status = response.status();
    let wait = retry_after(response.headers());
    let body = response
        .text()
        .await
        .map_err(|e| transport_error(provider, e))?;
    let latency = start.elapsed();
    let result = interpret(status, wait, &body);
    if let Err(e) = &result {
        tracing::warn!(provider, error = %e.message, class = ?e.class, "send failed");
    }
    result.map(|(id, status_text)| Delivery {
        provider: provider.into(),
        provider_message_id: id,
        status_text,
        latency,
    })
}

/// A request that got no response: timeouts and connection failures are transient. The URL
/// is removed because Twilio's carries the account SID.
pub(crate) fn transport_error(provider: &str, e: reqwest::Error) -> DeliveryError {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    // The source chain says why (refused, reset, timed out) and never carries the URL.
    let e = e.without_url();
    let mut why = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        why.push_str(": ");
        why.push_str(&s.to_string());
        source = s.source();
    }
    DeliveryError::transient(provider, format!("{what}: {why}"))
}

/// `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 section 10.2.3).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// At most `max` characters of a response body, for error messages.
pub(crate) fn snippet(body: &str, max: usize) -> String {
    let trimmed = body.trim();
    match trimmed.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &trimmed[..i]),
        None => trimmed.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(d > Duration::from_secs(100) && d <= Duration::from_secs(120));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn snippet_cuts_on_char_boundaries() {
        assert_eq!(snippet("  habari  ", 10), "habari");
        assert_eq!(snippet("ééééé", 2), "éé…");
    }
}
