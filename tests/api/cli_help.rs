//! `wangge --help` and every subcommand's help are in Chinese (run from the built binary): each about
//! line and each option's description has Chinese and no English sentence, the headings are Chinese,
//! and the command and flag names (a contract) are unchanged.

use std::process::Command;

/// Every command path, as typed after `wangge`.
const COMMANDS: &[&[&str]] = &[
    &[],
    &["serve"],
    &["demo"],
    &["migrate"],
    &["init"],
    &["user"],
    &["user", "add"],
    &["user", "reset-password"],
    &["user", "lock"],
    &["user", "unlock"],
    &["audit"],
    &["audit", "verify"],
    &["audit", "anchor"],
    &["bench"],
    &["bench", "register"],
    &["bench", "events"],
    &["bench", "bulletin"],
    &["bench", "geo"],
    &["bench", "public"],
    &["bench", "sync"],
    &["bench", "upload"],
    &["backup"],
];

fn help(path: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_wangge")).args(path).arg("--help").output().expect("run wangge");
    assert!(out.status.success(), "{path:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// An English sentence: two or more English words of three letters or more in a row.
fn english_sentence(s: &str) -> Option<String> {
    let mut run = Vec::new();
    for w in s.split_whitespace() {
        let plain = w.chars().all(|c| c.is_ascii_alphabetic() || ",.;:()".contains(c));
        if plain && w.chars().filter(char::is_ascii_alphabetic).count() >= 3 {
            run.push(w);
            if run.len() >= 2 {
                return Some(run.join(" "));
            }
        } else {
            run.clear();
        }
    }
    None
}

/// The text of the help's description lines: the about line and the right-hand side of each entry.
fn descriptions(text: &str) -> Vec<String> {
    let mut out = vec![text.lines().next().unwrap_or("").to_owned()];
    for line in text.lines().filter(|l| l.starts_with("  ")) {
        let t = line.trim_start();
        // "--flag <VALUE>    description" or "name    description": the part after the first wide gap.
        if let Some(at) = t.find("  ") {
            let d = t[at..].trim();
            let d = d.split(" [env:").next().unwrap_or(d).split(" [default:").next().unwrap_or(d);
            out.push(d.to_owned());
        }
    }
    out
}

#[test]
fn every_help_is_in_chinese_and_keeps_the_names() {
    for path in COMMANDS {
        let text = help(path);
        assert!(text.contains("用法：wangge"), "{path:?}: {text}");
        for d in descriptions(&text) {
            assert!(has_chinese(&d), "{path:?}: no Chinese in {d:?}\n{text}");
            assert_eq!(english_sentence(&d), None, "{path:?}: English in {d:?}");
        }
        for english in ["Usage:", "Commands:", "Options:", "Arguments:", "Print help", "Print version"] {
            assert!(!text.contains(english), "{path:?}: {english}\n{text}");
        }
    }
    let top = help(&[]);
    for name in ["serve", "demo", "migrate", "init", "user", "audit", "bench", "backup", "-V, --version"] {
        assert!(top.contains(name), "{name}: {top}");
    }
    let demo = help(&["demo"]);
    for flag in ["--listen", "--data-dir", "--database-url", "--demo-password", "--scale", "--people", "--no-serve"] {
        assert!(demo.contains(flag), "{flag}: {demo}");
    }
    let add = help(&["user", "add"]);
    for flag in ["--role", "--area-code", "--department-id", "--name", "<USERNAME>"] {
        assert!(add.contains(flag), "{flag}: {add}");
    }
}
