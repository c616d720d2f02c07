//! Integration tests for gurumisha-providers. Every provider talks to a real protocol peer on
//! 127.0.0.1 that the test starts itself: an SMTP server, HTTP servers speaking the Africa's
//! Talking and Twilio APIs, and a Web Push endpoint that decrypts what it receives (all from
//! `gurumisha-testkit`, shared with the notification engine's tests).

mod email;
mod failover;
mod push;
mod sms;

pub use gurumisha_testkit::{push_peer, sms_peers, smtp_server};
