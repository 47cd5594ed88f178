//! `docs/reference.md` against the code: every key the scenario parser
//! accepts (read off its serde structs by `tcsim::scenario::keys`) has a row
//! of its own in the reference, under the heading of its table, and the
//! reference documents no key the parser would reject; every subcommand has
//! a section naming each of its flags and arguments.

use std::collections::BTreeSet;

use clap::CommandFactory;
use tcsim::scenario::keys::accepted_keys;

const REFERENCE: &str = include_str!("../docs/reference.md");

/// The text of the `## {title}` section, up to the next `## ` heading.
fn section(title: &str) -> &'static str {
    let start = REFERENCE
        .find(&format!("\n## {title}\n"))
        .unwrap_or_else(|| panic!("docs/reference.md has no `## {title}` section"));
    let body = &REFERENCE[start + 1..];
    let end = body[3..].find("\n## ").map_or(body.len(), |e| e + 4);
    &body[..end]
}

/// A documented key: the path in the first cell of a table row, and the
/// table path its heading names (`### `[jobs.*]`` gives `jobs.*`), if any.
struct Row {
    key: String,
    table: Option<String>,
    line: usize,
}

/// Every key row of the scenario section: table rows whose first cell is a
/// backticked key path, `| `simulation.years` | ...`.
fn key_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut table = None;
    for (line, text) in section("Scenario file").lines().enumerate() {
        if text.starts_with('#') {
            // `### `[[jobs.*.grants]]`: ...` names the table `jobs.*.grants`;
            // a heading naming none ends the previous table's rows.
            table = None;
            let mut parts = text.split('`');
            if let Some(code) = parts.nth(1)
                && code.starts_with('[')
            {
                table = Some(code.trim_matches(['[', ']']).to_string());
            }
            continue;
        }
        if let Some(rest) = text.strip_prefix("| `")
            && let Some((key, _)) = rest.split_once("` |")
        {
            rows.push(Row {
                key: key.to_string(),
                table: table.clone(),
                line: line + 1,
            });
        }
    }
    rows
}

#[test]
fn every_accepted_key_has_a_row_in_the_reference() {
    let rows = key_rows();
    let documented: BTreeSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let missing: Vec<String> = accepted_keys()
        .into_iter()
        .filter(|k| !documented.contains(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/reference.md (## Scenario file) has no row `| `KEY` | ...` for: {}",
        missing.join(", ")
    );
}

#[test]
fn every_accepted_key_name_appears_in_the_reference() {
    for key in accepted_keys() {
        let last = key.rsplit(['.', ']']).next().expect("a non-empty path");
        assert!(
            REFERENCE.contains(&format!("`{key}`")),
            "docs/reference.md never writes `{key}`"
        );
        let word = REFERENCE.match_indices(last).any(|(i, _)| {
            let before = REFERENCE[..i].chars().next_back();
            let after = REFERENCE[i + last.len()..].chars().next();
            let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !part(before) && !part(after)
        });
        assert!(
            word,
            "docs/reference.md never names the key `{last}` of {key}"
        );
    }
}

#[test]
fn the_reference_documents_no_key_the_parser_rejects() {
    let accepted: BTreeSet<String> = accepted_keys().into_iter().collect();
    let rows = key_rows();
    let unknown: Vec<String> = rows
        .iter()
        .filter(|r| !accepted.contains(&r.key))
        .map(|r| format!("{} (line {} of the section)", r.key, r.line))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/reference.md documents keys the parser does not accept: {}",
        unknown.join(", ")
    );
    let mut seen = BTreeSet::new();
    for r in &rows {
        assert!(seen.insert(&r.key), "`{}` has two rows", r.key);
    }
}

#[test]
fn every_key_row_sits_under_the_heading_of_its_table() {
    for r in key_rows() {
        if let Some(table) = &r.table {
            assert!(
                r.key.starts_with(&format!("{table}."))
                    || r.key.starts_with(&format!("{table}[].")),
                "`{}` (line {} of ## Scenario file) is under the heading of `[{table}]`",
                r.key,
                r.line
            );
        }
    }
}

#[test]
fn every_subcommand_flag_and_argument_is_in_the_reference() {
    let commands = section("Commands");
    for cmd in tcsim::cli::Cli::command().get_subcommands() {
        let name = cmd.get_name();
        let heading = format!("\n### `tcsim {name}`");
        let start = commands
            .find(&heading)
            .unwrap_or_else(|| panic!("## Commands has no `### `tcsim {name}`` section"));
        let body = &commands[start + heading.len()..];
        let body = &body[..body.find("\n### ").unwrap_or(body.len())];
        // The first cells of the section's flag table: `| `-q`, `--quiet` |`.
        let flag_cells: Vec<&str> = body
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split(" |").next())
            .collect();
        let has_row = |flag: &str| {
            flag_cells
                .iter()
                .any(|c| format!("`{c}").split(['`', ',', ' ']).any(|w| w == flag))
        };
        for arg in cmd.get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    has_row(&format!("--{long}")),
                    "the section of `tcsim {name}` has no flag row for `--{long}`"
                );
            }
            if let Some(short) = arg.get_short() {
                assert!(
                    has_row(&format!("-{short}")),
                    "the section of `tcsim {name}` has no flag row for `-{short}`"
                );
            }
            if arg.is_positional() {
                let value = arg.get_value_names().and_then(|v| v.first()).map_or_else(
                    || arg.get_id().to_string().to_uppercase(),
                    |v| v.to_string(),
                );
                assert!(
                    body.contains(&value),
                    "the section of `tcsim {name}` does not name its argument {value}"
                );
            }
        }
    }
}
