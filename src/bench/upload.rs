//! `wangge bench upload`: the peak memory of reading an upload (issue 15.7), on the worst files the
//! limits accept and on the shape that used to take ~450 MB before it was refused.

use crate::excel::{MAX_SHARED_STRINGS_BYTES, MAX_UPLOAD_BYTES, read_first_sheet};
use std::io::Write;

/// A workbook whose shared strings are `entries` items of `text(i)`, wrapped in the xlsx parts the
/// reader needs (one sheet with a header row).
fn workbook(entries: usize, text: impl Fn(usize) -> String) -> anyhow::Result<Vec<u8>> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let parts: [(&str, &str); 5] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        (
            "xl/worksheets/sheet1.xml",
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c></row></sheetData></worksheet>"#,
        ),
    ];
    for (name, body) in parts {
        out.start_file(name, opts)?;
        out.write_all(body.as_bytes())?;
    }
    out.start_file("xl/sharedStrings.xml", opts)?;
    out.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#)?;
    for i in 0..entries {
        write!(out, "<si><t>{}</t></si>", text(i))?;
    }
    out.write_all(b"</sst>")?;
    Ok(out.finish()?.into_inner())
}

/// Letters that compress like real names and addresses (a few bits each), from a fixed seed.
fn letters(i: usize, n: usize) -> String {
    let mut seed = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            char::from(b'a' + ((seed >> 59) as u8 % 26))
        })
        .collect()
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Reads `file` as an import would and answers (outcome, resident before in MB, peak during in MB).
fn measure(file: &[u8]) -> (String, f64, f64) {
    // Linux: writing 5 resets the peak resident size to the current one.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = status_kb("VmRSS:");
    let outcome = match read_first_sheet(file) {
        Ok((h, rows)) => format!("读取成功（表头 {} 列，{} 行）", h.len(), rows.len()),
        Err(e) => format!("拒绝：{e}"),
    };
    (outcome, before as f64 / 1024.0, status_kb("VmHWM:") as f64 / 1024.0)
}

/// Prints the peak memory of reading each file.
pub fn upload() -> anyhow::Result<()> {
    let cap = MAX_SHARED_STRINGS_BYTES as usize;
    let long = |i| letters(i, 40) + &"号".repeat(300);
    let long_entries = (cap - 200) / (long(0).len() + 16);
    let short_entries = (cap - 200) / (6 + 16);
    let cases = [
        ("接受的最坏情况：文字部分接近 64 MB，长字符串", workbook(long_entries, long)?),
        ("接受的最坏情况：文字部分接近 64 MB，约 290 万个短字符串", workbook(short_entries, |i| letters(i, 6))?),
        (
            "问题单中的文件：约 380 MB 文字部分（应被拒绝）",
            workbook(380 * 1024 * 1024 / 960, |i| letters(i, 40) + &"号".repeat(300))?,
        ),
    ];
    println!(
        "上传读取的峰值内存（VmHWM，本进程；上传上限 {} MB，文字部分上限 {} MB）",
        MAX_UPLOAD_BYTES >> 20,
        cap >> 20
    );
    for (name, file) in &cases {
        anyhow::ensure!(
            file.len() <= MAX_UPLOAD_BYTES || name.contains("拒绝"),
            "{name}: {} 字节超过上传上限",
            file.len()
        );
        let (outcome, before, peak) = measure(file);
        println!("- {name}：文件 {:.1} MB", file.len() as f64 / 1048576.0);
        println!("  {outcome}");
        println!("  读取前常驻 {before:.0} MB，读取中峰值 {peak:.0} MB，增加 {:.0} MB", peak - before);
    }
    println!("对照：文件本身已在内存中（上传时整块读入），增加部分即读取器所用。");
    Ok(())
}
