//! Numbers in every output are plain decimals: no exponent, no NaN, even at
//! the documented limits.

use assert_cmd::cargo::cargo_bin_cmd;

const HUGE: &str = r#"
[simulation]
years = 2
runs = 501

[companies.c]
type = "public"
share_price = 9_876_543.21
drift = 0.05
volatility = 0.2

[jobs.j]
company = "c"
base = 1_000_000_000_000

[[jobs.j.grants]]
kind = "rsu"
units = 1_234_567_891
vesting = [50, 50]

[strategies.stay]
path = [{ job = "j" }]

[strategies.other]
path = [{ job = "j" }]
"#;

#[test]
fn json_tables_never_use_exponent_notation_at_the_limits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("huge.toml");
    std::fs::write(&file, HUGE).unwrap();
    let out = dir.path().join("out");
    let status = cargo_bin_cmd!("tcsim")
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--format", "json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    for name in ["percentiles.json", "compare.json"] {
        let text = std::fs::read_to_string(out.join(name)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(value.as_array().is_some_and(|a| !a.is_empty()));
        for line in text.lines() {
            let Some((_, number)) = line.split_once(": ") else {
                continue;
            };
            let number = number.trim_end_matches(',');
            if number.starts_with('"') || number == "null" {
                continue;
            }
            assert!(
                number
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.' || c == '-'),
                "{name}: {line}"
            );
        }
    }
    // The same values as the CSV's digits: a run in CSV agrees.
    let csv_out = dir.path().join("csv");
    let status = cargo_bin_cmd!("tcsim")
        .arg("run")
        .arg(&file)
        .args(["--quiet", "--out"])
        .arg(&csv_out)
        .output()
        .unwrap();
    assert!(status.status.success());
    let csv_text = std::fs::read_to_string(csv_out.join("percentiles.csv")).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("percentiles.json")).unwrap())
            .unwrap();
    let first_csv_row: Vec<&str> = csv_text.lines().nth(1).unwrap().split(',').collect();
    let mean: f64 = first_csv_row[3].parse().unwrap();
    assert_eq!(json[0]["mean"].as_f64(), Some(mean));
}
