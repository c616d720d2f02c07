//! The notification commands of the binary: templates installed once, a manual send printing
//! its decisions (and nothing new for the same key), and `process-notifications` delivering to
//! a real SMTP server while a channel without a provider fails with a clear reason.

use crate::{stdout, Env};
use gurumisha_testkit::smtp_server::SmtpServer;

#[test]
fn templates_are_installed_once() {
    let env = Env::new();
    let o = env.run(&["create-notification-templates"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        stdout(&o).trim(),
        "templates: 28 in the default set, 28 new versions stored, 0 unchanged"
    );
    let o = env.run(&["create-notification-templates"]);
    assert_eq!(
        stdout(&o).trim(),
        "templates: 28 in the default set, 0 new versions stored, 28 unchanged"
    );
}

#[test]
fn notify_by_hand_then_process() {
    let env = Env::new();
    let o = env.run(&["demo", "--events", "300"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("notifications: "), "{}", stdout(&o));
    // The demo's history is in order: no attempt before its notification existed, and
    // attempts of one notification one after the other.
    let db = rusqlite::Connection::open(env.db()).unwrap();
    let (attempts, early, backwards): (i64, i64, i64) = db
        .query_row(
            "SELECT count(*),
                    sum(a.at < n.created_at),
                    sum(EXISTS (SELECT 1 FROM notification_attempt b
                                WHERE b.notification_id = a.notification_id
                                  AND b.id < a.id AND b.at > a.at))
             FROM notification_attempt a JOIN notification_queue n ON n.id = a.notification_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert!(attempts > 100, "{attempts} attempts");
    assert_eq!((early, backwards), (0, 0), "of {attempts} attempts");
    drop(db);
    // Settle the demo's queue first, so what follows is only ours.
    let o = env.run(&["process-notifications"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let args = vec![
        "notify",
        "--user",
        "admin1",
        "--type",
        "orders",
        "--channel",
        "email,sms",
        "--channel",
        "in_app",
        "--title",
        "Order ORD-77: Shipped",
        "--message",
        "Your order ORD-77 is on its way.",
        "--key",
        "cli-test-1",
    ];
    let o = env.run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(text.starts_with("send key cli-test-1\n"), "{text}");
    for c in ["email", "sms", "in_app"] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(c) && l.contains("[notification ")),
            "{text}"
        );
    }
    let o = env.run(&args);
    assert!(
        stdout(&o).contains("seen before: nothing new was queued"),
        "{}",
        stdout(&o)
    );
    let o = env.run(&[
        "notify",
        "--user",
        "admin1",
        "--type",
        "gossip",
        "--channel",
        "email",
    ]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("notification_type"));

    let mut second = args.clone();
    second.truncate(second.len() - 2);
    second.extend(["--key", "cli-test-2", "--json"]);
    let o = env.run(&second);
    let out: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let id = |channel: &str| {
        out["channels"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["channel"] == channel)
            .unwrap()["notification_id"]
            .as_i64()
            .unwrap()
    };

    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(SmtpServer::start());
    let url = format!("smtp://127.0.0.1:{}?tls=none", server.addr.port());
    let o = env.run_with(&["process-notifications"], &[("GURUMISHA_SMTP_URL", &url)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("processed: claimed "), "{}", stdout(&o));
    let db = rusqlite::Connection::open(env.db()).unwrap();
    let row = |id: i64| -> (String, Option<String>, Option<String>) {
        db.query_row(
            "SELECT status, provider, last_error FROM notification_queue WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(row(id("email")).0, "sent");
    assert_eq!(row(id("email")).1.as_deref(), Some("smtp"));
    assert_eq!(row(id("in_app")).1.as_deref(), Some("inbox"));
    let (status, _, error) = row(id("sms"));
    assert_eq!(status, "dead", "no SMS provider here");
    assert!(error.unwrap().contains("no SMS provider configured"));
    assert!(server
        .received()
        .iter()
        .any(|m| String::from_utf8_lossy(&m.data).contains("Subject: Order ORD-77: Shipped")));
    let o = env.run(&["process-notifications", "--cleanup", "--cleanup-days", "0"]);
    assert!(stdout(&o).contains("cleaned up "), "{}", stdout(&o));
}
