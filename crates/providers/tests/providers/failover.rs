//! FailoverSms over the two real clients and their loopback peers, with a manual clock: the
//! breaker's cool-down and the token buckets move only when the test advances time.

use std::sync::Arc;
use std::time::Duration;

use gurumisha_providers::clock::ManualClock;
use gurumisha_providers::sms::{
    AfricasTalking, BreakerPolicy, BreakerState, FailoverMember, FailoverSms, RateLimit, Twilio,
};
use gurumisha_providers::{ErrorClass, ErrorScope, Provider};

use crate::sms::{at_config, sms, tw_config};
use crate::sms_peers::*;

struct Rig {
    at: ApiPeer,
    tw: ApiPeer,
    clock: Arc<ManualClock>,
    sms: FailoverSms,
}

async fn rig(at_limit: Option<RateLimit>, tw_limit: Option<RateLimit>) -> Rig {
    let at = ApiPeer::africas_talking().await;
    let tw = ApiPeer::twilio().await;
    let clock = Arc::new(ManualClock::new());
    let policy = BreakerPolicy {
        failure_threshold: 2,
        cool_down: Duration::from_secs(30),
    };
    let mut first =
        FailoverMember::new(Arc::new(AfricasTalking::new(at_config(&at)).unwrap())).breaker(policy);
    let mut second =
        FailoverMember::new(Arc::new(Twilio::new(tw_config(&tw)).unwrap())).breaker(policy);
    first.rate_limit = at_limit;
    second.rate_limit = tw_limit;
    let sms = FailoverSms::with_clock(vec![first, second], clock.clone());
    Rig { at, tw, clock, sms }
}

fn state(r: &Rig, name: &str) -> BreakerState {
    r.sms
        .states()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap()
        .1
}

#[tokio::test]
async fn transient_failure_fails_over_to_the_next_provider() {
    let r = rig(None, None).await;
    r.at.script([Scripted::status(500, "Internal Server Error")]);
    let d = r.sms.send(&sms("+254712345678")).await.unwrap();
    assert_eq!(d.provider, "twilio");
    assert_eq!((r.at.requests().len(), r.tw.requests().len()), (1, 1));
    // Next message goes to the first provider again (breaker still closed).
    let d = r.sms.send(&sms("+254712345678")).await.unwrap();
    assert_eq!(d.provider, "africastalking");
}

#[tokio::test]
async fn an_invalid_number_does_not_fail_over() {
    let r = rig(None, None).await;
    r.at.script([at_recipient_failure(403, "InvalidPhoneNumber")]);
    let e = r.sms.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        (e.class, e.scope),
        (ErrorClass::Permanent, ErrorScope::Message)
    );
    assert_eq!(e.provider, "africastalking");
    assert!(
        r.tw.requests().is_empty(),
        "the second provider was not bothered"
    );
    assert_eq!(state(&r, "africastalking"), BreakerState::Closed);
}

#[tokio::test]
async fn breaker_opens_skips_then_probes_after_the_cool_down() {
    let r = rig(None, None).await;
    r.at.script([
        Scripted::status(502, "Bad Gateway"),
        Scripted::Hang, // a timeout counts too
    ]);
    for _ in 0..2 {
        assert_eq!(
            r.sms.send(&sms("+254712345678")).await.unwrap().provider,
            "twilio"
        );
    }
    assert_eq!(state(&r, "africastalking"), BreakerState::Open);

    // Open: the failing provider gets no request at all.
    assert_eq!(
        r.sms.send(&sms("+254712345678")).await.unwrap().provider,
        "twilio"
    );
    assert_eq!(r.at.requests().len(), 2);

    r.clock.advance(Duration::from_secs(29));
    assert_eq!(state(&r, "africastalking"), BreakerState::Open);
    r.clock.advance(Duration::from_secs(1));
    assert_eq!(state(&r, "africastalking"), BreakerState::HalfOpen);

    // The probe fails: open again for another cool-down.
    r.at.script([Scripted::status(500, "still down")]);
    assert_eq!(
        r.sms.send(&sms("+254712345678")).await.unwrap().provider,
        "twilio"
    );
    assert_eq!(state(&r, "africastalking"), BreakerState::Open);
    assert_eq!(r.at.requests().len(), 3);

    // The next probe succeeds: closed, and the first provider is preferred again.
    r.clock.advance(Duration::from_secs(30));
    assert_eq!(
        r.sms.send(&sms("+254712345678")).await.unwrap().provider,
        "africastalking"
    );
    assert_eq!(state(&r, "africastalking"), BreakerState::Closed);
}

#[tokio::test]
async fn rate_limited_provider_is_skipped_without_tripping_its_breaker() {
    let r = rig(None, None).await;
    r.at.script([Scripted::too_many("5", "slow down")]);
    assert_eq!(
        r.sms.send(&sms("+254712345678")).await.unwrap().provider,
        "twilio"
    );
    r.at.script([Scripted::too_many("5", "slow down")]);
    assert_eq!(
        r.sms.send(&sms("+254712345678")).await.unwrap().provider,
        "twilio"
    );
    assert_eq!(state(&r, "africastalking"), BreakerState::Closed);
}

#[tokio::test]
async fn local_token_bucket_spreads_load_and_reports_when_to_retry() {
    let one_per_sec = RateLimit {
        per_second: 1.0,
        burst: 2,
    };
    let r = rig(
        Some(one_per_sec),
        Some(RateLimit {
            per_second: 1.0,
            burst: 1,
        }),
    )
    .await;
    let mut used = Vec::new();
    for _ in 0..3 {
        used.push(r.sms.send(&sms("+254712345678")).await.unwrap().provider);
    }
    assert_eq!(used, ["africastalking", "africastalking", "twilio"]);

    // Both buckets are empty: no request is made, the queue is told when to come back.
    let before = (r.at.requests().len(), r.tw.requests().len());
    let e = r.sms.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert_eq!((r.at.requests().len(), r.tw.requests().len()), before);

    r.clock.advance(Duration::from_secs(1));
    assert_eq!(
        r.sms.send(&sms("+254712345678")).await.unwrap().provider,
        "africastalking"
    );
}

#[tokio::test]
async fn all_providers_failing_is_transient_and_names_each() {
    let r = rig(None, None).await;
    r.at.script([Scripted::status(500, "at down")]);
    r.tw.script([Scripted::status(503, "tw down")]);
    let e = r.sms.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Transient);
    assert!(
        e.message.contains("africastalking: HTTP 500"),
        "{}",
        e.message
    );
    assert!(e.message.contains("twilio: HTTP 503"), "{}", e.message);

    // Both refuse for good (account problems): permanent, nothing left to try.
    r.at.script([at_recipient_failure(405, "InsufficientBalance")]);
    r.tw.script([twilio_error(400, 21606, "bad From")]);
    let e = r.sms.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(e.class, ErrorClass::Permanent);
}

#[tokio::test]
async fn every_breaker_open_asks_the_queue_to_come_back_for_the_probe() {
    let r = rig(None, None).await;
    for _ in 0..2 {
        r.at.script([Scripted::status(500, "at down")]);
        r.tw.script([Scripted::status(503, "tw down")]);
        let e = r.sms.send(&sms("+254712345678")).await.unwrap_err();
        assert_eq!(
            (e.class, e.provider.as_str()),
            (ErrorClass::Transient, "sms-failover")
        );
    }
    r.clock.advance(Duration::from_secs(10));
    let e = r.sms.send(&sms("+254712345678")).await.unwrap_err();
    assert_eq!(
        e.class,
        ErrorClass::RateLimited {
            retry_after: Some(Duration::from_secs(20))
        },
        "{}",
        e.message
    );
    assert_eq!((r.at.requests().len(), r.tw.requests().len()), (2, 2));
}
