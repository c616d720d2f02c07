//! The overview (charts for managers) and object history ("who last changed this field").

use crate::access::Permission;
use crate::types::*;
use crate::{audit_record, ApiError, Console};
use gurumisha_core::analytics::day_of;
use gurumisha_core::domain::Severity;
use gurumisha_core::query::{AuditFilter, PageRequest};
use gurumisha_core::Timestamp;
use gurumisha_notify::domain::TimeZoneName;

const DAY_US: i64 = 86_400_000_000;
/// Object history pages read for "who last changed each field" (one record's history is
/// normally short; a record with more changes shows the fields seen in the newest ones).
const HISTORY_SCAN: u32 = 5_000;

impl Console {
    pub async fn overview(&self, req: OverviewRequest) -> Result<Overview, ApiError> {
        self.require(Permission::ViewOverview).await?;
        let days = i64::from(req.days.unwrap_or(30).clamp(1, 90));
        let now = Timestamp::now();
        let zone = TimeZoneName::parse(&self.operator().time_zone).unwrap_or_default();
        let offset = i64::from(zone.offset_seconds_at(now.micros())) * 1_000_000;
        let today = day_of(now.micros(), offset);
        let first = today - (days - 1);
        let from = Timestamp(first * DAY_US - offset);
        let week_ago = Timestamp(now.micros() - 7 * DAY_US);
        let to = Timestamp(now.micros() + 1);

        let a = self.api().analytics();
        let (per_day, top, severities, channels, counts) = tokio::try_join!(
            a.activity_per_day(from, to, offset),
            a.top_actions(from, to, 10),
            a.audit_severity_counts(week_ago, to),
            a.channel_counts(),
            self.api().queue_store().counts(),
        )?;

        let mut events_per_day: Vec<DayCount> = (first..=today)
            .map(|d| DayCount {
                day: Timestamp(d * DAY_US).to_rfc3339()[..10].to_owned(),
                count: 0,
            })
            .collect();
        for (d, n) in per_day {
            if let Some(slot) = usize::try_from(d - first)
                .ok()
                .and_then(|i| events_per_day.get_mut(i))
            {
                slot.count += n;
            }
        }
        let audit_by_severity = ["critical", "high", "medium", "low"]
            .into_iter()
            .map(|name| NamedCount {
                name: name.to_owned(),
                count: severities
                    .iter()
                    .filter(|(s, _)| s == name)
                    .map(|(_, n)| n)
                    .sum(),
            })
            .collect();

        let mut critical_recent = Vec::new();
        for severity in [Severity::Critical, Severity::High] {
            let filter = AuditFilter {
                severity: Some(severity),
                from: Some(week_ago),
                ..AuditFilter::default()
            };
            let page = self
                .api()
                .store()
                .list_audit(&filter, &PageRequest::first(10))
                .await?;
            critical_recent.extend(page.items.into_iter().map(audit_record));
        }
        critical_recent.sort_by_key(|r| std::cmp::Reverse((r.timestamp, r.seq)));
        critical_recent.truncate(10);

        Ok(Overview {
            from: from.to_rfc3339(),
            to: now.to_rfc3339(),
            events_per_day,
            top_actions: top
                .into_iter()
                .map(|(name, count)| NamedCount { name, count })
                .collect(),
            audit_by_severity,
            critical_recent,
            delivery_by_channel: channels
                .into_iter()
                .map(|(channel, c)| ChannelDelivery {
                    channel,
                    sent: c.sent,
                    failed: c.failed,
                    dead: c.dead,
                    pending: c.pending + c.processing,
                })
                .collect(),
            queue_depth: counts.pending + counts.processing + counts.failed,
        })
    }

    /// The newest change of each field of one record, fields by name. Opening a record's
    /// history is recorded as data access.
    pub async fn field_last_changes(
        &self,
        req: FieldLastChangesQuery,
    ) -> Result<Vec<FieldLastChange>, ApiError> {
        self.require(Permission::ViewAudit).await?;
        let table = req.table_name.trim().to_owned();
        let record = req.record_id.trim().to_owned();
        if table.is_empty() || record.is_empty() {
            return Err(ApiError::invalid(
                "invalid table_name/record_id: both are needed for a record's history",
            ));
        }
        let filter = AuditFilter {
            table_name: Some(table.clone()),
            record_id: Some(record.clone()),
            ..AuditFilter::default()
        };
        let mut seen = std::collections::BTreeMap::new();
        let mut cursor: Option<String> = None;
        let mut scanned = 0;
        while scanned < HISTORY_SCAN {
            let page = PageRequest::new(cursor.as_deref(), Some(PageRequest::MAX))?;
            let p = self.api().store().list_audit(&filter, &page).await?;
            scanned += p.items.len() as u32;
            for e in p.items {
                if let Some(field) = e.row.content.field_name.clone() {
                    seen.entry(field).or_insert_with(|| audit_record(e));
                }
            }
            match p.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        self.record(
            "data_access",
            &table,
            Some(record.clone()),
            format!("opened the history of {table} {record}"),
            Severity::Low,
            None,
        )
        .await?;
        Ok(seen
            .into_iter()
            .map(|(field_name, last)| FieldLastChange { field_name, last })
            .collect())
    }
}
