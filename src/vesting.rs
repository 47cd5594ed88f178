//! Vesting schedules: which fraction of a grant vests in which month after the
//! grant (docs/reference.md, "The model's rules", "Grants").

/// How often vesting events happen after the cliff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every twelve months.
    Annual,
}

impl Frequency {
    /// Months between two vesting events.
    pub fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::Annual => 12,
        }
    }
}

/// One vesting event: `fraction` of the grant vests `month` months after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VestEvent {
    /// Months after the grant month (at least 1).
    pub month: u32,
    /// Fraction of the grant's units, in `(0, 1]`.
    pub fraction: f64,
}

/// A grant's vesting events in increasing month order; fractions sum to 1.
/// It keeps the terms it was built from, so `tcsim check` can say them back
/// (two schedules with the same events may be written differently).
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    events: Vec<VestEvent>,
    percent_per_year: Vec<f64>,
    frequency: Frequency,
    cliff_months: u32,
}

impl Schedule {
    /// Builds the schedule of `percent_per_year` (percent of the grant vesting
    /// in each year, summing to 100), vesting every `frequency`, with nothing
    /// vesting before `cliff_months` and the accrued amount vesting at the
    /// cliff.
    ///
    /// Within year `j` (months `12j+1 ..= 12j+12`) each event vests
    /// `percent[j] / 100 * frequency / 12` of the grant. Fractions come from
    /// differences of the cumulative vested share, so they sum to 1 up to
    /// rounding and no event is lost to float drift.
    ///
    /// The caller has checked the inputs: percentages are finite and
    /// non-negative and sum to 100, and `cliff_months <= 12 * years`.
    pub fn new(percent_per_year: &[f64], frequency: Frequency, cliff_months: u32) -> Schedule {
        let step = frequency.months();
        let total_months = 12 * percent_per_year.len() as u32;
        let total: f64 = percent_per_year.iter().sum();
        // Cumulative fraction vested by month `t` ignoring the cliff.
        let cumulative = |t: u32| -> f64 {
            let mut acc = 0.0;
            for (j, p) in percent_per_year.iter().enumerate() {
                let year_start = 12 * j as u32;
                if t >= year_start + 12 {
                    acc += p;
                } else if t > year_start {
                    // Events inside the year vest in whole steps.
                    let steps_done = (t - year_start) / step;
                    acc += p * f64::from(steps_done * step) / 12.0;
                }
            }
            acc / total
        };
        let mut events = Vec::new();
        let mut vested = 0.0;
        let mut push = |t: u32, events: &mut Vec<VestEvent>| {
            let now = if t >= total_months {
                1.0
            } else {
                cumulative(t)
            };
            let fraction = now - vested;
            if fraction > 0.0 {
                events.push(VestEvent { month: t, fraction });
                vested = now;
            }
        };
        if cliff_months > 0 {
            push(cliff_months, &mut events);
        }
        let mut t = step;
        while t <= total_months {
            if t > cliff_months {
                push(t, &mut events);
            }
            t += step;
        }
        Schedule {
            events,
            percent_per_year: percent_per_year.to_vec(),
            frequency,
            cliff_months,
        }
    }

    /// The percent of the grant vesting in each year, as written.
    pub fn percent_per_year(&self) -> &[f64] {
        &self.percent_per_year
    }

    /// How often vesting events come after the cliff.
    pub fn frequency(&self) -> Frequency {
        self.frequency
    }

    /// Months before anything vests (0: no cliff).
    pub fn cliff_months(&self) -> u32 {
        self.cliff_months
    }

    /// The events in increasing month order.
    pub fn events(&self) -> &[VestEvent] {
        &self.events
    }

    /// Fraction vested at or before `month` months after the grant.
    pub fn vested_by(&self, month: i64) -> f64 {
        self.events
            .iter()
            .take_while(|e| i64::from(e.month) <= month)
            .map(|e| e.fraction)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn fractions_sum_to_one_for_every_frequency() {
        for f in [Frequency::Monthly, Frequency::Quarterly, Frequency::Annual] {
            for cliff in [0, 6, 12, 13] {
                let s = Schedule::new(&[25.0, 25.0, 25.0, 25.0], f, cliff);
                let sum: f64 = s.events().iter().map(|e| e.fraction).sum();
                assert!(close(sum, 1.0), "{f:?} cliff {cliff}: {sum}");
            }
        }
    }

    #[test]
    fn quarterly_flat_vests_one_sixteenth_each_quarter() {
        let s = Schedule::new(&[25.0; 4], Frequency::Quarterly, 0);
        assert_eq!(s.events().len(), 16);
        for (k, e) in s.events().iter().enumerate() {
            assert_eq!(e.month, 3 * (k as u32 + 1));
            assert!(close(e.fraction, 1.0 / 16.0));
        }
    }

    #[test]
    fn one_year_cliff_vests_the_accrued_year_at_month_twelve() {
        let s = Schedule::new(&[25.0; 4], Frequency::Monthly, 12);
        let first = s.events()[0];
        assert_eq!(first.month, 12);
        assert!(close(first.fraction, 0.25));
        // Then monthly: 36 more events of 1/48 each.
        assert_eq!(s.events().len(), 1 + 36);
        assert!(close(s.events()[1].fraction, 1.0 / 48.0));
        assert_eq!(s.events()[1].month, 13);
    }

    #[test]
    fn cliff_between_events_vests_what_accrued_by_the_cliff() {
        // Quarterly events at 3, 6, 9...; a 5-month cliff vests the month-3
        // event at month 5, then the month-6 event as usual.
        let s = Schedule::new(&[25.0; 4], Frequency::Quarterly, 5);
        assert_eq!(s.events()[0].month, 5);
        assert!(close(s.events()[0].fraction, 1.0 / 16.0));
        assert_eq!(s.events()[1].month, 6);
        assert!(close(s.events()[1].fraction, 1.0 / 16.0));
    }

    #[test]
    fn back_loaded_schedule_vests_each_year_its_share() {
        let s = Schedule::new(&[5.0, 15.0, 40.0, 40.0], Frequency::Quarterly, 12);
        let year = |y: i64| s.vested_by(12 * y) - s.vested_by(12 * (y - 1));
        assert!(close(year(1), 0.05));
        assert!(close(year(2), 0.15));
        assert!(close(year(3), 0.40));
        assert!(close(year(4), 0.40));
    }

    #[test]
    fn annual_frequency_vests_once_a_year() {
        let s = Schedule::new(&[38.0, 32.0, 20.0, 10.0], Frequency::Annual, 0);
        let months: Vec<u32> = s.events().iter().map(|e| e.month).collect();
        assert_eq!(months, vec![12, 24, 36, 48]);
        assert!(close(s.events()[0].fraction, 0.38));
        assert!(close(s.events()[3].fraction, 0.10));
    }

    #[test]
    fn zero_percent_years_produce_no_events() {
        let s = Schedule::new(&[0.0, 100.0], Frequency::Quarterly, 0);
        assert_eq!(s.events()[0].month, 15);
        assert_eq!(s.events().len(), 4);
    }

    #[test]
    fn vested_by_counts_events_up_to_and_including_the_month() {
        let s = Schedule::new(&[25.0; 4], Frequency::Quarterly, 12);
        assert!(close(s.vested_by(11), 0.0));
        assert!(close(s.vested_by(12), 0.25));
        assert!(close(s.vested_by(14), 0.25));
        assert!(close(s.vested_by(15), 0.25 + 1.0 / 16.0));
        assert!(close(s.vested_by(48), 1.0));
    }
}
