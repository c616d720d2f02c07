//! The one place tracing is set up (the CLI and the desktop shell both call it): human output on stderr by default, JSON lines when
//! `GURUMISHA_LOG_FORMAT=json`; level from `RUST_LOG` (default `warn`).

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("GURUMISHA_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}
