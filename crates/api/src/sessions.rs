//! Signed-in operators, by session token. Tokens are 256 random bits; they live in this
//! process only (a restart signs everyone out) and expire after a period without use. The
//! desktop shell keeps its token in Rust state and the HTTP server in an HttpOnly cookie, so
//! no script in the web view ever holds one.

use crate::access::Operator;
use gurumisha_core::event::RequestContext;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Sessions {
    inner: Mutex<HashMap<String, Entry>>,
    idle: Duration,
}

/// One signed-in operator and the request context their actions are recorded with (the
/// session's label as `session_id`, the client's address and agent as seen at sign-in).
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub operator: Operator,
    pub context: RequestContext,
}

struct Entry {
    session: Session,
    last_used: Instant,
}

impl Sessions {
    /// Sessions that end after `idle` without a request.
    pub fn new(idle: Duration) -> Self {
        Self {
            inner: Mutex::new(HashMap::new()),
            idle,
        }
    }

    /// Opens a session made by `make` from the new token and returns the token.
    pub fn create(&self, make: impl FnOnce(&str) -> Session) -> String {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let session = make(&token);
        let mut map = self.lock();
        let idle = self.idle;
        map.retain(|_, e| e.last_used.elapsed() < idle);
        map.insert(
            token.clone(),
            Entry {
                session,
                last_used: Instant::now(),
            },
        );
        token
    }

    /// A live session, which counts as a use.
    pub fn get(&self, token: &str) -> Option<Session> {
        let mut map = self.lock();
        let idle = self.idle;
        match map.get_mut(token) {
            Some(e) if e.last_used.elapsed() < idle => {
                e.last_used = Instant::now();
                Some(e.session.clone())
            }
            Some(_) => {
                map.remove(token);
                None
            }
            None => None,
        }
    }

    pub fn remove(&self, token: &str) -> Option<Session> {
        self.lock().remove(token).map(|e| e.session)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding this lock cannot leave the map half-updated.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gurumisha_core::domain::Role;

    fn op() -> Session {
        Session {
            operator: Operator {
                user_id: 1,
                username: "wanjiru".into(),
                display_name: "Wanjiru Kamau".into(),
                role: Role::Admin,
                time_zone: "Africa/Nairobi".into(),
            },
            context: RequestContext::default(),
        }
    }

    #[test]
    fn tokens_are_random_and_end() {
        let s = Sessions::new(Duration::from_secs(60));
        let (a, b) = (s.create(|_| op()), s.create(|_| op()));
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(s.get(&a), Some(op()));
        assert_eq!(s.get("0".repeat(64).as_str()), None);
        assert_eq!(s.remove(&a), Some(op()));
        assert_eq!(s.get(&a), None);
        assert_eq!(s.get(&b), Some(op()));
    }

    #[test]
    fn idle_sessions_expire() {
        let s = Sessions::new(Duration::from_millis(20));
        let t = s.create(|_| op());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(s.get(&t), None);
    }
}
