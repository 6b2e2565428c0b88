//! QR codes as SVG (the `qrcode` crate encodes, we draw: one path of dark runs, crisp edges, a quiet
//! zone of four modules) and the public base URL the codes point to.

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::xml::escape;
use axum::http::HeaderMap;
use qrcode::{Color, EcLevel, QrCode};

/// Modules of white around the code (the standard's quiet zone).
const QUIET: usize = 4;

/// A horizontal run of dark modules: (x, y, length), quiet zone included.
pub type Run = (usize, usize, usize);

/// The dark runs of a code and the side length in modules.
pub fn runs(text: &str) -> AppResult<(Vec<Run>, usize)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e:?}")))?;
    let w = code.width();
    let colors = code.to_colors();
    let mut out = Vec::new();
    for y in 0..w {
        let mut x = 0;
        while x < w {
            if colors[y * w + x] == Color::Dark {
                let start = x;
                while x < w && colors[y * w + x] == Color::Dark {
                    x += 1;
                }
                out.push((start + QUIET, y + QUIET, x - start));
            } else {
                x += 1;
            }
        }
    }
    Ok((out, w + 2 * QUIET))
}

/// The code as a standalone SVG document (scales to any size; `label` is its accessible name).
pub fn svg(text: &str, label: &str) -> AppResult<String> {
    let (runs, side) = runs(text)?;
    let mut d = String::with_capacity(runs.len() * 16);
    for (x, y, n) in runs {
        d.push_str(&format!("M{x} {y}h{n}v1h-{n}z"));
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" \
         role=\"img\" aria-label=\"{}\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{d}\"/></svg>",
        escape(label)
    ))
}

/// Checks `--public-url`: `http(s)://host[:port][/prefix]`, kept without a trailing slash.
pub fn check_public_url(url: Option<&str>) -> anyhow::Result<Option<String>> {
    let Some(u) = url.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty() && r.chars().all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '<' | '>' | '\\' | '?' | '#'))
    });
    if !ok {
        anyhow::bail!("公开地址（--public-url）应为 http:// 或 https:// 开头的网址，如 https://wangge.example.gov.cn");
    }
    Ok(Some(u.trim_end_matches('/').to_owned()))
}

/// The base URL for QR codes: the configured public address, else the host the request came to
/// (scheme from `X-Forwarded-Proto` only behind a trusted proxy).
pub fn base_url(config: &Config, headers: &HeaderMap) -> String {
    if let Some(u) = &config.public_url {
        return u.clone();
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).unwrap_or("");
    let host = header("host");
    let host_ok =
        !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    let host = if host_ok { host } else { "localhost" };
    let scheme = if config.trust_proxy && header("x-forwarded-proto") == "https" { "https" } else { "http" };
    format!("{scheme}://{host}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls() {
        assert_eq!(check_public_url(None).unwrap(), None);
        assert_eq!(check_public_url(Some(" ")).unwrap(), None);
        assert_eq!(check_public_url(Some("https://wg.example.cn/")).unwrap().as_deref(), Some("https://wg.example.cn"));
        assert_eq!(
            check_public_url(Some("http://10.0.0.1:8080/wg")).unwrap().as_deref(),
            Some("http://10.0.0.1:8080/wg")
        );
        for bad in ["wg.example.cn", "ftp://x", "https://", "https://a b", "https://x/\"><script>"] {
            assert!(check_public_url(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn base_url_from_the_request_unless_configured() {
        let dir = std::path::PathBuf::from("/tmp");
        let mut config = Config::new(dir.clone(), crate::db::DbUrl::default_in(&dir));
        let mut h = HeaderMap::new();
        h.insert("host", "192.168.1.5:8080".parse().unwrap());
        h.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(base_url(&config, &h), "http://192.168.1.5:8080");
        config.trust_proxy = true;
        assert_eq!(base_url(&config, &h), "https://192.168.1.5:8080");
        h.insert("host", "evil\"host".parse().unwrap());
        assert_eq!(base_url(&config, &h), "https://localhost");
        config.public_url = Some("https://wg.example.cn".into());
        assert_eq!(base_url(&config, &h), "https://wg.example.cn");
    }

    /// Rasterises the SVG's own path (4 pixels a module) and reads it back with a QR decoder.
    #[test]
    fn the_drawn_code_decodes_to_the_text() {
        let text = "https://wangge.example.cn/public/grids/510725101001001";
        let doc = svg(text, "嫩水第一网格").unwrap();
        let side: usize = doc.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let d = doc.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
        let mut dark = vec![false; side * side];
        for cmd in d.split('z').filter(|c| !c.is_empty()) {
            // M{x} {y}h{n}v1h-{n}
            let rest = cmd.strip_prefix('M').unwrap();
            let (x, rest) = rest.split_once(' ').unwrap();
            let (y, rest) = rest.split_once('h').unwrap();
            let n = rest.split('v').next().unwrap();
            let (x, y, n): (usize, usize, usize) = (x.parse().unwrap(), y.parse().unwrap(), n.parse().unwrap());
            for i in x..x + n {
                dark[y * side + i] = true;
            }
        }
        let scale = 4;
        let px = side * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(px, px, |x, y| {
            if dark[(y / scale) * side + x / scale] { 0 } else { 255 }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, text);
    }
}
