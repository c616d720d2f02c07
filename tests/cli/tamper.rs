//! Tampering with the SQLite file behind the application's back.

use crate::{stdout, Env};
use gurumisha_core::chain::{seal, Hash32};
use gurumisha_core::domain::Severity;
use gurumisha_core::event::AuditContent;
use gurumisha_core::Timestamp;
use rusqlite::{params, Connection};
use std::path::PathBuf;

fn attack(env: &Env, name: &str, f: impl FnOnce(&Connection)) -> PathBuf {
    let copy = env.dir.join(format!("{name}.sqlite3"));
    let c = Connection::open(env.db()).unwrap();
    c.execute("VACUUM INTO ?1", params![copy.to_str().unwrap()])
        .unwrap();
    drop(c);
    let c = Connection::open(&copy).unwrap();
    for t in [
        "audit_log_no_update",
        "audit_log_no_delete",
        "audit_checkpoint_no_update",
        "audit_checkpoint_no_delete",
    ] {
        c.execute(&format!("DROP TRIGGER {t}"), []).unwrap();
    }
    f(&c);
    copy
}

fn verdict(env: &Env, db: &std::path::Path) -> (i64, String) {
    let o = env.run_on(db, &["verify-audit", "--json"]);
    assert!(
        !o.status.success(),
        "tampering went unnoticed: {}",
        stdout(&o)
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    (
        v["problem"]["seq"].as_i64().unwrap(),
        v["problem"]["kind"].as_str().unwrap().to_owned(),
    )
}

fn content(c: &Connection, seq: i64) -> AuditContent {
    c.query_row(
        "SELECT ts, user_id, action_type, table_name, record_id, field_name, old_value, new_value, severity, description, ip_address, user_agent, change_set_id, content_flags FROM audit_log WHERE seq = ?1",
        params![seq],
        |r| {
            let flags: String = r.get(13)?;
            Ok(AuditContent {
                timestamp: Timestamp(r.get(0)?),
                user_id: r.get(1)?,
                action_type: r.get(2)?,
                table_name: r.get(3)?,
                record_id: r.get(4)?,
                field_name: r.get(5)?,
                old_value: r.get(6)?,
                new_value: r.get(7)?,
                severity: Severity::parse(&r.get::<_, String>(8)?).unwrap(),
                description: r.get(9)?,
                ip_address: r.get(10)?,
                user_agent: r.get(11)?,
                change_set_id: r.get(12)?,
                content_flags: serde_json::from_str(&flags).unwrap(),
            })
        },
    )
    .unwrap()
}

fn hash_of(c: &Connection, seq: i64) -> Hash32 {
    let b: Vec<u8> = c
        .query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1",
            params![seq],
            |r| r.get(0),
        )
        .unwrap();
    b.try_into().unwrap()
}

/// What a careful attacker does after editing: recompute every hash from `from` on.
fn rehash_from(c: &Connection, from: i64) {
    let head: i64 = c
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    let mut prev = hash_of(c, from - 1);
    for seq in from..=head {
        let h = seal(seq, &prev, &content(c, seq));
        c.execute(
            "UPDATE audit_log SET prev_hash = ?1, hash = ?2 WHERE seq = ?3",
            params![&prev[..], &h[..], seq],
        )
        .unwrap();
        prev = h;
    }
}

#[test]
fn verify_audit_names_the_first_broken_row() {
    let env = Env::new();
    let o = env.run(&["demo", "--events", "4000"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(env.run(&["verify-audit"]).status.success());
    let head: i64 = Connection::open(env.db())
        .unwrap()
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert!(head > 600, "demo wrote {head} audit rows");

    let db = attack(&env, "modified", |c| {
        c.execute(
            "UPDATE audit_log SET description = 'nothing to see' WHERE seq = 321",
            [],
        )
        .unwrap();
    });
    assert_eq!(verdict(&env, &db), (321, "modified".into()));

    let db = attack(&env, "deleted", |c| {
        c.execute("DELETE FROM audit_log WHERE seq = 321", [])
            .unwrap();
    });
    assert_eq!(verdict(&env, &db), (321, "deleted".into()));

    let db = attack(&env, "reordered", |c| {
        c.execute_batch("UPDATE audit_log SET seq = -1 WHERE seq = 321; UPDATE audit_log SET seq = 321 WHERE seq = 322; UPDATE audit_log SET seq = 322 WHERE seq = -1;").unwrap();
    });
    assert_eq!(verdict(&env, &db), (321, "reordered".into()));

    let db = attack(&env, "inserted", |c| {
        // Make room at 321, then forge a row that links correctly to 320.
        c.execute_batch("UPDATE audit_log SET seq = -seq WHERE seq >= 321; UPDATE audit_log SET seq = 1 - seq WHERE seq < 0;").unwrap();
        let mut forged = content(c, 320);
        forged.description = "forged approval".into();
        let prev = hash_of(c, 320);
        let h = seal(321, &prev, &forged);
        c.execute(
            "INSERT INTO audit_log (seq, ts, user_id, action_type, table_name, record_id, field_name, old_value, new_value, severity, description, ip_address, user_agent, change_set_id, content_flags, prev_hash, hash) VALUES (321, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '[]', ?14, ?15)",
            params![forged.timestamp.0, forged.user_id, forged.action_type, forged.table_name, forged.record_id, forged.field_name, forged.old_value, forged.new_value, forged.severity.as_str(), forged.description, forged.ip_address, forged.user_agent, forged.change_set_id, &prev[..], &h[..]],
        ).unwrap();
    });
    assert_eq!(verdict(&env, &db), (321, "inserted".into()));

    // The attacker edits a row and recomputes every hash after it: the chain is consistent again,
    // but the signed checkpoint at 400 no longer matches.
    let db = attack(&env, "rehashed", |c| {
        c.execute(
            "UPDATE audit_log SET description = 'nothing to see' WHERE seq = 321",
            [],
        )
        .unwrap();
        rehash_from(c, 321);
    });
    assert_eq!(verdict(&env, &db), (301, "checkpoint_mismatch".into()));

    // And rewrites the checkpoints' hashes too: the signatures give it away.
    let db = attack(&env, "resigned", |c| {
        c.execute(
            "UPDATE audit_log SET description = 'nothing to see' WHERE seq = 321",
            [],
        )
        .unwrap();
        rehash_from(c, 321);
        let seqs: Vec<i64> = c
            .prepare("SELECT seq FROM audit_checkpoint")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for s in seqs {
            c.execute(
                "UPDATE audit_checkpoint SET head_hash = ?1 WHERE seq = ?2",
                params![&hash_of(c, s)[..], s],
            )
            .unwrap();
        }
    });
    assert_eq!(
        verdict(&env, &db),
        (400, "checkpoint_signature_invalid".into())
    );

    // Or deletes the checkpoints altogether.
    let db = attack(&env, "unsigned", |c| {
        c.execute(
            "UPDATE audit_log SET description = 'nothing to see' WHERE seq = 321",
            [],
        )
        .unwrap();
        rehash_from(c, 321);
        c.execute("DELETE FROM audit_checkpoint WHERE seq > 300", [])
            .unwrap();
    });
    assert_eq!(verdict(&env, &db), (401, "missing_checkpoint".into()));
}
