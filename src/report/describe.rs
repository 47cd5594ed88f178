//! What `tcsim check` prints: the scenario as tcsim understood it, so a user
//! can see each company, job and strategy before simulating anything.

use std::fmt::Write as _;
use std::path::Path;

use crate::model::{Base, CompanyKind, GrantKind, GrantSize, Scenario};
use crate::report::summary::dollars;

/// What `tcsim check` prints: the scenario as tcsim understood it.
pub fn describe(file: &Path, s: &Scenario) -> String {
    let mut o = String::new();
    let sim = &s.sim;
    let pct: Vec<String> = sim.percentiles.iter().map(|p| format!("{p}")).collect();
    let _ = writeln!(o, "{}: ok", file.display());
    let _ = writeln!(
        o,
        "horizon {} years, {} runs, seed {}, {} price steps a year, percentiles {}",
        sim.years,
        sim.runs,
        sim.seed,
        sim.steps_per_year,
        pct.join(", ")
    );
    let _ = writeln!(o, "\ncompanies:");
    for c in &s.companies {
        match &c.kind {
            CompanyKind::Public(g) => {
                let _ = writeln!(
                    o,
                    "  {}: public, share price {}, drift {:.1}%, volatility {:.1}%",
                    c.name,
                    g.share_price,
                    100.0 * g.drift,
                    100.0 * g.volatility
                );
            }
            CompanyKind::Private(p) => {
                let _ = writeln!(
                    o,
                    "  {}: private, valuation {}, {} shares ({:.4}/share), preference {}, exit {:.1}%/yr, failure {:.1}%/yr",
                    c.name,
                    dollars(p.valuation),
                    dollars(p.shares),
                    p.round_price(),
                    dollars(p.preference),
                    100.0 * p.exit_rate,
                    100.0 * p.failure_rate
                );
            }
        }
    }
    let _ = writeln!(o, "\njobs:");
    for j in &s.jobs {
        let base = match j.base {
            Base::Fixed(b) => format!("base {}", dollars(b)),
            Base::Relative { min, max } => format!(
                "base = last base +{:.0}% to +{:.0}%",
                100.0 * min,
                100.0 * max
            ),
        };
        let grants: Vec<String> = j
            .grants
            .iter()
            .map(|g| {
                let size = match g.size {
                    GrantSize::Units(u) => format!("{} units", dollars(u)),
                    GrantSize::Value(v) => format!("${}", dollars(v)),
                };
                let kind = match g.kind {
                    GrantKind::Rsu => "RSU".to_string(),
                    GrantKind::Option { strike, .. } => format!("options @ {strike}"),
                };
                if g.granted_months_ago > 0 {
                    format!(
                        "{kind} {size} (granted {} months ago)",
                        g.granted_months_ago
                    )
                } else {
                    format!("{kind} {size}")
                }
            })
            .collect();
        let _ = writeln!(
            o,
            "  {} at {}: {}, bonus target {:.0}%, grants: {}{}",
            j.name,
            j.company
                .map_or("no company (cash only)", |c| s.companies[c].name.as_str()),
            base,
            100.0 * j.bonus.target,
            if grants.is_empty() {
                "none".into()
            } else {
                grants.join("; ")
            },
            if j.refresh.is_some() {
                ", refreshers"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(o, "\nstrategies:");
    for (i, st) in s.strategies.iter().enumerate() {
        let path: Vec<String> = st
            .stints
            .iter()
            .map(|t| {
                format!(
                    "{} (years {}-{})",
                    s.jobs[t.job].name,
                    t.start / 12 + 1,
                    t.end / 12
                )
            })
            .collect();
        let tag = if i == sim.baseline { " [baseline]" } else { "" };
        let _ = writeln!(o, "  {}{}: {}", st.name, tag, path.join(" -> "));
    }
    o
}
