//! The output schema: which measures are reported for each (strategy, year)
//! and where every series sits in a run's row.
//!
//! Every stage agrees on this one description: the engine writes rows laid
//! out by [`Layout`], the statistics summarise them column by column, and the
//! reports name each series by its [`Measure`]. Adding a measure is one
//! variant here (its name, whether a scenario reports it) and its evaluation
//! in the engine.

use crate::model::{CompanyKind, Scenario};

/// One output measure per (strategy, year), in the order of `percentiles.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Base salary paid in the year.
    Base,
    /// Bonus paid at the year's end.
    Bonus,
    /// Sign-on cash.
    SignOn,
    /// RSU income: public vests at the vest-month price, private settlements.
    Rsu,
    /// Option income net of exercise costs.
    Options,
    /// Severance paid on a layoff (model.md section 8); reported when some
    /// job has a `layoffs` table.
    Severance,
    /// Cash TC: the sum of the [`Measure::CASH`] measures.
    Total,
    /// `total` summed up to the year.
    Cumulative,
    /// Vested private equity still held at the year's end, at the last
    /// round's price; never part of `total`.
    Unrealized,
    /// The 1-based ladder level held in the year's last month (0 at a job
    /// without a ladder); only when some job is on a ladder (model.md
    /// section 11).
    Level,
    /// Federal income tax with the AMT and the NIIT (model.md section 10;
    /// this and the tax measures below only with `[tax]`).
    TaxFederal,
    /// Social Security, Medicare and additional Medicare.
    TaxFica,
    /// State and local income tax.
    TaxState,
    /// State payroll taxes (SDI, PFL, WA Cares...).
    TaxStatePayroll,
    /// The year's liability: the four tax measures summed.
    Tax,
    /// `total - tax`.
    Net,
    /// `net` summed up to the year.
    NetCumulative,
    /// The year's cash (after tax with `[tax]`) in what it buys: each
    /// month's amount divided by that month's price parity; only when some
    /// job sets `price_parity` (model.md section 11).
    Real,
    /// `real` summed up to the year.
    RealCumulative,
    /// Cumulative cash (net of tax with `[tax]`) discounted to month 0:
    /// each flow of month `m` times `(1 + d)^(-m/12)`, a year's tax in its
    /// last month; only with `[simulation] discount_rate` (model.md section
    /// 12).
    PresentValue,
}

/// Number of [`Measure`] variants.
const COUNT: usize = Measure::ALL.len();

impl Measure {
    /// Every measure, in row order.
    pub const ALL: [Measure; 20] = [
        Measure::Base,
        Measure::Bonus,
        Measure::SignOn,
        Measure::Rsu,
        Measure::Options,
        Measure::Severance,
        Measure::Total,
        Measure::Cumulative,
        Measure::Unrealized,
        Measure::Level,
        Measure::TaxFederal,
        Measure::TaxFica,
        Measure::TaxState,
        Measure::TaxStatePayroll,
        Measure::Tax,
        Measure::Net,
        Measure::NetCumulative,
        Measure::Real,
        Measure::RealCumulative,
        Measure::PresentValue,
    ];

    /// The tax measures, added in this order into [`Measure::Tax`].
    pub const TAXES: [Measure; 4] = [
        Measure::TaxFederal,
        Measure::TaxFica,
        Measure::TaxState,
        Measure::TaxStatePayroll,
    ];

    /// The cash received in a year, added in this order into
    /// [`Measure::Total`] (a fixed order keeps the sum reproducible).
    pub const CASH: [Measure; 6] = [
        Measure::Base,
        Measure::Bonus,
        Measure::SignOn,
        Measure::Rsu,
        Measure::Options,
        Measure::Severance,
    ];

    /// Whether the measure is one of [`Measure::CASH`].
    #[inline]
    pub const fn is_cash(self) -> bool {
        matches!(
            self,
            Measure::Base
                | Measure::Bonus
                | Measure::SignOn
                | Measure::Rsu
                | Measure::Options
                | Measure::Severance
        )
    }

    /// The name used in output files.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Base => "base",
            Measure::Bonus => "bonus",
            Measure::SignOn => "sign_on",
            Measure::Rsu => "rsu",
            Measure::Options => "options",
            Measure::Severance => "severance",
            Measure::Total => "total",
            Measure::Cumulative => "cumulative",
            Measure::Unrealized => "unrealized",
            Measure::TaxFederal => "tax_federal",
            Measure::TaxFica => "tax_fica",
            Measure::TaxState => "tax_state",
            Measure::TaxStatePayroll => "tax_state_payroll",
            Measure::Tax => "tax",
            Measure::Net => "net",
            Measure::NetCumulative => "net_cumulative",
            Measure::Level => "level",
            Measure::Real => "real",
            Measure::RealCumulative => "real_cumulative",
            Measure::PresentValue => "present_value",
        }
    }

    /// Whether `scenario`'s outputs report this measure: `unrealized` only
    /// when some company is private (public equity is always sold at vest),
    /// `severance` only when some job has a `layoffs` table, the tax
    /// measures only with `[tax]`.
    pub fn reported(self, scenario: &Scenario) -> bool {
        match self {
            Measure::TaxFederal
            | Measure::TaxFica
            | Measure::TaxState
            | Measure::TaxStatePayroll
            | Measure::Tax
            | Measure::Net
            | Measure::NetCumulative => scenario.tax.is_some(),
            Measure::Severance => scenario.jobs.iter().any(|j| j.layoffs.is_some()),
            Measure::Level => scenario.jobs.iter().any(|j| j.ladder.is_some()),
            Measure::Real | Measure::RealCumulative => {
                scenario.jobs.iter().any(|j| j.price_parity.is_some())
            }
            Measure::PresentValue => scenario.sim.discount_rate.is_some(),
            Measure::Unrealized => scenario
                .companies
                .iter()
                .any(|c| matches!(c.kind, CompanyKind::Private(_))),
            _ => true,
        }
    }
}

/// Where each number of a run's row lives.
///
/// A row holds, for each strategy and year, the reported measures in
/// [`Measure::ALL`] order, then for each compared pair and year the
/// difference of cumulative TC in the same world, then (with `[tax]`) the
/// same for `net_cumulative`. The pairs are every strategy but the baseline
/// against the baseline, in file order, then `[simulation] compare`'s.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Number of strategies.
    pub strategies: usize,
    /// Number of years.
    pub years: usize,
    /// The baseline strategy.
    pub baseline: usize,
    /// Strategies compared against the baseline, in file order.
    pub compared: Vec<usize>,
    /// Every compared pair `(strategy, against)`: `compared` against the
    /// baseline first (pair `k < compared.len()` is `(compared[k],
    /// baseline)`), then `[simulation] compare`'s.
    pub pairs: Vec<(usize, usize)>,
    /// The measures reported, in row order.
    measures: Vec<Measure>,
    /// Position of each measure within a (strategy, year) block, indexed by
    /// `Measure as usize`; `None` when it is not reported.
    slot: [Option<usize>; COUNT],
}

impl Layout {
    /// The layout of `scenario`'s rows.
    pub fn new(scenario: &Scenario) -> Layout {
        let measures: Vec<Measure> = Measure::ALL
            .into_iter()
            .filter(|m| m.reported(scenario))
            .collect();
        Layout::with_measures(
            scenario.strategies.len(),
            scenario.sim.years as usize,
            scenario.sim.baseline,
            measures,
        )
        .with_pairs(&scenario.sim.compare)
    }

    /// The layout with `extra` pairs compared besides the baseline ones.
    pub fn with_pairs(mut self, extra: &[(usize, usize)]) -> Layout {
        self.pairs.truncate(self.compared.len());
        self.pairs.extend_from_slice(extra);
        self
    }

    /// A layout of `strategies` strategies over `years` years reporting
    /// `measures` (in [`Measure::ALL`] order).
    pub fn with_measures(
        strategies: usize,
        years: usize,
        baseline: usize,
        measures: Vec<Measure>,
    ) -> Layout {
        let mut slot = [None; COUNT];
        for (i, &m) in measures.iter().enumerate() {
            slot[m as usize] = Some(i);
        }
        let compared: Vec<usize> = (0..strategies).filter(|&s| s != baseline).collect();
        Layout {
            strategies,
            years,
            baseline,
            pairs: compared.iter().map(|&s| (s, baseline)).collect(),
            compared,
            measures,
            slot,
        }
    }

    /// Numbers per run.
    pub fn width(&self) -> usize {
        let families = if self.reports(Measure::NetCumulative) {
            2
        } else {
            1
        };
        self.strategies * self.per_strategy() + families * self.pairs.len() * self.years
    }

    /// Numbers per strategy: `years * measures`, year-major.
    pub fn per_strategy(&self) -> usize {
        self.years * self.measures.len()
    }

    /// The measures reported, in row order.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// Position of `m` within a (strategy, year) block, if reported.
    #[inline]
    pub fn slot(&self, m: Measure) -> Option<usize> {
        self.slot[m as usize]
    }

    /// Whether `m` is reported.
    pub fn reports(&self, m: Measure) -> bool {
        self.slot(m).is_some()
    }

    /// Index of measure `m` of strategy `s` in 0-based year `y`.
    ///
    /// # Panics
    /// If `m` is not reported (a caller's bug: check [`Layout::reports`]).
    pub fn at(&self, s: usize, y: usize, m: Measure) -> usize {
        let slot = self
            .slot(m)
            .unwrap_or_else(|| panic!("measure {} is not reported", m.name()));
        (s * self.years + y) * self.measures.len() + slot
    }

    /// Index of the cumulative difference of the `k`-th pair of
    /// [`Layout::pairs`] (for `k < compared.len()`, the `k`-th compared
    /// strategy against the baseline).
    pub fn diff(&self, k: usize, y: usize) -> usize {
        self.strategies * self.per_strategy() + k * self.years + y
    }

    /// Index of the `net_cumulative` difference of the `k`-th pair (with
    /// `[tax]` only).
    pub fn net_diff(&self, k: usize, y: usize) -> usize {
        self.strategies * self.per_strategy() + (self.pairs.len() + k) * self.years + y
    }

    /// The position of strategy `s` among the compared ones (`None` for the
    /// baseline).
    pub fn compared_index(&self, s: usize) -> Option<usize> {
        self.compared.iter().position(|&c| c == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_are_strategy_then_year_then_measure_then_differences() {
        let l = Layout::with_measures(
            3,
            2,
            1,
            vec![Measure::Base, Measure::Total, Measure::Cumulative],
        );
        assert_eq!(l.width(), 3 * 2 * 3 + 2 * 2);
        assert_eq!(l.at(0, 0, Measure::Base), 0);
        assert_eq!(l.at(0, 1, Measure::Total), 4);
        assert_eq!(l.at(2, 1, Measure::Cumulative), 17);
        assert_eq!(l.compared, vec![0, 2]);
        assert_eq!(l.diff(0, 0), 18);
        assert_eq!(l.diff(1, 1), 21);
        assert_eq!(l.compared_index(1), None);
        assert_eq!(l.compared_index(2), Some(1));
    }

    #[test]
    fn extra_pairs_follow_the_baseline_pairs_in_both_difference_families() {
        let l = Layout::with_measures(3, 2, 0, vec![Measure::Cumulative]).with_pairs(&[(2, 1)]);
        assert_eq!(l.pairs, vec![(1, 0), (2, 0), (2, 1)]);
        assert_eq!(l.width(), 3 * 2 + 3 * 2);
        assert_eq!(l.diff(2, 1), 6 + 2 * 2 + 1);
        assert_eq!(l.net_diff(0, 0), 6 + 3 * 2);
        assert_eq!(l.compared_index(2), Some(1));
    }

    #[test]
    fn an_unreported_measure_has_no_slot() {
        let l = Layout::with_measures(1, 1, 0, vec![Measure::Total]);
        assert!(!l.reports(Measure::Unrealized));
        assert_eq!(l.slot(Measure::Total), Some(0));
    }

    #[test]
    fn cash_measures_are_the_ones_total_adds() {
        for m in Measure::ALL {
            let cash = Measure::CASH.contains(&m);
            let derived = matches!(
                m,
                Measure::Total | Measure::Cumulative | Measure::Unrealized
            ) || Measure::TAXES.contains(&m)
                || matches!(
                    m,
                    Measure::Tax
                        | Measure::Net
                        | Measure::NetCumulative
                        | Measure::Level
                        | Measure::Real
                        | Measure::RealCumulative
                        | Measure::PresentValue
                );
            assert_ne!(cash, derived, "{}", m.name());
        }
    }
}
