//! Reading an uploaded worksheet: all at once, or as a stream of row chunks parsed on a thread of
//! its own, so an import validates and writes the first rows while the rest are still being read.

use super::{MAX_ROWS, check_upload};
use crate::error::{AppError, AppResult};
use calamine::{DataRef, Reader, Xlsx};
use std::io::Cursor;

/// What the parser hands on: the header row (with the number of data rows the sheet declares,
/// 0 when it declares none), then each data row that is not empty.
enum Row {
    Header(Vec<String>, usize),
    Data(Vec<String>),
}

fn unreadable() -> AppError {
    AppError::UnsupportedType("无法读取该 Excel 文件，请用系统提供的模板填写后上传".into())
}

fn too_many() -> AppError {
    AppError::TooLarge(format!("一次最多导入 {MAX_ROWS} 行，请分批导入"))
}

/// A cell as trimmed text (dates as `YYYY-MM-DD`, whole numbers without a decimal point).
fn text(c: &DataRef<'_>) -> String {
    match c {
        DataRef::Empty | DataRef::Error(_) => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        // Excel serial days count from 1899-12-30.
        DataRef::DateTime(d) => chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|base| base.checked_add_signed(chrono::Duration::days(d.as_f64().floor() as i64)))
            .map(|x| x.to_string())
            .unwrap_or_default(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.chars().take(10).collect(),
    }
}

/// Parses the first worksheet cell by cell, handing each row to `sink` until it answers false.
/// The header is the first row with anything in it; cells keep their column (A = 0).
fn parse(bytes: &[u8], mut sink: impl FnMut(Row) -> bool) -> AppResult<()> {
    check_upload(bytes)?;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = wb.sheet_names().first().cloned().ok_or_else(unreadable)?;
    let mut cells = wb.worksheet_cells_reader(&first).map_err(|_| unreadable())?;
    let dim = cells.dimensions();
    let declared = (dim.end.0.saturating_sub(dim.start.0)) as usize;
    if declared > MAX_ROWS {
        return Err(too_many());
    }
    let mut header_seen = false;
    let mut data_rows = 0usize;
    let mut current: Option<u32> = None;
    let mut row: Vec<String> = Vec::new();
    // Hands on the row being assembled; false once the sink wants no more.
    let mut flush = |row: &mut Vec<String>, header_seen: &mut bool, data_rows: &mut usize| -> AppResult<bool> {
        let cells = std::mem::take(row);
        if cells.iter().all(|c| c.is_empty()) {
            return Ok(true);
        }
        if !*header_seen {
            *header_seen = true;
            let headers = cells.into_iter().map(|h| h.trim_end_matches('*').to_owned()).collect();
            return Ok(sink(Row::Header(headers, declared)));
        }
        *data_rows += 1;
        if *data_rows > MAX_ROWS {
            return Err(too_many());
        }
        Ok(sink(Row::Data(cells)))
    };
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable())? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if !flush(&mut row, &mut header_seen, &mut data_rows)? {
                return Ok(());
            }
            current = Some(r);
        }
        let c = c as usize;
        if row.len() < c {
            row.resize(c, String::new());
        }
        let value = text(cell.get_value());
        if c < row.len() {
            row[c] = value;
        } else {
            row.push(value);
        }
    }
    // A sheet with nothing in it has an empty header row (which no template accepts).
    if flush(&mut row, &mut header_seen, &mut data_rows)? && !header_seen {
        sink(Row::Header(Vec::new(), 0));
    }
    Ok(())
}

/// Reads the first worksheet: the header row and the data rows, all as trimmed text.
pub fn read_first_sheet(bytes: &[u8]) -> AppResult<(Vec<String>, Vec<Vec<String>>)> {
    let mut headers = Vec::new();
    let mut data = Vec::new();
    parse(bytes, |row| {
        match row {
            Row::Header(h, _) => headers = h,
            Row::Data(r) => data.push(r),
        }
        true
    })?;
    Ok((headers, data))
}

/// The first worksheet as a stream: its header row as soon as it is parsed, then its data rows in
/// chunks. Dropping the stream stops the parser.
pub struct SheetStream {
    pub headers: Vec<String>,
    /// Data rows the sheet says it holds (its `dimension`), for progress before all are read;
    /// 0 when it does not say.
    pub declared_rows: usize,
    chunks: tokio::sync::mpsc::Receiver<AppResult<Vec<Vec<String>>>>,
}

impl SheetStream {
    /// Starts parsing `bytes` on a blocking thread, chunks of `chunk` rows at a time, and answers
    /// once the header row is read; a file that is not a readable xlsx is refused here.
    pub async fn open(bytes: Vec<u8>, chunk: usize) -> AppResult<SheetStream> {
        let (header_tx, header_rx) = tokio::sync::oneshot::channel::<(Vec<String>, usize)>();
        let (chunk_tx, chunks) = tokio::sync::mpsc::channel::<AppResult<Vec<Vec<String>>>>(4);
        // Below the writer's priority: it is ahead of the writer anyway.
        let parser = crate::background::spawn_lowered(move || {
            let mut header_tx = Some(header_tx);
            let mut pending: Vec<Vec<String>> = Vec::with_capacity(chunk);
            let sent = parse(&bytes, |row| match row {
                Row::Header(h, declared) => header_tx.take().is_some_and(|tx| tx.send((h, declared)).is_ok()),
                Row::Data(r) => {
                    pending.push(r);
                    if pending.len() < chunk {
                        return true;
                    }
                    let full = std::mem::replace(&mut pending, Vec::with_capacity(chunk));
                    chunk_tx.blocking_send(Ok(full)).is_ok()
                }
            });
            match sent {
                Ok(()) if !pending.is_empty() => {
                    let _ = chunk_tx.blocking_send(Ok(pending));
                }
                Ok(()) => {}
                Err(e) if header_tx.is_some() => return Err(e),
                Err(e) => {
                    let _ = chunk_tx.blocking_send(Err(e));
                }
            }
            Ok(())
        });
        match header_rx.await {
            Ok((headers, declared_rows)) => Ok(SheetStream { headers, declared_rows, chunks }),
            // No header: the parser ended with the reason.
            Err(_) => Err(parser
                .await
                .map_err(|_| AppError::Internal(anyhow::anyhow!("xlsx reader thread panicked")))?
                .err()
                .unwrap_or_else(unreadable)),
        }
    }

    /// The next chunk of data rows; `None` after the last. Call from async code.
    pub async fn next_chunk(&mut self) -> Option<AppResult<Vec<Vec<String>>>> {
        self.chunks.recv().await
    }

    /// The same, from a blocking thread.
    pub fn blocking_next_chunk(&mut self) -> Option<AppResult<Vec<Vec<String>>>> {
        self.chunks.blocking_recv()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A sheet of `n` rows under a header: column A a row number, C a name (B left empty).
    fn sheet(n: usize) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "序号").unwrap();
        ws.write_string(0, 2, "姓名").unwrap();
        for r in 1..=n as u32 {
            ws.write_number(r, 0, r as f64).unwrap();
            ws.write_string(r, 2, format!(" 人{r} ")).unwrap();
        }
        wb.save_to_buffer().unwrap()
    }

    /// The same file with its worksheet cut off after `keep` bytes (no longer well-formed XML).
    fn truncated(bytes: &[u8], keep: usize) -> Vec<u8> {
        let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                data.truncate(keep);
                data.extend_from_slice(b"<row r=\"x\"><c r=\"");
            }
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(&data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[tokio::test]
    async fn stream_gives_the_rows_of_the_whole_read_in_chunks() {
        let bytes = sheet(12_345);
        let (headers, all) = read_first_sheet(&bytes).unwrap();
        assert_eq!(headers, vec!["序号", "", "姓名"]);
        assert_eq!(all[0], vec!["1", "", "人1"]);
        let mut s = SheetStream::open(bytes, 5_000).await.unwrap();
        assert_eq!(s.headers, headers);
        assert_eq!(s.declared_rows, 12_345);
        let mut sizes = Vec::new();
        let mut rows = Vec::new();
        while let Some(chunk) = s.next_chunk().await {
            let chunk = chunk.unwrap();
            sizes.push(chunk.len());
            rows.extend(chunk);
        }
        assert_eq!(sizes, vec![5_000, 5_000, 2_345]);
        assert_eq!(rows, all);
    }

    #[tokio::test]
    async fn a_file_broken_part_way_streams_its_start_then_says_so() {
        let good = sheet(12_000);
        let mut zin = zip::ZipArchive::new(Cursor::new(&good[..])).unwrap();
        let size = zin.by_name("xl/worksheets/sheet1.xml").unwrap().size() as usize;
        let bytes = truncated(&good, size * 3 / 4);
        assert!(matches!(read_first_sheet(&bytes), Err(AppError::UnsupportedType(_))));
        let mut s = SheetStream::open(bytes, 5_000).await.unwrap();
        assert_eq!(s.headers, vec!["序号", "", "姓名"]);
        assert_eq!(s.next_chunk().await.unwrap().unwrap().len(), 5_000);
        let mut failed = false;
        while let Some(chunk) = s.next_chunk().await {
            if chunk.is_err() {
                failed = true;
            }
        }
        assert!(failed, "the broken end is reported");
        // Broken before the header: refused at once.
        let early = truncated(&good, 40);
        assert!(matches!(SheetStream::open(early, 5_000).await, Err(AppError::UnsupportedType(_))));
    }
}
