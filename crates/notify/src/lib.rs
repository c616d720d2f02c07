//! Notification domain (in progress).
