//! Local-time windows in an IANA zone: when quiet hours end, and which digest window contains
//! an instant.
//!
//! A wall-clock time is turned into an instant as **the first instant at which the local
//! clock reads that time or later**:
//! - normal case: the one instant;
//! - in a gap (spring forward; e.g. 02:30 on 8 March 2026 in America/New_York does not exist)
//!   it is the transition itself, 03:00 EDT: the moment the clock first passes 02:30. Quiet
//!   hours "until 02:30" therefore end at 03:00 local that night, not at 03:30 as Temporal's
//!   "compatible" rule would give;
//! - in a fold (fall back; 01:30 happens twice) it is the first occurrence, unless that is
//!   already past, in which case the second.
//!
//! Digest windows are [start, end): hourly on the local hour, daily from local midnight to
//! midnight, weekly from Monday 00:00 local. Windows tile time (each ends where the next
//! starts), so a 23- or 25-hour day is one daily window, and a repeated hour is one hourly
//! window of two real hours.

use super::QuietHours;
use crate::domain::Frequency;
use gurumisha_core::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::ToSpan;

pub(crate) fn to_jiff(t: Timestamp) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(t.0).unwrap_or(if t.0 < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

pub(crate) fn from_jiff(t: jiff::Timestamp) -> Timestamp {
    Timestamp(t.as_microsecond())
}

/// The first instant after `not_before` (or the first overall, if that is later) at which
/// the local clock reads `dt` or later. See the module docs.
fn resolve(tz: &TimeZone, dt: DateTime, not_before: Option<jiff::Timestamp>) -> jiff::Timestamp {
    let at = |offset: jiff::tz::Offset| offset.to_timestamp(dt).unwrap_or(jiff::Timestamp::MAX);
    match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => at(offset),
        AmbiguousOffset::Gap { after, .. } => {
            // `dt` read with the later offset lies before the transition; the next transition
            // after it is the instant the clock jumps past `dt`.
            let before_gap = at(after);
            tz.following(before_gap)
                .next()
                .map(|t| t.timestamp())
                .unwrap_or(before_gap)
        }
        AmbiguousOffset::Fold { before, after } => {
            let first = at(before);
            match not_before {
                Some(now) if first <= now => at(after),
                _ => first,
            }
        }
    }
}

/// If `now` falls inside the quiet hours (read in `tz`), the instant they end.
pub fn quiet_until(quiet: &QuietHours, tz: &TimeZone, now: Timestamp) -> Option<Timestamp> {
    let now = to_jiff(now);
    let local = tz.to_datetime(now);
    let t = local.hour() as u32 * 60 + local.minute() as u32;
    let (start, end) = (quiet.start.minutes_of_day(), quiet.end.minutes_of_day());
    let inside = match start.cmp(&end) {
        std::cmp::Ordering::Less => start <= t && t < end,
        std::cmp::Ordering::Greater => t >= start || t < end,
        std::cmp::Ordering::Equal => false,
    };
    if !inside {
        return None;
    }
    // Wrapping hours entered before midnight end tomorrow; otherwise they end today.
    let date = if start > end && t >= start {
        local.date().tomorrow().ok()?
    } else {
        local.date()
    };
    let end_dt = date.at(quiet.end.hour() as i8, quiet.end.minute() as i8, 0, 0);
    Some(from_jiff(resolve(tz, end_dt, Some(now))))
}

/// The digest window containing `now` for `frequency`, as (start, end); `None` for immediate.
pub fn digest_window(
    frequency: Frequency,
    tz: &TimeZone,
    now: Timestamp,
) -> Option<(Timestamp, Timestamp)> {
    let now = to_jiff(now);
    let local = tz.to_datetime(now);
    let date = local.date();
    let (start, step) = match frequency {
        Frequency::Immediate => return None,
        Frequency::Hourly => (date.at(local.hour(), 0, 0, 0), 1.hour()),
        Frequency::Daily => (date.at(0, 0, 0, 0), 1.day()),
        Frequency::Weekly => {
            let back = date.weekday().to_monday_zero_offset();
            (date.checked_sub(back.days()).ok()?.at(0, 0, 0, 0), 7.days())
        }
    };
    let start_at = resolve(tz, start, None);
    // In a real zone one step is enough; the loop only guards against a fold that swallows a
    // whole boundary, keeping the promise start <= now < end.
    let mut next = start;
    loop {
        next = next.checked_add(step).ok()?;
        let end_at = resolve(tz, next, None);
        if end_at > now {
            return Some((from_jiff(start_at.min(now)), from_jiff(end_at)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preferences::LocalTime;

    pub(crate) fn ts(s: &str) -> Timestamp {
        from_jiff(s.parse::<jiff::Timestamp>().unwrap())
    }

    fn tz(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn quiet(a: &str, b: &str) -> QuietHours {
        QuietHours::new(LocalTime::parse(a).unwrap(), LocalTime::parse(b).unwrap()).unwrap()
    }

    #[test]
    fn gap_resolves_to_the_transition() {
        let ny = tz("America/New_York");
        let dt: DateTime = "2026-03-08T02:30".parse().unwrap();
        assert_eq!(
            from_jiff(resolve(&ny, dt, None)),
            ts("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn fold_resolves_to_the_first_occurrence_unless_past() {
        let ny = tz("America/New_York");
        let dt: DateTime = "2026-11-01T01:30".parse().unwrap();
        assert_eq!(
            from_jiff(resolve(&ny, dt, None)),
            ts("2026-11-01T05:30:00Z")
        );
        let later = to_jiff(ts("2026-11-01T06:10:00Z")); // 01:10 EST, second pass
        assert_eq!(
            from_jiff(resolve(&ny, dt, Some(later))),
            ts("2026-11-01T06:30:00Z")
        );
    }

    #[test]
    fn quiet_hours_in_a_repeated_hour_end_in_the_future() {
        let ny = tz("America/New_York");
        let q = quiet("00:00", "01:30");
        let now = ts("2026-11-01T06:10:00Z"); // 01:10 EST: wall clock inside quiet hours again
        assert_eq!(quiet_until(&q, &ny, now), Some(ts("2026-11-01T06:30:00Z")));
    }

    /// Sweeps a year in 20-minute steps: every window contains its instant and windows tile.
    #[test]
    fn windows_tile_time_in_dst_zones() {
        for zone in [
            "America/New_York",
            "Europe/London",
            "Australia/Lord_Howe",
            "Africa/Nairobi",
        ] {
            let z = tz(zone);
            for freq in [Frequency::Hourly, Frequency::Daily, Frequency::Weekly] {
                let mut t = ts("2026-01-01T00:00:00Z");
                let mut prev: Option<(Timestamp, Timestamp)> = None;
                while t < ts("2027-01-01T00:00:00Z") {
                    let (s, e) = digest_window(freq, &z, t).unwrap();
                    assert!(
                        s <= t && t < e,
                        "{zone} {freq}: {t:?} not in [{s:?}, {e:?})"
                    );
                    if let Some((ps, pe)) = prev {
                        assert!(
                            (s, e) == (ps, pe) || s == pe,
                            "{zone} {freq}: gap or overlap"
                        );
                    }
                    prev = Some((s, e));
                    t = Timestamp(t.0 + 20 * 60 * 1_000_000);
                }
            }
        }
    }
}
