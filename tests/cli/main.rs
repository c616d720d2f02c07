//! The `gurumisha` binary end to end: demo data, queries, and `verify-audit` after someone
//! edits the SQLite file directly (triggers dropped first), including an attacker who
//! recomputes every hash; the notification commands; and workers killed with SIGKILL again and
//! again while they deliver (on SQLite, and on PostgreSQL when `GURUMISHA_TEST_PG_URL` is set).

mod kill;
mod notify;
mod tamper;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Env {
    pub dir: PathBuf,
}

#[allow(clippy::new_without_default)] // a fresh scratch directory per call, not a default
impl Env {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("gurumisha-cli-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Env { dir }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("gurumisha.sqlite3")
    }

    pub fn run_on(&self, db: &Path, args: &[&str]) -> Output {
        self.run_on_with(db, args, &[])
    }

    pub fn run_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        self.run_on_with(&self.db(), args, vars)
    }

    fn run_on_with(&self, db: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gurumisha"));
        for (k, _) in std::env::vars() {
            // Provider settings of the machine running the tests must not leak in.
            if k.starts_with("GURUMISHA_SMTP")
                || k.starts_with("GURUMISHA_AT_")
                || k.starts_with("GURUMISHA_TWILIO")
                || k.starts_with("GURUMISHA_VAPID")
            {
                cmd.env_remove(k);
            }
        }
        cmd.args(args)
            .envs(vars.iter().copied())
            .env_remove("DATABASE_URL")
            .env_remove("GURUMISHA_DATABASE_URL")
            .env("GURUMISHA_DATA_DIR", &self.dir)
            .env("GURUMISHA_SIGNING_KEY_FILE", self.dir.join("signing.key"))
            .env("GURUMISHA_CHECKPOINT_EVERY", "100")
            .arg("--database-url")
            .arg(format!("sqlite://{}", db.display()))
            .output()
            .expect("run gurumisha")
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_on(&self.db(), args)
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn demo_then_queries_then_verify() {
    let env = Env::new();
    let o = env.run(&["demo", "--events", "3000"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = env.run(&["verify-audit"]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(stdout(&o).contains("audit trail intact"), "{}", stdout(&o));

    let o = env.run(&[
        "activity", "list", "--action", "login", "--limit", "5", "--json",
    ]);
    assert!(o.status.success());
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().all(|l| l["action"] == "login"));

    let o = env.run(&[
        "audit",
        "list",
        "--table",
        "cars",
        "--action-type",
        "update",
        "--limit",
        "1",
        "--json",
    ]);
    let row: serde_json::Value =
        serde_json::from_str(stdout(&o).lines().next().expect("a car update")).unwrap();
    let set = row["change_set_id"].as_str().unwrap();
    let o = env.run(&["audit", "show", set]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("price_kes"), "{}", stdout(&o));

    // A second demo into the same database is refused with one clear line.
    let o = env.run(&["demo", "--events", "10"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("already has users"),
        "{err}"
    );
}

#[test]
fn bad_arguments_are_one_clear_line() {
    let env = Env::new();
    let o = env.run(&["audit", "list", "--severity", "urgent"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("invalid severity"), "{err}");
    let o = env.run_on(Path::new("/proc/no/such/dir/db.sqlite3"), &["migrate"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: "));
}
