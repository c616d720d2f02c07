//! Decision tests: Nairobi (no DST), New York across spring-forward and fall-back, London,
//! Lord Howe (30-minute DST).

use super::*;
use crate::domain::{Channel, Frequency, NotificationType, TimeZoneName};
use gurumisha_core::Timestamp;
use serde_json::json;

fn ts(s: &str) -> Timestamp {
    window::from_jiff(s.parse::<jiff::Timestamp>().unwrap())
}

fn prefs(zone: &str, quiet: Option<(&str, &str)>) -> Preferences {
    Preferences {
        quiet_hours: quiet.map(|(a, b)| {
            QuietHours::new(LocalTime::parse(a).unwrap(), LocalTime::parse(b).unwrap()).unwrap()
        }),
        time_zone: TimeZoneName::parse(zone).unwrap(),
        ..Preferences::default()
    }
}

fn defer(until: &str, reason: &str) -> Decision {
    Decision::Defer {
        until: ts(until),
        reason: reason.into(),
    }
}

const ORDERS: NotificationType = NotificationType::Orders;

#[test]
fn nairobi_quiet_hours_wrap_midnight() {
    let p = prefs("Africa/Nairobi", Some(("22:00", "07:00")));
    let d = |now| decide(&p, ORDERS, Channel::Sms, ts(now));
    let until_7 = defer(
        "2026-11-27T04:00:00Z",
        "quiet hours until 07:00 Africa/Nairobi",
    );
    assert_eq!(d("2026-11-26T20:30:00Z"), until_7, "23:30 local");
    assert_eq!(
        d("2026-11-26T19:00:00Z"),
        until_7,
        "22:00 local: start is inclusive"
    );
    assert_eq!(
        d("2026-11-27T00:00:00Z"),
        until_7,
        "03:00 local, after midnight"
    );
    assert_eq!(
        d("2026-11-27T04:00:00Z"),
        Decision::Send,
        "07:00 local: end is exclusive"
    );
    assert_eq!(d("2026-11-26T11:05:00Z"), Decision::Send, "14:05 local");
}

#[test]
fn daytime_quiet_hours_do_not_wrap() {
    let p = prefs("Africa/Nairobi", Some(("13:00", "14:30")));
    let d = |now| decide(&p, ORDERS, Channel::Email, ts(now));
    assert_eq!(
        d("2026-11-26T10:15:00Z"),
        defer(
            "2026-11-26T11:30:00Z",
            "quiet hours until 14:30 Africa/Nairobi"
        )
    );
    assert_eq!(d("2026-11-26T11:30:00Z"), Decision::Send);
    assert_eq!(d("2026-11-26T20:00:00Z"), Decision::Send);
}

#[test]
fn security_ignores_every_preference() {
    let mut p = prefs("Africa/Nairobi", Some(("22:00", "07:00")));
    p.channels = ChannelSwitches::ALL_OFF;
    p.types.security = ChannelSwitches::ALL_OFF;
    p.frequency = Frequency::Weekly;
    let now = ts("2026-11-26T20:30:00Z");
    for c in Channel::ALL {
        assert_eq!(
            decide(&p, NotificationType::Security, *c, now),
            Decision::Send
        );
    }
    let trace = explain(&p, NotificationType::Security, &[Channel::Sms], now);
    assert_eq!(
        trace.entries[0].reason,
        "security notifications are always sent at once"
    );
}

#[test]
fn marketing_is_opt_in_and_switches_skip() {
    let mut p = Preferences::default();
    let now = ts("2026-11-26T11:05:00Z");
    let m = NotificationType::Marketing;
    assert_eq!(
        decide(&p, m, Channel::Email, now),
        Decision::Skip {
            reason: "marketing is opt-in and not turned on for email".into()
        }
    );
    p.set_type(m, Channel::Email, true).unwrap();
    assert_eq!(decide(&p, m, Channel::Email, now), Decision::Send);
    assert_eq!(decide(&p, m, Channel::Sms, now).kind(), DecisionKind::Skip);

    p.channels.sms = false;
    p.set_type(ORDERS, Channel::Push, false).unwrap();
    let trace = explain(
        &p,
        ORDERS,
        &[Channel::Email, Channel::Sms, Channel::Push],
        now,
    );
    let reasons: Vec<&str> = trace.entries.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "sent at once: allowed by the preferences",
            "sms is turned off",
            "orders notifications are turned off for push"
        ]
    );
}

#[test]
fn digests_take_the_local_window_and_precede_quiet_hours() {
    let mut p = prefs("Africa/Nairobi", Some(("22:00", "07:00")));
    let now = ts("2026-11-26T11:05:00Z"); // Thursday 14:05 in Nairobi
    let window = |p: &Preferences, now| match decide(p, ORDERS, Channel::Email, now) {
        Decision::Digest {
            bucket_start,
            bucket_end,
            reason,
        } => (bucket_start, bucket_end, reason),
        other => panic!("{other:?}"),
    };
    p.frequency = Frequency::Hourly;
    let (s, e, _) = window(&p, now);
    assert_eq!(
        (s, e),
        (ts("2026-11-26T11:00:00Z"), ts("2026-11-26T12:00:00Z"))
    );
    p.frequency = Frequency::Daily;
    let (s, e, reason) = window(&p, now);
    assert_eq!(
        (s, e),
        (ts("2026-11-25T21:00:00Z"), ts("2026-11-26T21:00:00Z"))
    );
    assert_eq!(
        reason,
        "daily digest: 26 Nov 2026 00:00 to 27 Nov 2026 00:00 Africa/Nairobi"
    );
    p.frequency = Frequency::Weekly;
    let (s, e, _) = window(&p, now);
    assert_eq!(
        (s, e),
        (ts("2026-11-22T21:00:00Z"), ts("2026-11-29T21:00:00Z")),
        "Monday 00:00"
    );
    // 23:30 local is inside quiet hours, but a digest waits for its window anyway.
    let (s, _, _) = window(&p, ts("2026-11-26T20:30:00Z"));
    assert_eq!(s, ts("2026-11-22T21:00:00Z"));
}

#[test]
fn new_york_spring_forward() {
    // 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00Z).
    let p = prefs("America/New_York", Some(("22:00", "02:30")));
    let d = |now| decide(&p, ORDERS, Channel::Push, ts(now));
    // 02:30 does not exist that night: quiet hours end when the clock passes it, at 03:00 EDT.
    let gap_end = defer(
        "2026-03-08T07:00:00Z",
        "quiet hours until 03:00 America/New_York",
    );
    assert_eq!(d("2026-03-08T03:30:00Z"), gap_end, "22:30 EST on the 7th");
    assert_eq!(d("2026-03-08T06:59:00Z"), gap_end, "01:59 EST");
    assert_eq!(d("2026-03-08T07:00:00Z"), Decision::Send, "03:00 EDT");
    let p = prefs("America/New_York", Some(("22:00", "07:00")));
    assert_eq!(
        decide(&p, ORDERS, Channel::Push, ts("2026-03-08T04:00:00Z")),
        defer(
            "2026-03-08T11:00:00Z",
            "quiet hours until 07:00 America/New_York"
        ),
        "07:00 EDT is 11:00Z, only 7 real hours after 23:00 EST"
    );
    let mut p = p;
    p.frequency = Frequency::Daily;
    let Decision::Digest {
        bucket_start,
        bucket_end,
        ..
    } = decide(&p, ORDERS, Channel::Push, ts("2026-03-08T15:00:00Z"))
    else {
        panic!()
    };
    assert_eq!(
        (bucket_start, bucket_end),
        (ts("2026-03-08T05:00:00Z"), ts("2026-03-09T04:00:00Z"))
    );
}

#[test]
fn new_york_fall_back() {
    // 1 November 2026: 02:00 EDT falls back to 01:00 EST (06:00Z).
    let mut p = prefs("America/New_York", Some(("22:00", "07:00")));
    assert_eq!(
        decide(&p, ORDERS, Channel::Sms, ts("2026-11-01T03:00:00Z")),
        defer(
            "2026-11-01T12:00:00Z",
            "quiet hours until 07:00 America/New_York"
        ),
        "23:00 EDT to 07:00 EST is 9 real hours"
    );
    p.frequency = Frequency::Daily;
    let Decision::Digest {
        bucket_start,
        bucket_end,
        ..
    } = decide(&p, ORDERS, Channel::Sms, ts("2026-11-01T15:00:00Z"))
    else {
        panic!()
    };
    assert_eq!(
        (bucket_start, bucket_end),
        (ts("2026-11-01T04:00:00Z"), ts("2026-11-02T05:00:00Z"))
    );
    p.frequency = Frequency::Hourly;
    // Both passes through 01:xx share one two-hour window.
    for now in ["2026-11-01T05:20:00Z", "2026-11-01T06:20:00Z"] {
        let Decision::Digest {
            bucket_start,
            bucket_end,
            ..
        } = decide(&p, ORDERS, Channel::Sms, ts(now))
        else {
            panic!()
        };
        assert_eq!(
            (bucket_start, bucket_end),
            (ts("2026-11-01T05:00:00Z"), ts("2026-11-01T07:00:00Z"))
        );
    }
}

#[test]
fn london_spring_forward() {
    // 29 March 2026: 01:00 GMT jumps to 02:00 BST.
    let p = prefs("Europe/London", Some(("00:00", "01:30")));
    assert_eq!(
        decide(&p, ORDERS, Channel::Email, ts("2026-03-29T00:30:00Z")),
        defer(
            "2026-03-29T01:00:00Z",
            "quiet hours until 02:00 Europe/London"
        )
    );
    let p = prefs("Europe/London", Some(("23:00", "08:00")));
    assert_eq!(
        decide(&p, ORDERS, Channel::Email, ts("2026-07-01T22:30:00Z")),
        defer(
            "2026-07-02T07:00:00Z",
            "quiet hours until 08:00 Europe/London"
        ),
        "23:30 BST"
    );
}

#[test]
fn lord_howe_half_hour_dst() {
    // 4 October 2026: 02:00 LHST (+10:30) jumps to 02:30 LHDT (+11) at 15:30Z on the 3rd.
    let p = prefs("Australia/Lord_Howe", Some(("22:00", "02:15")));
    assert_eq!(
        decide(&p, ORDERS, Channel::InApp, ts("2026-10-03T12:00:00Z")),
        defer(
            "2026-10-03T15:30:00Z",
            "quiet hours until 02:30 Australia/Lord_Howe"
        )
    );
    // 5 April 2026: 02:00 LHDT falls back to 01:30 LHST; that day lasts 24.5 hours.
    let mut p = prefs("Australia/Lord_Howe", None);
    p.frequency = Frequency::Daily;
    let Decision::Digest {
        bucket_start,
        bucket_end,
        ..
    } = decide(&p, ORDERS, Channel::InApp, ts("2026-04-05T06:00:00Z"))
    else {
        panic!()
    };
    assert_eq!(
        (bucket_start, bucket_end),
        (ts("2026-04-04T13:00:00Z"), ts("2026-04-05T13:30:00Z"))
    );
}

#[test]
fn trace_serializes_for_the_queue() {
    let p = prefs("Africa/Nairobi", Some(("22:00", "07:00")));
    let trace = explain(&p, ORDERS, &[Channel::Email], ts("2026-11-26T20:30:00Z"));
    let v = serde_json::to_value(&trace).unwrap();
    assert_eq!(
        v,
        json!({
            "notification_type": "orders",
            "evaluated_at": "2026-11-26T20:30:00.000000Z",
            "time_zone": "Africa/Nairobi",
            "entries": [{
                "channel": "email",
                "decision": {
                    "decision": "defer",
                    "until": "2026-11-27T04:00:00.000000Z",
                    "reason": "quiet hours until 07:00 Africa/Nairobi"
                },
                "reason": "quiet hours until 07:00 Africa/Nairobi"
            }]
        })
    );
    let back: DeliveryTrace = serde_json::from_value(v).unwrap();
    assert_eq!(back, trace);
    assert_eq!(
        trace.entries[0].decision.scheduled_at(trace.evaluated_at),
        Some(ts("2026-11-27T04:00:00Z"))
    );
}
