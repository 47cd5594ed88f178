//! One world's story, for `tcsim trace`: run `i` replayed (the same world as
//! run `i` inside `tcsim run`) and each strategy evaluated with a ledger,
//! through the same evaluation code as the engine's rows.

use crate::engine::compile::GrantSource;
use crate::engine::ledger::{Entry, Flow, TaxYear};
use crate::engine::world::Fate;
use crate::engine::{Engine, World};
use crate::model::{CompanyKind, GrantKind, Scenario};

/// One strategy's ledger in one world.
#[derive(Debug, Clone)]
pub struct StrategyTrace {
    /// Index into [`Scenario::strategies`].
    pub strategy: usize,
    /// Every cash flow, in evaluation order.
    pub entries: Vec<Entry>,
    /// The yearly measures the engine computed (`years * measures`).
    pub row: Vec<f64>,
    /// The grants the entries refer to.
    pub grants: Vec<GrantSource>,
    /// Each year's tax computation (empty without `[tax]`).
    pub taxes: Vec<TaxYear>,
    /// Beside each entry, for a forfeiture, a lapse or a cancellation,
    /// what each unit given up was worth then (`None` for the others).
    pub worth: Vec<Option<Worth>>,
}

/// What one unit of a grant was worth in a month: the share at that
/// month's price, less the strike for an option, never below 0. It values
/// what a forfeiture, a lapse or a cancellation gives up (they move no
/// money, so the ledger's amount is 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Worth {
    /// Dollars a unit: `share`, or `max(share - strike, 0)` for an option.
    pub per_unit: f64,
    /// The price of a share that month.
    pub share: f64,
    /// The option's strike (0 for an RSU).
    pub strike: f64,
    /// What `share` is.
    pub priced: Priced,
}

/// Where the price of a share in [`Worth`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priced {
    /// A public company's share price that month.
    SharePrice,
    /// A private company's mark: the latest round price a share.
    Mark,
    /// The share price of a private company that went public (from its
    /// IPO month on).
    AfterIpo,
    /// The common price of the acquisition, from its month on.
    Acquisition,
    /// The company failed: common is worth nothing.
    Failed,
}

/// What a unit of grant `g` was worth in `month` of `world` (model.md
/// sections 3 and 9): a public company's share price; a private company's
/// mark before its story ends, the market price from its IPO on, the
/// acquisition's common price from the acquisition on, nothing after a
/// failure.
pub fn worth(s: &Scenario, world: &World, g: &GrantSource, month: u32) -> Worth {
    let c = g.company;
    let (share, priced) = match &s.companies[c].kind {
        CompanyKind::Public(_) => (world.price(c, month), Priced::SharePrice),
        CompanyKind::Private(_) => match world.fate(c) {
            Fate::Exit {
                month: x,
                ipo: true,
                ..
            } if x <= month => (world.price(c, month), Priced::AfterIpo),
            Fate::Exit {
                month: x,
                ipo: false,
                common,
                ..
            } if x <= month => (common, Priced::Acquisition),
            Fate::Failure { month: x } if x <= month => (0.0, Priced::Failed),
            _ => (world.mark(c, month), Priced::Mark),
        },
    };
    let strike = match g.kind {
        GrantKind::Rsu => 0.0,
        GrantKind::Option { strike, .. } => strike,
    };
    Worth {
        per_unit: (share - strike).max(0.0),
        share,
        strike,
        priced,
    }
}

/// Run `run`'s world and the ledgers of the chosen strategies (all when
/// `only` is `None`).
pub fn replay(scenario: &Scenario, run: u64, only: Option<usize>) -> (World, Vec<StrategyTrace>) {
    let engine = Engine::new(scenario);
    let mut world = World::new(scenario);
    // Every month's price, so the story can show year-end prices; the
    // draws are the same whichever prices are evaluated.
    let shape = engine.plan().shape.clone().every_month(scenario);
    world.sample(scenario, &shape, run);
    let traces = (0..scenario.strategies.len())
        .filter(|&s| only.is_none_or(|o| o == s))
        .map(|s| {
            let (row, recorded) = engine.plan().trace(scenario, &world, s);
            let grants = engine.plan().grants(s);
            let worth = recorded
                .entries
                .iter()
                .map(|e| match e.flow {
                    Flow::Forfeit { grant, .. }
                    | Flow::Lapse { grant, .. }
                    | Flow::Cancelled { grant, .. } => {
                        Some(worth(scenario, &world, &grants[grant], e.month))
                    }
                    _ => None,
                })
                .collect();
            StrategyTrace {
                strategy: s,
                entries: recorded.entries,
                row,
                grants,
                taxes: recorded.taxes,
                worth,
            }
        })
        .collect();
    (world, traces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Measure;

    fn scenario() -> Scenario {
        let text = include_str!("../../scenarios/leave-the-startup.toml")
            .replace("runs = 100000", "runs = 100");
        crate::scenario::parse("leave-the-startup.toml", &text).expect("bundled scenario")
    }
    #[test]
    fn trace_entries_add_up_to_the_rows_the_engine_used() {
        let s = scenario();
        let engine = Engine::new(&s);
        let layout = engine.layout().clone();
        let mut world = World::new(&s);
        for run in [0, 7, 42, 99] {
            let mut row = vec![0.0; layout.width()];
            engine.run_into(run, &mut world, &mut row);
            let (_, traces) = replay(&s, run, None);
            for t in &traces {
                for y in 0..layout.years {
                    for (k, &measure) in layout.measures().iter().enumerate() {
                        let engine_value = row[layout.at(t.strategy, y, measure)];
                        // The trace's own row is the engine's.
                        assert_eq!(t.row[y * layout.measures().len() + k], engine_value);
                        // And its entries add up to it, flow by flow.
                        if !matches!(measure, Measure::Total | Measure::Cumulative) {
                            let sum: f64 = t
                                .entries
                                .iter()
                                .filter(|e| e.year as usize == y + 1 && e.measure == measure)
                                .map(|e| e.amount)
                                .sum();
                            assert!(
                                (sum - engine_value).abs() < 1e-6,
                                "run {run} {measure:?} year {}",
                                y + 1
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn trace_of_one_strategy_lists_only_that_strategy() {
        let s = scenario();
        let (_, traces) = replay(&s, 3, Some(1));
        assert_eq!(traces.len(), 1);
        assert_eq!(traces[0].strategy, 1);
    }
}
