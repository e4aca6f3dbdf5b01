//! The audit trail as CSV (RFC 4180), for the admin API's export and the console's.

use actix_web::http::header;
use actix_web::HttpResponse;

use crate::store::durable::AdminEvent;

/// The most events one export holds (newest first).
pub const EXPORT_LIMIT: i64 = 10_000;

pub fn events_csv(events: &[AdminEvent]) -> String {
    let mut csv = String::from("id,at,actor,address,action,target,changes\r\n");
    for e in events {
        let at = e.at.to_string();
        let row = [
            &e.id, &at, &e.actor, &e.address, &e.action, &e.target, &e.changes,
        ];
        let cells: Vec<String> = row.iter().map(|v| csv_cell(v)).collect();
        csv.push_str(&cells.join(","));
        csv.push_str("\r\n");
    }
    csv
}

/// A CSV download named `audit-events.csv`.
pub fn csv_attachment(csv: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"audit-events.csv\"",
        ))
        .body(csv)
}

/// One CSV cell (RFC 4180): quoted when it must be; a leading `= + - @` is defused so a
/// spreadsheet never runs it as a formula.
fn csv_cell(value: &str) -> String {
    let defused = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if defused.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell(r#"{"a":1,"b":2}"#), r#""{""a"":1,""b"":2}""#);
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("line\nbreak"), "\"line\nbreak\"");
    }
}
