//! A table of cells written either as an Excel worksheet or as CSV for a French Excel.

use super::paris_time::paris;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, XlsxError};

/// One cell. Dates are server milliseconds, shown in French time.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    DateTime(i64),
    Empty,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_owned())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<Option<String>> for Cell {
    fn from(text: Option<String>) -> Cell {
        text.map(Cell::Text).unwrap_or(Cell::Empty)
    }
}

impl From<Option<f64>> for Cell {
    fn from(number: Option<f64>) -> Cell {
        number.map(Cell::Number).unwrap_or(Cell::Empty)
    }
}

/// A column: its French header, its width in Excel character units, and whether long text
/// wraps inside the cell.
#[derive(Clone, Debug)]
pub struct Column {
    pub header: &'static str,
    pub width: f64,
    pub wrap: bool,
}

/// A column of short values.
pub const fn column(header: &'static str, width: f64) -> Column {
    Column { header, width, wrap: false }
}

/// A column of long text that wraps.
pub const fn text_column(header: &'static str, width: f64) -> Column {
    Column { header, width, wrap: true }
}

/// A worksheet: name, columns and rows (each row has one cell per column).
#[derive(Clone, Debug)]
pub struct Sheet {
    pub name: &'static str,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &'static str, columns: Vec<Column>) -> Sheet {
        Sheet { name, columns, rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "sheet {}: one cell per column", self.name);
        self.rows.push(row);
    }
}

/// Excel date format matching the French `dd/mm/yyyy hh:mm`.
const DATE_FORMAT: &str = "dd/mm/yyyy hh:mm";

/// Writes sheets into an .xlsx file: bold header row frozen at the top, an autofilter on every
/// column, fixed column widths, long text wrapped.
pub fn to_xlsx(title: &str, sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&DocProperties::new().set_title(title).set_author("atelier"));
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::RGB(0xDDE8F3))
        .set_border_bottom(FormatBorder::Thin);
    let plain = Format::new().set_align(FormatAlign::Top);
    let wrapped = Format::new().set_align(FormatAlign::Top).set_text_wrap();
    let date = Format::new().set_align(FormatAlign::Top).set_num_format(DATE_FORMAT);

    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(sheet.name)?;
        for (index, column) in sheet.columns.iter().enumerate() {
            let col = index as u16;
            worksheet.set_column_width(col, column.width)?;
            worksheet.write_string_with_format(0, col, column.header, &header)?;
        }
        for (row_index, row) in sheet.rows.iter().enumerate() {
            let row_number = row_index as u32 + 1;
            for (index, cell) in row.iter().enumerate() {
                let col = index as u16;
                let format = if sheet.columns[index].wrap { &wrapped } else { &plain };
                match cell {
                    Cell::Text(text) if !text.is_empty() => {
                        worksheet.write_string_with_format(row_number, col, text, format)?;
                    }
                    Cell::Number(number) => {
                        worksheet.write_number_with_format(row_number, col, *number, format)?;
                    }
                    Cell::DateTime(ms) => {
                        let local = paris(*ms);
                        let value = ExcelDateTime::from_ymd(local.year as u16, local.month as u8, local.day as u8)?.and_hms(local.hour as u16, local.minute as u8, local.second)?;
                        worksheet.write_datetime_with_format(row_number, col, &value, &date)?;
                    }
                    Cell::Text(_) | Cell::Empty => {}
                }
            }
        }
        worksheet.set_freeze_panes(1, 0)?;
        let last_column = sheet.columns.len().saturating_sub(1) as u16;
        worksheet.autofilter(0, 0, sheet.rows.len() as u32, last_column)?;
    }
    workbook.save_to_buffer()
}

/// Makes text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or carriage
/// return first) read as text, by putting an apostrophe in front, as OWASP advises for CSV.
fn neutralize_formula(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A number as a French Excel reads it: decimal comma, no thousands separator.
fn french_number(number: f64) -> String {
    number.to_string().replace('.', ",")
}

fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => neutralize_formula(text).into_owned(),
        Cell::Number(number) => french_number(*number),
        Cell::DateTime(ms) => paris(*ms).french(),
        Cell::Empty => String::new(),
    }
}

/// Writes a sheet as CSV for a French Excel: UTF-8 with a byte order mark, `;` between
/// fields and CRLF line ends. Without the mark, Excel reads the file as Windows-1252. Fields
/// that contain `;`, quotes or line breaks are quoted, with inner quotes doubled.
pub fn to_csv(sheet: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer("\u{FEFF}".as_bytes().to_vec());
    writer.write_record(sheet.columns.iter().map(|c| c.header))?;
    for row in &sheet.rows {
        writer.write_record(row.iter().map(csv_text))?;
    }
    writer.into_inner().map_err(|error| csv::Error::from(error.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_row(cells: Vec<Cell>) -> String {
        let mut sheet = Sheet::new("Test", cells.iter().map(|_| column("Colonne", 10.0)).collect());
        sheet.push(cells);
        String::from_utf8(to_csv(&sheet).unwrap()).unwrap()
    }

    #[test]
    fn csv_starts_with_bom() {
        assert!(one_row(vec!["a".into()]).starts_with("\u{FEFF}Colonne\r\n"));
    }

    #[test]
    fn csv_quotes_separators_quotes_and_line_breaks() {
        let text = one_row(vec!["a;b".into(), "dit \"oui\"".into(), "ligne 1\nligne 2".into(), "simple".into()]);
        let body = text.split_once("\r\n").unwrap().1;
        assert_eq!(body, "\"a;b\";\"dit \"\"oui\"\"\";\"ligne 1\nligne 2\";simple\r\n");
    }

    #[test]
    fn csv_neutralizes_formulas() {
        let text = one_row(vec!["=HYPERLINK(\"x\")".into(), "@SUM(A1)".into(), "Crêpes".into()]);
        assert!(text.contains("'=HYPERLINK"), "{text}");
        assert!(text.contains("'@SUM(A1)"), "{text}");
        assert!(text.contains(";Crêpes\r\n"), "{text}");
    }

    #[test]
    fn csv_numbers_use_decimal_comma() {
        let text = one_row(vec![Cell::Number(49.4189), Cell::DateTime(1_805_391_000_000)]);
        assert!(text.contains("49,4189;"), "{text}");
        assert!(text.contains("/20"), "{text}");
    }
}
