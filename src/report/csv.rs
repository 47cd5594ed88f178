//! `percentiles.csv` and `compare.csv` (model.md section 6).

use crate::engine::Results;
use crate::model::Scenario;
use crate::report::{money, percentile_label, probability};

fn writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: ::csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

/// One row per (strategy, year, measure): mean and requested percentiles.
pub fn percentiles(scenario: &Scenario, r: &Results) -> Vec<u8> {
    let mut w = writer();
    let mut header = vec![
        "strategy".to_string(),
        "year".into(),
        "measure".into(),
        "mean".into(),
    ];
    header.extend(r.percentiles.iter().map(|&p| percentile_label(p)));
    w.write_record(&header).expect("in memory");
    let l = &r.layout;
    for (s, strategy) in scenario.strategies.iter().enumerate() {
        for y in 0..l.years {
            for (m, measure) in l.measure_list().iter().enumerate() {
                let k = l.at(s, y, m);
                let stats = &r.series[k];
                let mut rec = vec![
                    strategy.name.clone(),
                    (y + 1).to_string(),
                    measure.name().into(),
                    money(stats.mean),
                ];
                rec.extend(
                    stats.quantiles[..r.percentiles.len()]
                        .iter()
                        .map(|&q| money(q)),
                );
                w.write_record(&rec).expect("in memory");
            }
        }
    }
    finish(w)
}

/// One row per (compared strategy, year): share of worlds ahead of the
/// baseline, and the distribution of the cumulative difference.
pub fn compare(scenario: &Scenario, r: &Results) -> Vec<u8> {
    let mut w = writer();
    let mut header = vec![
        "strategy".to_string(),
        "baseline".into(),
        "year".into(),
        "p_ahead".into(),
        "mean_diff".into(),
    ];
    header.extend(r.percentiles.iter().map(|&p| percentile_label(p)));
    w.write_record(&header).expect("in memory");
    let l = &r.layout;
    let baseline = &scenario.strategies[l.baseline].name;
    for (k, &s) in l.compared.iter().enumerate() {
        for y in 0..l.years {
            let stats = &r.series[l.diff(k, y)];
            let mut rec = vec![
                scenario.strategies[s].name.clone(),
                baseline.clone(),
                (y + 1).to_string(),
                probability(stats.share_positive),
                money(stats.mean),
            ];
            rec.extend(
                stats.quantiles[..r.percentiles.len()]
                    .iter()
                    .map(|&q| money(q)),
            );
            w.write_record(&rec).expect("in memory");
        }
    }
    finish(w)
}
