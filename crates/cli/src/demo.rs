//! `gurumisha demo`: a realistic Gurumisha Motors dataset. A couple of hundred customers and
//! staff with Kenyan names and numbers, cars, orders, import orders through their stages,
//! inquiries, and 90 days of activity and audit history (failed logins and permission changes
//! included), written in time order through the bulk paths with a progress bar.

use anyhow::Context;
use clap::Args;
use gurumisha_core::domain::*;
use gurumisha_core::event::{FieldChange, NewActivity, NewAudit, ObjectRef, RequestContext};
use gurumisha_core::platform::*;
use gurumisha_core::service::{ModelChange, Recorder};
use gurumisha_core::Timestamp;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::process::ExitCode;

#[derive(Args)]
pub struct DemoArgs {
    /// About how many activity and audit events to create.
    #[arg(long, default_value_t = 100_000)]
    events: usize,
    /// Random seed, for a reproducible dataset.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Do nothing if the database already has users (for `make run`).
    #[arg(long)]
    if_empty: bool,
}

const FIRST: &[&str] = &[
    "Wanjiru",
    "Kamau",
    "Otieno",
    "Achieng",
    "Mwangi",
    "Njeri",
    "Kipchoge",
    "Chebet",
    "Omondi",
    "Akinyi",
    "Mutua",
    "Wambui",
    "Kiprono",
    "Jepkosgei",
    "Odhiambo",
    "Nyambura",
    "Barasa",
    "Wafula",
    "Nekesa",
    "Muthoni",
    "Karanja",
    "Ochieng",
    "Atieno",
    "Kiptoo",
    "Jeptoo",
    "Maina",
    "Wairimu",
    "Gitau",
    "Naliaka",
    "Makena",
    "Amina",
    "Hassan",
    "Zawadi",
    "Baraka",
    "Imani",
    "Faith",
    "Brian",
    "Mercy",
    "Kevin",
    "Grace",
];
const LAST: &[&str] = &[
    "Kamau",
    "Otieno",
    "Mwangi",
    "Ochieng",
    "Kiprotich",
    "Wanjala",
    "Njoroge",
    "Onyango",
    "Mutua",
    "Kariuki",
    "Cheruiyot",
    "Odhiambo",
    "Githinji",
    "Wekesa",
    "Kimani",
    "Chege",
    "Nyaga",
    "Macharia",
    "Rotich",
    "Korir",
    "Owino",
    "Mohamed",
    "Ndungu",
    "Langat",
    "Were",
];
const CARS: &[(&str, &[&str])] = &[
    (
        "Toyota",
        &[
            "Harrier",
            "Land Cruiser Prado",
            "Vitz",
            "Premio",
            "Fielder",
            "Axio",
            "Probox",
            "RAV4",
        ],
    ),
    ("Nissan", &["Note", "X-Trail", "Juke", "March"]),
    ("Mazda", &["Demio", "CX-5", "Axela", "Atenza"]),
    ("Subaru", &["Forester", "Outback", "Impreza", "Legacy"]),
    ("Honda", &["Fit", "Vezel", "CR-V"]),
    ("Mercedes-Benz", &["C200", "E250", "GLE 350"]),
    ("BMW", &["X3", "320i", "X5"]),
    ("Volkswagen", &["Golf", "Tiguan", "Polo"]),
    ("Mitsubishi", &["Outlander", "Pajero"]),
    ("Isuzu", &["D-Max", "MU-X"]),
];
const ORIGINS: &[&str] = &[
    "Japan",
    "United Kingdom",
    "United Arab Emirates",
    "Thailand",
    "South Africa",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 12; TECNO KG5) AppleWebKit/537.36 Chrome/118.0 Mobile Safari/537.36",
];
const SEARCHES: &[&str] = &[
    "Toyota Harrier",
    "Prado 2018",
    "Subaru Forester",
    "cheap Vitz",
    "Mazda CX-5 diesel",
    "Land Cruiser",
    "Honda Fit hybrid",
    "Nissan Note 2017",
    "Mercedes C200",
    "Isuzu D-Max pickup",
];
const VIN_CHARS: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
const STAFF: &[(&str, Role)] = &[
    ("admin", Role::Admin),
    ("compliance", Role::ComplianceOfficer),
    ("support", Role::Support),
    ("manager", Role::Manager),
];
const DAY_US: i64 = 86_400_000_000;
/// The demo operators' password (admin1..3, compliance1..3, support1..3, manager1..3), printed
/// at the end of `gurumisha demo` and in the README. Demo data only.
pub const DEMO_PASSWORD: &str = "gurumisha-demo";

struct Person {
    id: i64,
    name: String,
    staff: bool,
    ip: String,
    agent: &'static str,
}

struct Car {
    id: i64,
    label: String,
    price: i64,
}

enum Ev {
    Act(NewActivity),
    Aud(NewAudit),
}

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn kenyan_ip(rng: &mut StdRng) -> String {
    let (a, b) = *pick(
        rng,
        &[(41u8, 90u8), (105, 160), (197, 232), (102, 68), (154, 159)],
    );
    format!(
        "{a}.{b}.{}.{}",
        rng.gen_range(0..=255),
        rng.gen_range(1..=254)
    )
}

pub async fn run(url: Option<String>, args: DemoArgs) -> anyhow::Result<ExitCode> {
    let api = crate::cmd::open(url).await?;
    let store = api.store().clone();
    if !store.list_users(0, 1).await?.is_empty() {
        if args.if_empty {
            println!("demo data already present in {}", store.location());
            return Ok(ExitCode::SUCCESS);
        }
        anyhow::bail!(
            "{} already has users: the demo needs an empty database",
            store.location()
        );
    }
    let mut rng = StdRng::seed_from_u64(args.seed);
    let now = Timestamp::now();
    let start = now.minus_days(90);

    // People: staff first, then customers. Staff get real Django hashes of the demo password
    // (each with its own salt, at Django's cost), so they can sign in to the console.
    let mut users = Vec::new();
    for (i, (role_name, role)) in STAFF.iter().enumerate() {
        for n in 0..3 {
            let first = pick(&mut rng, FIRST).to_string();
            let last = pick(&mut rng, LAST).to_string();
            let mut user = new_user(
                &mut rng,
                format!("{role_name}{}", n + 1),
                first,
                last,
                *role,
                true,
                start.minus_days(200 + i as i64),
            );
            user.password_hash = gurumisha_api::password::make(
                DEMO_PASSWORD,
                &gurumisha_api::password::new_salt(),
                gurumisha_api::password::DEFAULT_ITERATIONS,
            );
            users.push(user);
        }
    }
    for n in 0..200 {
        let first = pick(&mut rng, FIRST).to_string();
        let last = pick(&mut rng, LAST).to_string();
        let uname = format!("{}.{}{}", first.to_lowercase(), last.to_lowercase(), n);
        let joined = Timestamp(start.0 - rng.gen_range(0..365) * DAY_US);
        users.push(new_user(
            &mut rng,
            uname,
            first,
            last,
            Role::Customer,
            false,
            joined,
        ));
    }
    let people: Vec<Person> = {
        let names: Vec<(String, bool)> = users
            .iter()
            .map(|u| (format!("{} {}", u.first_name, u.last_name), u.is_staff))
            .collect();
        let ids = store.insert_users(users).await.context("inserting users")?;
        ids.into_iter()
            .zip(names)
            .map(|(id, (name, staff))| Person {
                id,
                name,
                staff,
                ip: kenyan_ip(&mut rng),
                agent: AGENTS[rng.gen_range(0..AGENTS.len())],
            })
            .collect()
    };
    let cars: Vec<Car> = {
        let mut new_cars = Vec::new();
        for _ in 0..400 {
            let (make, models) = *pick(&mut rng, CARS);
            let model = *pick(&mut rng, models);
            let vin: String = (0..17)
                .map(|_| *pick(&mut rng, VIN_CHARS) as char)
                .collect();
            new_cars.push(NewCar {
                make: make.into(),
                model: model.into(),
                year: rng.gen_range(2012..=2022),
                vin: Vin::parse(&vin)?,
                price_kes: rng.gen_range(8..=120) * 100_000,
                status: *pick(
                    &mut rng,
                    &[
                        CarStatus::Available,
                        CarStatus::Available,
                        CarStatus::Reserved,
                        CarStatus::Sold,
                        CarStatus::InTransit,
                    ],
                ),
                created_at: Timestamp(start.0 - rng.gen_range(0..60) * DAY_US),
            });
        }
        let labels: Vec<(String, i64)> = new_cars
            .iter()
            .map(|c| (format!("{} {} {}", c.make, c.model, c.year), c.price_kes))
            .collect();
        let ids = store.insert_cars(new_cars).await?;
        ids.into_iter()
            .zip(labels)
            .map(|(id, (label, price))| Car { id, label, price })
            .collect()
    };
    let customers: Vec<&Person> = people.iter().filter(|p| !p.staff).collect();
    let staff: Vec<&Person> = people.iter().filter(|p| p.staff).collect();

    let pb = ProgressBar::new(args.events as u64);
    pb.set_style(
        ProgressStyle::with_template(
            "{msg:12} [{bar:40.cyan/blue}] {pos}/{len} events ({per_sec}, eta {eta})",
        )?
        .progress_chars("=> "),
    );
    pb.set_message("generating");

    // Events in time order: sessions spread over 90 days, busier in the day (Nairobi, UTC+3).
    let mut events: Vec<(i64, Ev)> = Vec::with_capacity(args.events + 64);
    let (mut orders, mut imports, mut inquiries) = (Vec::new(), Vec::new(), Vec::new());
    while events.len() < args.events {
        let day = rng.gen_range(0..90);
        let hour = if rng.gen_bool(0.8) {
            rng.gen_range(5..19)
        } else {
            rng.gen_range(0..24)
        };
        let mut t = start.0 + day * DAY_US + hour * 3_600_000_000 + rng.gen_range(0..3_600_000_000);
        let is_staff = rng.gen_bool(0.12);
        let p = if is_staff {
            *pick(&mut rng, &staff)
        } else {
            *pick(&mut rng, &customers)
        };
        let session = format!("s{:016x}", rng.gen::<u64>());
        let ctx = RequestContext::parse(Some(&p.ip), Some(p.agent), Some(&session), None)?;
        let mut step = |rng: &mut StdRng| {
            t += rng.gen_range(5_000_000..120_000_000);
            t
        };
        // Failed logins first, sometimes many (a brute-force attempt from a foreign address).
        let failures = if rng.gen_bool(0.06) {
            rng.gen_range(1..3)
        } else if rng.gen_bool(0.004) {
            8
        } else {
            0
        };
        for n in 0..failures {
            let at = step(&mut rng);
            let bad_ctx = if failures > 5 {
                RequestContext::parse(
                    Some(&format!(
                        "185.220.{}.{}",
                        rng.gen_range(0..255),
                        rng.gen_range(1..254)
                    )),
                    Some("python-requests/2.31"),
                    None,
                    None,
                )?
            } else {
                ctx.clone()
            };
            let mut a = act(
                at,
                Some(p.id),
                "login",
                &format!("Failed login for {}", p.name),
                &bad_ctx,
            );
            a.outcome = Outcome::Failure;
            events.push((at, Ev::Act(a)));
            let sev = if failures > 5 && n >= 4 {
                Severity::High
            } else {
                Severity::Medium
            };
            events.push((
                at,
                Ev::Aud(audit(
                    at,
                    Some(p.id),
                    "failed_login",
                    "auth",
                    Some(p.id.to_string()),
                    sev,
                    &format!("Failed login attempt {} for {}", n + 1, p.name),
                    &bad_ctx,
                )),
            ));
        }
        let at = step(&mut rng);
        events.push((
            at,
            Ev::Act(act(
                at,
                Some(p.id),
                "login",
                &format!("{} logged in", p.name),
                &ctx,
            )),
        ));
        events.push((
            at,
            Ev::Aud(audit(
                at,
                Some(p.id),
                "login",
                "auth",
                Some(p.id.to_string()),
                Severity::Low,
                &format!("{} logged in", p.name),
                &ctx,
            )),
        ));
        for _ in 0..rng.gen_range(2..12) {
            let at = step(&mut rng);
            match rng.gen_range(0..100) {
                0..=34 => {
                    let c = pick(&mut rng, &cars);
                    let mut a = act(
                        at,
                        Some(p.id),
                        "car_view",
                        &format!("Viewed car: {}", c.label),
                        &ctx,
                    );
                    a.object = Some(ObjectRef::parse("car", &c.id.to_string(), &c.label)?);
                    events.push((at, Ev::Act(a)));
                }
                35..=54 => {
                    let page = *pick(
                        &mut rng,
                        &[
                            "/cars/",
                            "/dashboard/",
                            "/imports/",
                            "/about/",
                            "/contact/",
                            "/dashboard/orders/",
                        ],
                    );
                    let mut a = act(
                        at,
                        Some(p.id),
                        "page_view",
                        &format!("Visited {page}"),
                        &ctx,
                    );
                    a.extra_data = json!({ "path": page, "method": "GET", "status": 200 });
                    events.push((at, Ev::Act(a)));
                }
                55..=69 => {
                    let q = *pick(&mut rng, SEARCHES);
                    let n = rng.gen_range(0..40);
                    let mut a = act(
                        at,
                        Some(p.id),
                        "search",
                        &format!("Searched for \"{q}\" ({n} results)"),
                        &ctx,
                    );
                    a.extra_data = json!({ "query": q, "filters": { "year_min": rng.gen_range(2012..2020), "price_max": rng.gen_range(10..100) * 100_000 }, "results_count": n });
                    events.push((at, Ev::Act(a)));
                }
                70..=77 if !p.staff => {
                    let c = pick(&mut rng, &cars);
                    orders.push(NewOrder {
                        user_id: p.id,
                        car_id: c.id,
                        status: "pending".into(),
                        total_kes: c.price,
                        created_at: Timestamp(at),
                    });
                    let oid = format!("{}", orders.len());
                    let mut a = act(
                        at,
                        Some(p.id),
                        "order_create",
                        &format!("Placed order #{oid} for {}", c.label),
                        &ctx,
                    );
                    a.object = Some(ObjectRef::parse(
                        "order",
                        &oid,
                        &format!("Order #{oid} · {}", c.label),
                    )?);
                    events.push((at, Ev::Act(a)));
                    push_change(
                        &mut events,
                        at,
                        Some(p.id),
                        "orders",
                        &oid,
                        "create",
                        vec![
                            ("status", json!(null), json!("pending")),
                            ("total_kes", json!(null), json!(c.price)),
                            ("car_id", json!(null), json!(c.id)),
                        ],
                        &ctx,
                    )?;
                }
                78..=84 if !p.staff => {
                    let (make, models) = *pick(&mut rng, CARS);
                    let stage = *pick(&mut rng, &ImportStage::ALL);
                    imports.push(NewImportOrder {
                        user_id: p.id,
                        make: make.into(),
                        model: (*pick(&mut rng, models)).into(),
                        year: rng.gen_range(2015..=2022),
                        origin_country: (*pick(&mut rng, ORIGINS)).into(),
                        stage,
                        created_at: Timestamp(at),
                    });
                    let iid = imports.len().to_string();
                    let mut a = act(
                        at,
                        Some(p.id),
                        "import_tracking",
                        &format!("Checked import #{iid}: {}", stage.as_str()),
                        &ctx,
                    );
                    a.object = Some(ObjectRef::parse(
                        "import_order",
                        &iid,
                        &format!("Import #{iid} · {make}"),
                    )?);
                    events.push((at, Ev::Act(a)));
                }
                85..=89 if !p.staff => {
                    let c = pick(&mut rng, &cars);
                    inquiries.push(NewInquiry {
                        user_id: p.id,
                        car_id: Some(c.id),
                        subject: format!("Is the {} still available?", c.label),
                        message: "Please share more photos and the final price.".into(),
                        status: "open".into(),
                        created_at: Timestamp(at),
                    });
                    let mut a = act(
                        at,
                        Some(p.id),
                        "inquiry_create",
                        &format!("Asked about {}", c.label),
                        &ctx,
                    );
                    a.object = Some(ObjectRef::parse("car", &c.id.to_string(), &c.label)?);
                    events.push((at, Ev::Act(a)));
                }
                _ if p.staff => staff_action(&mut rng, &mut events, at, p, &cars, &people, &ctx)?,
                _ => {
                    let at2 = at;
                    events.push((
                        at2,
                        Ev::Act(act(at2, Some(p.id), "page_view", "Visited /cars/", &ctx)),
                    ));
                }
            }
        }
        let at = step(&mut rng);
        events.push((
            at,
            Ev::Act(act(
                at,
                Some(p.id),
                "logout",
                &format!("{} logged out", p.name),
                &ctx,
            )),
        ));
        pb.set_position(events.len().min(args.events) as u64);
    }
    store.insert_orders(orders).await?;
    store.insert_import_orders(imports).await?;
    store.insert_inquiries(inquiries).await?;

    events.sort_by_key(|e| e.0);
    pb.set_message("writing");
    pb.set_length(events.len() as u64);
    pb.set_position(0);
    let recorder: &Recorder = api.recorder();
    let mut written = 0u64;
    for chunk in events.chunks_mut(20_000) {
        let (mut acts, mut auds) = (Vec::new(), Vec::new());
        for (_, e) in chunk.iter_mut() {
            match std::mem::replace(
                e,
                Ev::Act(NewActivity::new(None, Action::parse("read")?, "")),
            ) {
                Ev::Act(a) => acts.push(a),
                Ev::Aud(a) => auds.push(a),
            }
        }
        written += chunk.len() as u64;
        recorder.log_activities(acts).await?;
        recorder.log_audits(auds).await?;
        pb.set_position(written);
    }
    pb.finish_with_message("done");
    recorder.checkpoint_now().await?;
    let customers: Vec<i64> = people.iter().filter(|p| !p.staff).map(|p| p.id).collect();
    let notifications = crate::demo_notify::fill(&api, &customers, now, &mut rng)
        .await
        .context("notifications")?;
    println!(
        "demo data written to {}: {} users, {} cars, {written} events",
        store.location(),
        people.len(),
        cars.len()
    );
    println!("notifications: {notifications}");
    println!(
        "console operators: admin1, compliance1, support1, manager1 (and 2, 3), password {DEMO_PASSWORD:?}"
    );
    store
        .optimize()
        .await
        .context("updating statistics after the load")?;
    Ok(ExitCode::SUCCESS)
}

fn new_user(
    rng: &mut StdRng,
    username: String,
    first: String,
    last: String,
    role: Role,
    staff: bool,
    joined: Timestamp,
) -> NewUser {
    let prefix = *pick(rng, &["7", "7", "7", "1"]);
    let phone = format!("+254{prefix}{:08}", rng.gen_range(0..100_000_000));
    NewUser {
        email: Email::parse(&format!("{}@example.co.ke", username)).expect("demo e-mail is valid"),
        phone: PhoneE164::parse(&phone).ok(),
        username,
        first_name: first,
        last_name: last,
        role,
        is_staff: staff,
        is_active: true,
        date_joined: joined,
        time_zone: "Africa/Nairobi".into(),
        // Django's marker for "no usable password" (customers never sign in to the console).
        password_hash: "!".into(),
    }
}

fn act(
    at: i64,
    user: Option<i64>,
    action: &str,
    description: &str,
    ctx: &RequestContext,
) -> NewActivity {
    let mut a = NewActivity::new(
        user,
        Action::parse(action).expect("demo action is valid"),
        description,
    );
    a.timestamp = Some(Timestamp(at));
    a.context = ctx.clone();
    a
}

#[allow(clippy::too_many_arguments)]
fn audit(
    at: i64,
    user: Option<i64>,
    action_type: &str,
    table: &str,
    record: Option<String>,
    severity: Severity,
    description: &str,
    ctx: &RequestContext,
) -> NewAudit {
    NewAudit {
        timestamp: Some(Timestamp(at)),
        user_id: user,
        action_type: AuditActionType::parse(action_type).expect("demo action type is valid"),
        table_name: TableName::parse(table).expect("demo table is valid"),
        record_id: record.map(|r| RecordId::parse(&r).expect("demo record id is valid")),
        field_name: None,
        old_value: None,
        new_value: None,
        severity,
        description: description.to_owned(),
        context: ctx.clone(),
        change_set_id: None,
    }
}

#[allow(clippy::too_many_arguments)]
fn push_change(
    events: &mut Vec<(i64, Ev)>,
    at: i64,
    user: Option<i64>,
    table: &str,
    record: &str,
    action_type: &str,
    fields: Vec<(&str, serde_json::Value, serde_json::Value)>,
    ctx: &RequestContext,
) -> anyhow::Result<()> {
    let change = ModelChange {
        timestamp: Some(Timestamp(at)),
        user_id: user,
        table_name: TableName::parse(table)?,
        record_id: RecordId::parse(record)?,
        action_type: AuditActionType::parse(action_type)?,
        changes: fields
            .into_iter()
            .map(|(f, old, new)| {
                Ok(FieldChange {
                    field: FieldName::parse(f)?,
                    old,
                    new,
                })
            })
            .collect::<Result<_, gurumisha_core::ValidationError>>()?,
        severity: None,
        description: None,
        context: ctx.clone(),
    };
    if let Some((_, entries)) = Recorder::model_change_entries(change) {
        events.extend(entries.into_iter().map(|e| (at, Ev::Aud(e))));
    }
    Ok(())
}

fn staff_action(
    rng: &mut StdRng,
    events: &mut Vec<(i64, Ev)>,
    at: i64,
    p: &Person,
    cars: &[Car],
    people: &[Person],
    ctx: &RequestContext,
) -> anyhow::Result<()> {
    match rng.gen_range(0..100) {
        0..=59 => {
            let c = pick(rng, cars);
            let new_price = c.price - rng.gen_range(1..10) * 50_000;
            let mut a = act(
                at,
                Some(p.id),
                "update",
                &format!("Updated {}", c.label),
                ctx,
            );
            a.object = Some(ObjectRef::parse("car", &c.id.to_string(), &c.label)?);
            events.push((at, Ev::Act(a)));
            let mut fields = vec![("price_kes", json!(c.price), json!(new_price))];
            if rng.gen_bool(0.4) {
                fields.push((
                    "status",
                    json!("available"),
                    json!(*pick(rng, &["reserved", "sold"])),
                ));
            }
            if rng.gen_bool(0.2) {
                fields.push((
                    "features",
                    json!({"sunroof": false, "seats": 5}),
                    json!({"sunroof": true, "seats": 5, "trim": "G"}),
                ));
            }
            push_change(
                events,
                at,
                Some(p.id),
                "cars",
                &c.id.to_string(),
                "update",
                fields,
                ctx,
            )
        }
        60..=74 => {
            let who = pick(rng, people);
            events.push((
                at,
                Ev::Aud(audit(
                    at,
                    Some(p.id),
                    "data_access",
                    "users",
                    Some(who.id.to_string()),
                    Severity::Low,
                    &format!("Opened the profile of {}", who.name),
                    ctx,
                )),
            ));
            Ok(())
        }
        75..=84 => {
            let mut a = act(
                at,
                Some(p.id),
                "export",
                "Exported the orders report (CSV)",
                ctx,
            );
            a.extra_data = json!({ "format": "csv", "rows": rng.gen_range(50..5000) });
            events.push((at, Ev::Act(a)));
            events.push((
                at,
                Ev::Aud(audit(
                    at,
                    Some(p.id),
                    "export",
                    "orders",
                    None,
                    Severity::Medium,
                    "Exported the orders report",
                    ctx,
                )),
            ));
            Ok(())
        }
        _ => {
            let who = pick(rng, people);
            let (old, new, sev) = if rng.gen_bool(0.25) {
                ("staff", "superuser", Severity::Critical)
            } else {
                ("customer", "staff", Severity::High)
            };
            let mut a = act(
                at,
                Some(p.id),
                "update",
                &format!("Changed permissions of {}", who.name),
                ctx,
            );
            a.object = Some(ObjectRef::parse("user", &who.id.to_string(), &who.name)?);
            events.push((at, Ev::Act(a)));
            let change = ModelChange {
                timestamp: Some(Timestamp(at)),
                user_id: Some(p.id),
                table_name: TableName::parse("users")?,
                record_id: RecordId::from(who.id),
                action_type: AuditActionType::parse("permission_change")?,
                changes: vec![FieldChange {
                    field: FieldName::parse("role")?,
                    old: json!(old),
                    new: json!(new),
                }],
                severity: Some(sev),
                description: Some(format!(
                    "{} changed the role of {} from {old} to {new}",
                    p.name, who.name
                )),
                context: ctx.clone(),
            };
            if let Some((_, entries)) = Recorder::model_change_entries(change) {
                events.extend(entries.into_iter().map(|e| (at, Ev::Aud(e))));
            }
            Ok(())
        }
    }
}
