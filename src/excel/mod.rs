//! Excel in and out: templates with Chinese headers, required columns marked and drop-down lists
//! from the code tables; tables for exports, ledgers and error files (stamped with who and when);
//! CSV; and a careful reader that refuses what is not a real, reasonable `.xlsx`.

use crate::error::{AppError, AppResult};
use rust_xlsxwriter::{Color, DataValidation, Format, Formula, Note, Workbook, XlsxError};
use std::io::Cursor;

mod reader;
pub use reader::{SheetStream, read_first_sheet};

/// Largest upload accepted for import.
pub const MAX_UPLOAD_BYTES: usize = 30 * 1024 * 1024;
/// Largest unpacked shared-strings part: the reader holds every shared string in memory, so this
/// bounds its memory (a 200,000-row register of distinct names and addresses is about 40 MB).
pub const MAX_SHARED_STRINGS_BYTES: u64 = 64 * 1024 * 1024;
/// Largest total of the unpacked parts of an upload (zip-bomb guard).
pub const MAX_UNPACKED_BYTES: u64 = 400 * 1024 * 1024;
/// Largest ratio of unpacked to packed size of any part.
pub const MAX_RATIO: u64 = 200;
/// Most data rows one import may hold.
pub const MAX_ROWS: usize = 200_000;

/// One column of a template.
#[derive(Clone, Debug)]
pub struct Column {
    pub header: &'static str,
    pub required: bool,
    /// Values come from this code table (drop-down list of labels).
    pub codes: Option<&'static str>,
    pub width: f64,
}

fn xlsx_err(e: XlsxError) -> AppError {
    AppError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// A template: one header row (required headers red and noted), drop-downs from a hidden code sheet.
pub fn template(columns: &[Column], code_lists: &[(&'static str, Vec<String>)], hint: &str) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold().set_background_color(Color::RGB(0xE8F0FA));
    let required =
        Format::new().set_bold().set_font_color(Color::RGB(0xB3261E)).set_background_color(Color::RGB(0xE8F0FA));
    {
        let ws = wb.add_worksheet();
        ws.set_name("数据").map_err(xlsx_err)?;
        for (i, c) in columns.iter().enumerate() {
            let col = i as u16;
            ws.write_string_with_format(0, col, c.header, if c.required { &required } else { &header })
                .map_err(xlsx_err)?;
            ws.set_column_width(col, c.width).map_err(xlsx_err)?;
            if c.required {
                ws.insert_note(0, col, &Note::new("必填").set_author("wangge")).map_err(xlsx_err)?;
            }
            if let Some(table) = c.codes
                && let Some(pos) = code_lists.iter().position(|(t, _)| *t == table)
            {
                let n = code_lists[pos].1.len().max(1);
                let letter = column_letter(pos);
                let dv = DataValidation::new()
                    .allow_list_formula(Formula::new(format!("='代码表'!${letter}$2:${letter}${}", n + 1)))
                    .set_error_title("请从下拉列表中选择")
                    .map_err(xlsx_err)?;
                ws.add_data_validation(1, col, MAX_ROWS as u32, col, &dv).map_err(xlsx_err)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("代码表").map_err(xlsx_err)?;
        for (i, (table, items)) in code_lists.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *table, &header).map_err(xlsx_err)?;
            for (r, v) in items.iter().enumerate() {
                ws.write_string(1 + r as u32, i as u16, v).map_err(xlsx_err)?;
            }
        }
        ws.set_hidden(true);
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明").map_err(xlsx_err)?;
        ws.write_string(0, 0, "红色表头为必填列。请勿修改表头和工作表名称；代码类列请从下拉列表中选择。")
            .map_err(xlsx_err)?;
        ws.write_string(1, 0, hint).map_err(xlsx_err)?;
        ws.set_column_width(0, 100).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// A table with a title line saying who made it and when (exports, ledgers, error files).
pub fn table(sheet: &str, stamp: &str, headers: &[String], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xE8F0FA));
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(xlsx_err)?;
    ws.write_string(0, 0, stamp).map_err(xlsx_err)?;
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(1, i as u16, h, &bold).map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(2 + r as u32, c as u16, v).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// One sheet of figures: its name, the stamp line, the header row, the body rows.
pub struct FigureSheet<'a> {
    pub name: &'a str,
    pub stamp: &'a str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A workbook of figure tables, one sheet each (name, stamp line, headers, rows); cells that are
/// whole numbers are written as numbers so that they can be summed. Only for figures: text that
/// looks like a number (an ID, a phone) belongs in [`table`], which keeps every cell as text.
pub fn figure_tables(sheets: &[FigureSheet<'_>]) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color(Color::RGB(0xE8F0FA));
    for FigureSheet { name, stamp, headers, rows } in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).map_err(xlsx_err)?;
        ws.write_string(0, 0, *stamp).map_err(xlsx_err)?;
        for (i, h) in headers.iter().enumerate() {
            ws.write_string_with_format(1, i as u16, h, &bold).map_err(xlsx_err)?;
            ws.set_column_width(i as u16, if i == 0 { 22 } else { 12 }).map_err(xlsx_err)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (2 + r as u32, c as u16);
                match v.parse::<i64>() {
                    Ok(n) if v.len() < 12 => ws.write_number(r, c, n as f64).map_err(xlsx_err)?,
                    _ => ws.write_string(r, c, v).map_err(xlsx_err)?,
                };
            }
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// CSV with a byte-order mark so that Excel opens Chinese text correctly; the first line is the stamp.
pub fn csv(stamp: &str, headers: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    fn cell(s: &str) -> String {
        // A leading = + - @ would be read as a formula by spreadsheet programs.
        let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
    }
    let mut out = String::from("\u{feff}");
    out.push_str(&cell(stamp));
    out.push_str("\r\n");
    for line in std::iter::once(headers.to_vec()).chain(rows.iter().cloned()) {
        out.push_str(&line.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn column_letter(mut i: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s
}

fn shared_strings_too_big() -> AppError {
    AppError::TooLarge(format!(
        "表格中的文字内容解压后超过 {} MB，请分成几个文件导入",
        MAX_SHARED_STRINGS_BYTES / 1024 / 1024
    ))
}

/// Refuses what is not a plausible xlsx: too big, not a zip, a zip bomb (declared unpacked size or
/// ratio too large), or without a workbook part.
pub fn check_upload(bytes: &[u8]) -> AppResult<()> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(AppError::TooLarge(format!("文件不能超过 {} MB", MAX_UPLOAD_BYTES / 1024 / 1024)));
    }
    let not_xlsx = || AppError::UnsupportedType("这不是有效的 Excel（.xlsx）文件，请用系统提供的模板填写后上传".into());
    if bytes.len() < 4 || &bytes[..4] != b"PK\x03\x04" {
        return Err(not_xlsx());
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| not_xlsx())?;
    let mut total: u64 = 0;
    let mut has_workbook = false;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|_| not_xlsx())?;
        total = total.saturating_add(f.size());
        if f.size() > 1024 * 1024 && f.size() / f.compressed_size().max(1) > MAX_RATIO {
            return Err(AppError::UnsupportedType("文件压缩比异常（疑似压缩炸弹），已拒绝".into()));
        }
        let name = f.name().unwrap_or_default();
        if name == "xl/sharedStrings.xml" && f.size() > MAX_SHARED_STRINGS_BYTES {
            return Err(shared_strings_too_big());
        }
        has_workbook |= name == "xl/workbook.xml";
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(AppError::UnsupportedType("文件解压后过大（疑似压缩炸弹），已拒绝".into()));
    }
    // The declared sizes may lie: unpack what the reader will hold in memory, counting, and stop at the cap.
    if let Ok(mut part) = zip.by_name("xl/sharedStrings.xml") {
        let mut sink = [0u8; 64 * 1024];
        let mut seen: u64 = 0;
        loop {
            let n = std::io::Read::read(&mut part, &mut sink).map_err(|_| not_xlsx())?;
            if n == 0 {
                break;
            }
            seen += n as u64;
            if seen > MAX_SHARED_STRINGS_BYTES {
                return Err(shared_strings_too_big());
            }
        }
    }
    if !has_workbook {
        return Err(not_xlsx());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_csv() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        let c =
            String::from_utf8(csv("导出人：张三", &["a".into(), "b".into()], &[vec!["1,2".into(), "=SUM(A1)".into()]]))
                .unwrap();
        assert!(c.starts_with('\u{feff}'));
        assert!(c.contains("\"1,2\",'=SUM(A1)"));
    }

    #[test]
    fn template_reads_back_and_junk_is_refused() {
        let cols = [
            Column { header: "姓名", required: true, codes: None, width: 10.0 },
            Column { header: "民族", required: false, codes: Some("ethnicity"), width: 10.0 },
        ];
        let bytes = template(&cols, &[("ethnicity", vec!["汉族".into(), "回族".into()])], "说明").unwrap();
        let (h, rows) = read_first_sheet(&bytes).unwrap();
        assert_eq!(h, vec!["姓名", "民族"]);
        assert!(rows.is_empty());
        assert!(matches!(read_first_sheet(b"hello, world"), Err(AppError::UnsupportedType(_))));
        assert!(matches!(read_first_sheet(b"PK\x03\x04garbage"), Err(AppError::UnsupportedType(_))));
        let t = table("导出", "导出人：测试", &["姓名".into()], &[vec!["张三".into()]]).unwrap();
        let (h, rows) = read_first_sheet(&t).unwrap();
        assert_eq!(h, vec!["导出人：测试"]);
        assert_eq!(rows, vec![vec!["姓名".to_owned()], vec!["张三".to_owned()]]);
    }
}
