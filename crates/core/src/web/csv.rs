//! Exports as CSV (RFC 4180, CRLF line ends), for spreadsheets: every cell defused so a
//! spreadsheet never runs it as a formula.

use actix_web::http::header;
use actix_web::HttpResponse;

/// A CSV document of `header` and `rows`.
pub fn table<const N: usize>(
    header: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    // Writing to memory cannot fail; a record always has the header's width.
    let _ = writer.write_record(header.map(defuse));
    for row in rows {
        let _ = writer.write_record(row.iter().map(|cell| defuse(cell)));
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A download of `csv` named `file_name` (ASCII, no quotes).
pub fn attachment(csv: String, file_name: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        ))
        .body(csv)
}

/// A leading `= + - @` (or tab, carriage return) gets a quote in front, so a spreadsheet
/// shows the text instead of running it (OWASP's CSV injection advice).
fn defuse(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::table;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let csv = table(
            ["a", "b"],
            [
                ["plain".to_owned(), r#"{"a":1,"b":2}"#.to_owned()],
                ["=HYPERLINK(1)".to_owned(), "line\nbreak".to_owned()],
                ["订单".to_owned(), "-5".to_owned()],
            ],
        );
        assert_eq!(
            csv,
            "a,b\r\nplain,\"{\"\"a\"\":1,\"\"b\"\":2}\"\r\n'=HYPERLINK(1),\"line\nbreak\"\r\n订单,'-5\r\n"
        );
    }
}
