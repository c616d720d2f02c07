//! Delivery providers (in progress).
