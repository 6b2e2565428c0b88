//! The one check for a user-supplied path a page redirects to (`next=` after sign-in): same site only.

/// Longest target followed; anything longer goes to the start page.
const MAX_LEN: usize = 2_000;

/// Answers `next` when it is a path on this site, else `/`.
///
/// Accepted: starts with exactly one `/` and holds no backslash and no control character, in the
/// text as sent and in every percent-decoded form of it (so `/%09/evil`, `/%5Cevil`, `/%2F%2Fevil`
/// and `%252F` layers are refused too). Browsers drop tabs and newlines and read `\` as `/`, which
/// turns such paths into another host.
pub fn same_site(next: Option<&str>) -> String {
    match next {
        Some(n) if is_same_site(n) => n.to_owned(),
        _ => "/".into(),
    }
}

fn is_same_site(n: &str) -> bool {
    if n.len() > MAX_LEN {
        return false;
    }
    let mut form = n.as_bytes().to_vec();
    // Three layers of percent-encoding are checked; a target still encoded after that is refused.
    for _ in 0..4 {
        if !plain_path(&form) {
            return false;
        }
        let decoded = percent_decode(&form);
        if decoded == form {
            return true;
        }
        form = decoded;
    }
    false
}

fn plain_path(b: &[u8]) -> bool {
    let control = |c: &u8| *c < 0x20 || *c == 0x7f;
    let text_ok = std::str::from_utf8(b).is_ok_and(|s| !s.chars().any(char::is_control));
    b.first() == Some(&b'/') && b.get(1) != Some(&b'/') && !b.contains(&b'\\') && !b.iter().any(control) && text_ok
}

/// Decodes `%XX` sequences; a `%` not followed by two hex digits is kept as it is.
fn percent_decode(b: &[u8]) -> Vec<u8> {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c)))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::same_site;

    /// Targets a browser could turn into another host, or that are not a path at all.
    const HOSTILE: [&str; 26] = [
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r/evil.example",
        "/%09/evil.example",
        "/%0a/evil.example",
        "/%0D/evil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%2F%2Fevil.example",
        "%2F%2Fevil.example",
        "/%2f/evil.example",
        "/%252F/evil.example",
        "/%25252F/evil.example",
        "/%2525252F/evil.example",
        "https://evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        " /people",
        "",
        "/people\\..\\..",
        "/\u{0085}/evil.example",
        "/%00",
    ];

    #[test]
    fn hostile_targets_go_to_the_start_page() {
        for n in HOSTILE {
            assert_eq!(same_site(Some(n)), "/", "{n:?}");
        }
        assert_eq!(same_site(None), "/");
        assert_eq!(same_site(Some(&format!("/{}", "a".repeat(2_500)))), "/");
    }

    #[test]
    fn site_paths_are_followed() {
        for n in ["/", "/people?q=%E5%BC%A0&page=2", "/events/12", "/account/tokens?msg=a%20b", "/a/%2e%2e/b", "/%"] {
            assert_eq!(same_site(Some(n)), n, "{n:?}");
        }
    }
}
