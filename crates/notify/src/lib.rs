//! Gurumisha notify: what a notification *is* before anything is sent.
//!
//! - [`domain`]: channels, notification types, priorities, frequencies, template names,
//!   queue statuses, IANA time-zone names, each validated and naming its field on error.
//! - [`template`]: the seed's `{variable}` templates (validation with line and column,
//!   plain-text and HTML rendering, a few filters), SMS encoding and segment counts, the
//!   default template set and sample contexts for previews.
//! - [`preferences`]: per-user channels, types, frequency, quiet hours and time zone, and
//!   [`preferences::decide`]: send, skip, defer or digest, with a reason in words.
//! - [`backoff`]: retry delays with jitter and error classes; [`clock`]: injectable time.
//!
//! Everything here is pure: no I/O, no database, no clock reads except through
//! [`clock::Clock`], no randomness except a number passed in. The queue (in the stores), the
//! providers, the API crate and the CLI call into this crate; it must never depend on them,
//! on a database driver, an HTTP stack or Tauri.

pub mod backoff;
pub mod clock;
pub mod domain;
pub mod preferences;
pub mod template;

#[cfg(test)]
mod snapshot_tests;

pub use domain::{
    Channel, Frequency, NotificationStatus, NotificationType, Priority, TemplateName, TimeZoneName,
};
pub use preferences::{decide, explain, Decision, DeliveryTrace, Preferences};
pub use template::{NotificationTemplate, Template};
