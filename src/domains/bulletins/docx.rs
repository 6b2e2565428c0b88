//! A real Word document (.docx, Office Open XML) of a bulletin, written directly: title, the
//! narrative's paragraphs and headings, and bordered tables. Opens in Word, WPS and LibreOffice.

use crate::error::{AppError, AppResult};
use std::io::Write;
use zip::write::SimpleFileOptions;

/// A table: caption, header row, body rows, and a line under it (the units folded out of it).
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub note: Option<String>,
}

/// What goes into the document, in order.
pub enum Block {
    Title(String),
    Subtitle(String),
    Heading(String),
    Paragraph(String),
    Table(Table),
    /// The signature (落款): a line flush right, four characters in (GB/T 9704).
    Signature(String),
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => o.push(c),
        }
    }
    o
}

fn run(text: &str, bold: bool) -> String {
    let props = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
    format!("<w:r>{props}<w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(text))
}

fn paragraph(style: Option<&str>, text: &str, bold: bool) -> String {
    let props = style.map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>")).unwrap_or_default();
    format!("<w:p>{props}{}</w:p>", run(text, bold))
}

fn table(t: &Table) -> String {
    let mut x = paragraph(Some("Caption"), &t.caption, true);
    x.push_str(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tblGrid>",
    );
    for _ in &t.headers {
        x.push_str("<w:gridCol/>");
    }
    x.push_str("</w:tblGrid>");
    let row = |cells: &[String], header: bool| {
        let mut r = String::from("<w:tr>");
        if header {
            r.push_str("<w:trPr><w:tblHeader/></w:trPr>");
        }
        for c in cells {
            r.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableText\"/></w:pPr>{}</w:p></w:tc>",
                run(c, header)
            ));
        }
        r.push_str("</w:tr>");
        r
    };
    x.push_str(&row(&t.headers, true));
    for r in &t.rows {
        x.push_str(&row(r, false));
    }
    x.push_str("</w:tbl>");
    x.push_str(&paragraph(t.note.as_ref().map(|_| "TableNote"), t.note.as_deref().unwrap_or(""), false));
    x
}

const NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
                  xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

/// The `word/document.xml` of the blocks.
pub fn document_xml(blocks: &[Block]) -> String {
    let mut body = String::new();
    for b in blocks {
        body.push_str(&match b {
            Block::Title(t) => paragraph(Some("Title"), t, false),
            Block::Subtitle(t) => paragraph(Some("Subtitle"), t, false),
            Block::Heading(t) => paragraph(Some("Heading1"), t, false),
            Block::Paragraph(t) => paragraph(None, t, false),
            Block::Table(t) => table(t),
            Block::Signature(t) => paragraph(Some("Signature"), t, false),
        });
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document {NS}><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1588\" \
         w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;

/// Official-document look: 仿宋 body in 三号 (16 pt), 方正小标宋/黑体 title, 黑体 headings.
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="仿宋_GB2312" w:cs="Times New Roman"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:line="560" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="640"/><w:jc w:val="both"/></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/><w:spacing w:before="240" w:after="240" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:rFonts w:eastAsia="方正小标宋简体" w:hint="eastAsia"/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="楷体_GB2312" w:hint="eastAsia"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="黑体" w:hint="eastAsia"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="TableNote"><w:name w:val="Table Note"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0"/><w:spacing w:before="60" w:after="240" w:line="360" w:lineRule="exact"/></w:pPr><w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="Signature"><w:name w:val="Signature"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLineChars="0" w:firstLine="0" w:rightChars="400" w:right="1280"/><w:jc w:val="right"/></w:pPr></w:style><w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#;

fn core_xml(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties \
         xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>网格化服务管理信息系统</dc:creator></cp:coreProperties>",
        esc(title)
    )
}

/// The .docx file of the blocks.
pub fn write(title: &str, blocks: &[Block]) -> AppResult<Vec<u8>> {
    let err = |e: &dyn std::fmt::Display| AppError::Internal(anyhow::anyhow!("docx: {e}"));
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, String); 6] = [
            ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
            ("_rels/.rels", RELS.to_owned()),
            ("docProps/core.xml", core_xml(title)),
            ("word/_rels/document.xml.rels", DOC_RELS.to_owned()),
            ("word/styles.xml", STYLES.to_owned()),
            ("word/document.xml", document_xml(blocks)),
        ];
        for (name, text) in parts {
            z.start_file(name, opts).map_err(|e| err(&e))?;
            z.write_all(text.as_bytes()).map_err(|e| err(&e))?;
        }
        z.finish().map_err(|e| err(&e))?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_with_a_table_is_a_zip_with_escaped_text() {
        let blocks = vec![
            Block::Title("关于3月份工作情况的通报".into()),
            Block::Heading("一、各地账户活跃度情况".into()),
            Block::Paragraph("甲 & 乙 <丙>".into()),
            Block::Table(Table {
                caption: "表1".into(),
                headers: vec!["单位".into(), "活跃度".into()],
                rows: vec![vec!["宏仁乡".into(), "100%".into()]],
                note: Some("其余单位为 0".into()),
            }),
            Block::Signature("演示县综治中心".into()),
        ];
        let bytes = write("通报", &blocks).unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        assert!(xml.contains("甲 &amp; 乙 &lt;丙&gt;"));
        assert!(xml.contains("<w:pStyle w:val=\"Heading1\"/>"));
        assert_eq!(xml.matches("<w:tr>").count(), 2);
        assert!(xml.contains("<w:pStyle w:val=\"TableNote\"/></w:pPr><w:r><w:t xml:space=\"preserve\">其余单位为 0"));
        assert!(xml.contains("<w:pStyle w:val=\"Signature\"/></w:pPr><w:r><w:t xml:space=\"preserve\">演示县综治中心"));
        assert!(z.by_name("word/styles.xml").is_ok() && z.by_name("[Content_Types].xml").is_ok());
    }
}
