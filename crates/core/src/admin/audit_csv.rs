//! The audit trail as CSV, for the admin API's export and the console's.

use actix_web::HttpResponse;

use crate::store::durable::AdminEvent;

/// The most events one export holds (newest first).
pub const EXPORT_LIMIT: i64 = 10_000;

pub fn events_csv(events: &[AdminEvent]) -> String {
    let header = [
        "id", "at", "actor", "address", "action", "target", "changes",
    ];
    let rows = events.iter().map(|e| {
        [
            e.id.clone(),
            e.at.to_string(),
            e.actor.clone(),
            e.address.clone(),
            e.action.clone(),
            e.target.clone(),
            e.changes.clone(),
        ]
    });
    crate::web::csv::table(header, rows)
}

/// A CSV download named `audit-events.csv`.
pub fn csv_attachment(csv: String) -> HttpResponse {
    crate::web::csv::attachment(csv, "audit-events.csv")
}
