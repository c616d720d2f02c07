//! Gurumisha testkit: real protocol peers on 127.0.0.1 for the tests of the providers, the
//! notification engine and the `gurumisha` binary. Nothing here is a mock of our own code:
//! each peer speaks the outside party's protocol (SMTP, the Africa's Talking and Twilio REST
//! APIs, RFC 8030 Web Push with RFC 8291 decryption and RFC 8292 VAPID checks) and records
//! what it received, with scripted error and rate-limit answers.
//!
//! A dev-dependency only: no production crate may depend on it. It depends on no Gurumisha
//! crate either, so every crate's tests can use it without a cycle.

pub mod push_peer;
pub mod sms_peers;
pub mod smtp_server;
