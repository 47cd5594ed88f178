//! Every validation rule of a scenario file, as data: a stable name, the key
//! path pattern it concerns and the message that states it.
//!
//! Each check in `check.rs` and `mod.rs` cites the [`Rule`] it enforces and
//! takes its message from it, so an error always says which rule it broke
//! (in [`crate::error::ScenarioError::rule`]) and how, and the broken-file
//! catalogue can prove that every rule has a case by walking [`Rule::ALL`].
//!
//! A message is a template: `{name}` (lower-case letters and `_` between
//! braces) is a placeholder for a value known only when the rule fails,
//! such as `{got}` for the bad value; any other brace is literal text, as in
//! `exit_multiple = { median = 1.5, sigma = 0.9 }`.
//!
//! A key pattern is a key path as tcsim prints it, in which `*` stands for
//! any one key, `[*]` for any array index, `{a,b}` for one of the listed keys
//! and `**` for any path at all; the empty pattern is the document itself.

use std::fmt;

use crate::error::{KeyPath, Seg, escape};

/// What one rule is: the data behind [`Rule::name`], [`Rule::key`] and
/// [`Rule::message`].
struct Spec {
    name: &'static str,
    key: &'static str,
    message: &'static str,
}

/// Declares [`Rule`], one row per rule (`Variant = "name", "key pattern",
/// "message template";`), with [`Rule::ALL`] and the table of [`Spec`]s, so
/// that a rule cannot be added without its data or left out of `ALL`.
macro_rules! rules {
    ($($(#[$doc:meta])* $variant:ident = $name:literal, $key:literal, $message:literal;)*) => {
        /// A validation rule of the scenario file. Every error a scenario can
        /// be rejected with breaks exactly one of these.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $(
                $(#[$doc])*
                #[doc = concat!(
                    "\n\nName `", $name, "`, key pattern `` ", $key,
                    " ``, message `` ", $message, " ``."
                )]
                $variant,
            )*
        }

        impl Rule {
            /// Every rule, in the order the file is checked.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            fn spec(self) -> Spec {
                match self {
                    $(Rule::$variant => Spec {
                        name: $name,
                        key: $key,
                        message: $message,
                    },)*
                }
            }
        }
    };
}

rules! {
    // The file itself and the TOML/serde layer (mod.rs).
    /// The file is small enough to read (checked by `load` before reading).
    FileSizeWithinLimit = "file_size_within_limit", "",
        "scenario {file} is {size} bytes; the limit is {limit} bytes";
    /// The file is UTF-8 text throughout, comments included.
    ValidUtf8 = "valid_utf8", "", "the file is not valid UTF-8 text";
    /// The file parses as TOML; `{detail}` is the parser's own account.
    ValidToml = "valid_toml", "", "invalid TOML: {detail}";
    /// Every key is one the table can hold (a typo is an error, not a silent
    /// default); `{expected}` is ` (expected ...)` or empty, `{suggestion}`
    /// is `; did you mean `KEY`?` for the known key of that table closest
    /// to the one written (`crate::error::did_you_mean`) or empty.
    KnownKey = "known_key", "**", "is not a known key{expected}{suggestion}";
    /// Every value has the type its key holds.
    ValueType = "value_type", "**", "must be {expected}, got {got}";
    /// Every integer fits in 64 bits.
    IntegerFits = "integer_fits", "**",
        "is out of range, got {got} (a TOML integer is from -9223372036854775808 to 9223372036854775807)";
    /// No number is NaN or infinite (TOML allows both).
    FiniteNumber = "finite_number", "**", "must be a finite number, got {got}";

    // The whole file.
    /// The name of a company, ladder, job or strategy (a table key under
    /// `[companies]`, `[ladders]`, `[jobs]` or `[strategies]`) is safe to write anywhere:
    /// in a CSV cell a spreadsheet opens (no leading `=`, `+`, `-`, `@`), on
    /// a command line (no leading `-`), in a file name, on a terminal.
    /// `{got}` says what is wrong with it; the key path shows the name.
    NameAlphabet = "name_alphabet", "{companies,ladders,jobs,strategies}.*",
        "must be a name of 1 to 64 ASCII letters, digits, `_`, `-` and `.` that starts with a letter or digit, got {got}";
    SimulationRequired = "simulation_required", "simulation",
        "is required: add a [simulation] table with at least `years`";
    YearsRequired = "years_required", "simulation.years", "is required but missing";
    YearsInRange = "years_in_range", "simulation.years",
        "must be an integer in [{lo}, {hi}], got {got}";
    StrategiesRequired = "strategies_required", "strategies",
        "must define at least one strategy, e.g. [strategies.stay] path = [{ job = \"current\" }]";

    // [simulation]
    RunsInRange = "runs_in_range", "simulation.runs",
        "must be an integer in [{lo}, {hi}], got {got}";
    SeedInRange = "seed_in_range", "simulation.seed",
        "must be an integer in [{lo}, {hi}], got {got}";
    StepsPerYearInRange = "steps_per_year_in_range", "simulation.steps_per_year",
        "must be an integer in [{lo}, {hi}], got {got}";
    StepsPerYearMonthly = "steps_per_year_monthly", "simulation.steps_per_year",
        "must be a multiple of 12 (12 = monthly, 24, ..., 252 = trading days) so every month end is on the price grid, got {got}";
    PercentilesNotEmpty = "percentiles_not_empty", "simulation.percentiles",
        "must list at least one percentile";
    PercentilesAtMost99 = "percentiles_at_most_99", "simulation.percentiles",
        "must list at most 99 percentiles, got {got}";
    PercentileInRange = "percentile_in_range", "simulation.percentiles[*]",
        "must be in [{lo}, {hi}], got {got}";
    PercentilesIncreasing = "percentiles_increasing", "simulation.percentiles[*]",
        "must be strictly increasing, got {got} after {previous}";
    BaselineDefined = "baseline_defined", "simulation.baseline",
        "names strategy `{name}`, which is not defined (strategies: {defined}){suggestion}";
    ComparePair = "compare_pair", "simulation.compare[*]",
        "must name two strategies, [\"strategy\", \"against\"]; the entry has {got}";
    CompareDefined = "compare_defined", "simulation.compare[*][*]",
        "names strategy `{name}`, which is not defined (strategies: {defined})";
    CompareDistinct = "compare_distinct", "simulation.compare[*]",
        "must name two different strategies, got `{name}` twice";
    CompareOnce = "compare_once", "simulation.compare[*]",
        "must name a pair not compared yet: `{a}` with `{b}` {already}";
    RiskAversionInRange = "risk_aversion_in_range", "simulation.risk_aversion",
        "must be in (0, {hi}] (CRRA relative risk aversion; 1 = log utility), got {got}";
    WealthRequired = "wealth_required", "simulation.wealth",
        "is required with risk_aversion: the wealth W the cash is added to, u(W + X)";
    WealthNeedsRiskAversion = "wealth_needs_risk_aversion", "simulation.wealth",
        "cannot be given without risk_aversion (it is the W of u(W + X)); set simulation.risk_aversion or remove wealth";
    WealthInRange = "wealth_in_range", "simulation.wealth",
        "must be in [{lo}, {hi}] dollars, got {got}";
    DiscountRateInRange = "discount_rate_in_range", "simulation.discount_rate",
        "must be in [{lo}, {hi}] (an annual rate: 0.05 = 5 %), got {got}";

    // [market]
    MarketDriftRequired = "market_drift_required", "market.drift", "is required but missing";
    MarketDriftInRange = "market_drift_in_range", "market.drift",
        "must be in [{lo}, {hi}], got {got}";
    MarketVolatilityRequired = "market_volatility_required", "market.volatility",
        "is required but missing";
    MarketVolatilityInRange = "market_volatility_in_range", "market.volatility",
        "must be in [{lo}, {hi}], got {got}";

    // [tax] (model.md section 10)
    /// The tables are compiled in, one set per table year.
    TaxYearSupported = "tax_year_supported", "tax.year",
        "must be a year with tax tables (supported: {supported}), got {got}";
    TaxFilingKnown = "tax_filing_known", "tax.filing",
        "must be \"single\" or \"joint\", got \"{got}\"";
    TaxStateRequired = "tax_state_required", "tax.state",
        "is required: the two-letter code of the state you live in, e.g. state = \"CA\" (supported: {supported})";
    /// `{hint}` is empty, or says the code is written in upper case.
    TaxStateKnown = "tax_state_known", "tax.state",
        "must be the two-letter code of a state in the tax tables ({supported}), got \"{got}\"{hint}";
    /// `{known}` says which cities the state has, or that it has none and
    /// which the tables have.
    TaxCityKnown = "tax_city_known", "tax.city",
        "must be a city of {state} with a local income tax in the tax tables, got \"{got}\" ({known})";
    TaxInflationInRange = "tax_inflation_in_range", "tax.inflation",
        "must be in [{lo}, {hi}], got {got}";
    TaxOtherIncomeInRange = "tax_other_income_in_range", "tax.other_income",
        "must be in [{lo}, {hi}], got {got}";
    TaxItemizedDeductionsInRange = "tax_itemized_deductions_in_range",
        "tax.itemized_deductions", "must be in [{lo}, {hi}], got {got}";

    // [companies.NAME]
    CompanyTypeRequired = "company_type_required", "companies.*.type",
        "is required: \"public\" or \"private\"";
    PrivateOnlyKey = "private_only_key",
        "companies.*.{valuation,shares,preference,preferred_fraction,exit_rate,failure_rate,ipo_fraction,exit_multiple,dilution,exit_month,rounds,after_ipo,on_acquisition,fmv_fraction}",
        "applies only to a private company, but this one has type = \"public\"";
    SharePriceRequired = "share_price_required", "companies.*.share_price",
        "is required but missing";
    SharePriceInRange = "share_price_in_range", "companies.*.share_price",
        "must be in [{lo}, {hi}], got {got}";
    DriftRequired = "drift_required", "companies.*.drift", "is required but missing";
    DriftInRange = "drift_in_range", "companies.*.drift", "must be in [{lo}, {hi}], got {got}";
    VolatilityRequired = "volatility_required", "companies.*.volatility",
        "is required but missing";
    VolatilityInRange = "volatility_in_range", "companies.*.volatility",
        "must be in [{lo}, {hi}], got {got}";
    PublicOnlyKey = "public_only_key", "companies.*.{share_price,drift,volatility}",
        "applies only to a public company, but this one has type = \"private\"";
    CompanyTypeKnown = "company_type_known", "companies.*.type",
        "must be \"public\" or \"private\", got \"{got}\"";

    // A private company.
    ValuationRequired = "valuation_required", "companies.*.valuation", "is required but missing";
    ValuationInRange = "valuation_in_range", "companies.*.valuation",
        "must be in [{lo}, {hi}], got {got}";
    SharesRequired = "shares_required", "companies.*.shares", "is required but missing";
    SharesInRange = "shares_in_range", "companies.*.shares", "must be in [{lo}, {hi}], got {got}";
    PreferenceInRange = "preference_in_range", "companies.*.preference",
        "must be in [{lo}, {hi}], got {got}";
    PreferredFractionInRange = "preferred_fraction_in_range", "companies.*.preferred_fraction",
        "must be in [0, 1), got {got}";
    /// A scheduled exit replaces the yearly hazards, so they cannot both be set.
    ExitMonthExcludesHazards = "exit_month_excludes_hazards",
        "companies.*.{exit_rate,failure_rate}",
        "cannot be given together with `exit_month` (a scheduled exit replaces the yearly hazards)";
    ExitMonthInRange = "exit_month_in_range", "companies.*.exit_month",
        "must be an integer in [{lo}, {hi}], got {got}";
    ExitRateRequired = "exit_rate_required", "companies.*.exit_rate", "is required but missing";
    ExitRateInRange = "exit_rate_in_range", "companies.*.exit_rate",
        "must be in [{lo}, {hi}], got {got}";
    FailureRateInRange = "failure_rate_in_range", "companies.*.failure_rate",
        "must be in [{lo}, {hi}], got {got}";
    /// The yearly exit and failure probabilities are exclusive outcomes.
    HazardsAtMostOne = "hazards_at_most_one", "companies.*.failure_rate",
        "plus exit_rate must be at most 1, got {failure_rate} + {exit_rate} = {sum}";
    IpoFractionInRange = "ipo_fraction_in_range", "companies.*.ipo_fraction",
        "must be in [{lo}, {hi}], got {got}";
    ExitMultipleRequired = "exit_multiple_required", "companies.*.exit_multiple",
        "is required for a private company, e.g. exit_multiple = { median = 1.5, sigma = 0.9 }";
    ExitMedianRequired = "exit_median_required", "companies.*.exit_multiple.median",
        "is required but missing";
    ExitMedianPositive = "exit_median_positive", "companies.*.exit_multiple.median",
        "must be positive, got {got}";
    ExitMedianAtMost = "exit_median_at_most", "companies.*.exit_multiple.median",
        "must be at most {hi}, got {got}";
    ExitSigmaRequired = "exit_sigma_required", "companies.*.exit_multiple.sigma",
        "is required but missing";
    ExitSigmaInRange = "exit_sigma_in_range", "companies.*.exit_multiple.sigma",
        "must be in [{lo}, {hi}], got {got}";
    DilutionInRange = "dilution_in_range", "companies.*.dilution",
        "must be in [{lo}, {hi}], got {got}";

    // A private company's funding rounds, life after an IPO and acquisition
    // (model.md section 9).
    /// Rounds dilute the shares round by round; the yearly `dilution` is the
    /// smooth stand-in for them (v1), so a file gives one or the other.
    RoundsExcludeDilution = "rounds_exclude_dilution", "companies.*.rounds",
        "cannot be given together with the yearly `dilution`: each round dilutes the shares by its own `dilution` (leave the company's `dilution` out)";
    RoundsRateRequired = "rounds_rate_required", "companies.*.rounds.rate",
        "is required: the yearly probability of a funding round";
    RoundsRateInRange = "rounds_rate_in_range", "companies.*.rounds.rate",
        "must be in [{lo}, {hi}], got {got}";
    RoundsStepUpRequired = "rounds_step_up_required", "companies.*.rounds.step_up",
        "is required: the valuation's multiple at each round, e.g. step_up = { median = 1.8, sigma = 0.6 }";
    RoundsStepUpMedianRequired = "rounds_step_up_median_required",
        "companies.*.rounds.step_up.median", "is required but missing";
    RoundsStepUpMedianPositive = "rounds_step_up_median_positive",
        "companies.*.rounds.step_up.median", "must be positive, got {got}";
    RoundsStepUpMedianAtMost = "rounds_step_up_median_at_most",
        "companies.*.rounds.step_up.median", "must be at most {hi}, got {got}";
    RoundsStepUpSigmaInRange = "rounds_step_up_sigma_in_range",
        "companies.*.rounds.step_up.sigma", "must be in [{lo}, {hi}], got {got}";
    RoundsDilutionRequired = "rounds_dilution_required", "companies.*.rounds.dilution",
        "is required: the investors' share of the post-money at each round, e.g. 0.18";
    RoundsDilutionInRange = "rounds_dilution_in_range", "companies.*.rounds.dilution",
        "must be in [{lo}, {hi}], got {got}";
    AfterIpoDriftInRange = "after_ipo_drift_in_range", "companies.*.after_ipo.drift",
        "must be in [{lo}, {hi}], got {got}";
    AfterIpoVolatilityInRange = "after_ipo_volatility_in_range",
        "companies.*.after_ipo.volatility", "must be in [{lo}, {hi}], got {got}";
    AfterIpoLockupMonthsInRange = "after_ipo_lockup_months_in_range",
        "companies.*.after_ipo.lockup_months", "must be an integer in [{lo}, {hi}], got {got}";
    OnAcquisitionKnown = "on_acquisition_known", "companies.*.on_acquisition",
        "must be \"assume\", \"cancel\" or \"accelerate\", got \"{got}\"";
    /// The 409A price of common is at most the preferred round's mark and
    /// never nothing (model.md section 10).
    FmvFractionInRange = "fmv_fraction_in_range", "companies.*.fmv_fraction",
        "must be in (0, 1], got {got}";

    // Either company type.
    MarketCorrelationInRange = "market_correlation_in_range", "companies.*.market_correlation",
        "must be in [{lo}, {hi}], got {got}";
    /// A correlation with the market means nothing without a market, even
    /// an explicit 0 (a sign the file expects one).
    MarketCorrelationNeedsMarket = "market_correlation_needs_market",
        "companies.*.market_correlation",
        "must not be given without a [market] table, whose index it correlates the company with: add [market] with drift and volatility, or leave market_correlation out";

    // The `layoffs` table of a company or of a job.
    LayoffsRateInRange = "layoffs_rate_in_range", "{companies,jobs}.*.layoffs.rate",
        "must be in [{lo}, {hi}], got {got}";
    LayoffsMarketSensitivityInRange = "layoffs_market_sensitivity_in_range",
        "{companies,jobs}.*.layoffs.market_sensitivity", "must be in [{lo}, {hi}], got {got}";
    LayoffsSeveranceWeeksInRange = "layoffs_severance_weeks_in_range",
        "{companies,jobs}.*.layoffs.severance_weeks", "must be in [{lo}, {hi}], got {got}";
    LayoffsWeeksPerYearInRange = "layoffs_weeks_per_year_in_range",
        "{companies,jobs}.*.layoffs.weeks_per_year", "must be in [{lo}, {hi}], got {got}";
    LayoffsVestingMonthsInRange = "layoffs_vesting_months_in_range",
        "{companies,jobs}.*.layoffs.vesting_months",
        "must be an integer in [{lo}, {hi}], got {got}";
    LayoffsRehireMonthsInRange = "layoffs_rehire_months_in_range",
        "{companies,jobs}.*.layoffs.rehire_months",
        "must be an integer in [{lo}, {hi}], got {got}";
    LayoffsRehirePayInRange = "layoffs_rehire_pay_in_range",
        "{companies,jobs}.*.layoffs.rehire_pay", "must be in [{lo}, {hi}], got {got}";

    // [ladders.NAME] (model.md section 11)
    LadderLevelsRequired = "ladder_levels_required", "ladders.*.levels",
        "is required: the level names, lowest first, e.g. levels = [\"L3\", \"L4\", \"L5\"]";
    LadderLevelsCount = "ladder_levels_count", "ladders.*.levels",
        "must list 1 to {max} levels, got {got}";
    /// A level name is shown by `tcsim check` and the trace and named by a
    /// job's `level`: the name alphabet of [`Rule::NameAlphabet`].
    LadderLevelName = "ladder_level_name", "ladders.*.levels[*]",
        "must be a level name of 1 to 64 ASCII letters, digits, `_`, `-` and `.` that starts with a letter or digit, got {got}";
    /// A job's `level = "same"` means the previous stint's level.
    LadderLevelNotSame = "ladder_level_not_same", "ladders.*.levels[*]",
        "must not be \"same\", which a job's level = \"same\" means (the previous stint's level): name the level otherwise";
    LadderLevelsDistinct = "ladder_levels_distinct", "ladders.*.levels[*]",
        "must name each level once, got \"{got}\" again (first at levels[{first}])";
    LadderBaseRequired = "ladder_base_required", "ladders.*.base",
        "is required: the base on entering each level, one entry per level";
    /// Every array of a ladder has one entry per level; `{levels}` is how
    /// many `levels` lists.
    LadderEntryPerLevel = "ladder_entry_per_level",
        "ladders.*.{base,bonus_target,refresh,promotion_rate,min_years,promotion_grant}",
        "has {got} entries, levels has {levels}: it must have one entry per level";
    LadderBaseInRange = "ladder_base_in_range", "ladders.*.base[*]",
        "must be in (0, {hi}], got {got}";
    LadderBonusTargetInRange = "ladder_bonus_target_in_range", "ladders.*.bonus_target[*]",
        "must be in [{lo}, {hi}], got {got}";
    LadderRefreshInRange = "ladder_refresh_in_range", "ladders.*.refresh[*]",
        "must be in [{lo}, {hi}], got {got}";
    LadderPromotionRateInRange = "ladder_promotion_rate_in_range",
        "ladders.*.promotion_rate[*]", "must be in [{lo}, {hi}], got {got}";
    LadderMinYearsInRange = "ladder_min_years_in_range", "ladders.*.min_years[*]",
        "must be an integer in [{lo}, {hi}], got {got}";
    LadderPromotionGrantInRange = "ladder_promotion_grant_in_range",
        "ladders.*.promotion_grant[*]", "must be in [{lo}, {hi}], got {got}";
    LadderPromotionRaiseInRange = "ladder_promotion_raise_in_range",
        "ladders.*.promotion_raise", "must be in [{lo}, {hi}], got {got}";

    // [jobs.NAME]
    /// Only a cash-only job (no grants, no refresh) may leave out its company.
    JobCompanyRequired = "job_company_required", "jobs.*.company",
        "is required for a job with grants or a refresh: the name of a company under [companies] whose shares they are in";
    JobCompanyDefined = "job_company_defined", "jobs.*.company",
        "names company `{name}`, which is not defined under [companies] (defined: {defined}){suggestion}";
    /// A job on a ladder may leave out its company only if the ladder gives
    /// no stock (model.md section 15).
    LadderJobCompanyRequired = "ladder_job_company_required", "jobs.*.company",
        "is required: the job is on ladder `{ladder}`, whose refreshers or promotion grants are paid in the shares of a company under [companies] (only a job that gets no stock may leave out its company)";
    JobLadderDefined = "job_ladder_defined", "jobs.*.ladder",
        "names ladder `{name}`, which is not defined under [ladders] (defined: {defined}){suggestion}";
    /// `{key}` is `level` or `pay_factor`.
    LadderKeyNeedsLadder = "ladder_key_needs_ladder", "jobs.*.{level,pay_factor}",
        "applies only to a job on a ladder: give `ladder` too, or leave {key} out";
    JobLevelRequired = "job_level_required", "jobs.*.level",
        "is required with `ladder`: a level of `{ladder}` ({levels}), or \"same\" or \"+1\" (from the previous stint's last level)";
    JobLevelKnown = "job_level_known", "jobs.*.level",
        "must be a level of ladder `{ladder}` ({levels}), \"same\" or \"+1\", got \"{got}\"";
    /// TOML reads an unquoted `+1` as the integer 1.
    JobLevelQuoted = "job_level_quoted", "jobs.*.level",
        "must be a string: a level name, \"same\" or \"+1\" in quotes (level = \"+1\"), got the integer {got}";
    PayFactorInRange = "pay_factor_in_range", "jobs.*.pay_factor",
        "must be in (0, {hi}], got {got}";
    /// The ladder promotes a job on it (model.md section 11).
    PromotionExcludesLadder = "promotion_excludes_ladder", "jobs.*.promotion",
        "cannot be given together with `ladder`: a job on a ladder is promoted by its level's promotion_rate and min_years and the ladder's promotion_raise";
    /// The level gives the bonus target (model.md section 15).
    LadderJobBonusTarget = "ladder_job_bonus_target", "jobs.*.bonus.target",
        "cannot be given on a job on a ladder: the level's bonus_target applies (the bonus's sd, min, max, company_link and distribution still do)";
    /// The level gives the refreshers' value (model.md section 15).
    LadderJobRefreshValue = "ladder_job_refresh_value", "jobs.*.refresh.value",
        "cannot be given on a job on a ladder: each refresher is the level's refresh times pay_factor (the refresh table's every_years, first_after_years and vesting keys still apply)";
    /// Below 0.1 a month's cash divided by its parity could overflow.
    PriceParityInRange = "price_parity_in_range", "jobs.*.price_parity",
        "must be in [{lo}, {hi}], got {got} (a ratio to the US average of 1.0: BEA's index 117.6 is 1.176)";
    BaseRaiseExcludesBase = "base_raise_excludes_base", "jobs.*.base_raise",
        "cannot be given together with `base`: choose one";
    BaseRequired = "base_required", "jobs.*.base",
        "is required (or give `base_raise = { min, max }` for a later switch)";
    BaseInRange = "base_in_range", "jobs.*.base", "must be in [{lo}, {hi}], got {got}";
    /// `base = { p10, p50, p90 }`, market pay (model.md section 11).
    BaseMarketRequired = "base_market_required", "jobs.*.base.{p10,p50,p90}",
        "is required: market pay gives its 10th, 50th and 90th percentiles, base = { p10, p50, p90 }";
    /// At least a dollar, so that the split lognormal's upper tail stays
    /// finite whatever the ratio of the points.
    BaseMarketInRange = "base_market_in_range", "jobs.*.base.{p10,p50,p90}",
        "must be in [{lo}, {hi}], got {got}";
    /// `{below}` is the key below this one (`p10` or `p50`).
    BaseMarketOrdered = "base_market_ordered", "jobs.*.base.{p50,p90}",
        "must be at least {below} = {min}, got {got}";
    /// `{other}` is the key of the other form given (`min` or `max`).
    BaseRaiseFormsExclusive = "base_raise_forms_exclusive", "jobs.*.base_raise.{p10,p50,p90}",
        "cannot be given together with `{other}`: base_raise is { min, max } (uniform) or { p10, p50, p90 } (split normal)";
    BaseRaisePercentileRequired = "base_raise_percentile_required",
        "jobs.*.base_raise.{p10,p50,p90}",
        "is required: a switch raise drawn through three points gives p10, p50 and p90";
    BaseRaisePercentileInRange = "base_raise_percentile_in_range",
        "jobs.*.base_raise.{p10,p50,p90}", "must be in (-1, {hi}], got {got}";
    /// `{below}` as for [`Rule::BaseMarketOrdered`].
    BaseRaisePercentilesOrdered = "base_raise_percentiles_ordered",
        "jobs.*.base_raise.{p50,p90}", "must be at least {below} = {min}, got {got}";
    BaseRaiseMinRequired = "base_raise_min_required", "jobs.*.base_raise.min",
        "is required but missing";
    BaseRaiseMinInRange = "base_raise_min_in_range", "jobs.*.base_raise.min",
        "must be in [{lo}, {hi}], got {got}";
    BaseRaiseMaxRequired = "base_raise_max_required", "jobs.*.base_raise.max",
        "is required but missing";
    BaseRaiseMaxInRange = "base_raise_max_in_range", "jobs.*.base_raise.max",
        "must be in [{lo}, {hi}], got {got}";
    BaseRaiseMaxAtLeastMin = "base_raise_max_at_least_min", "jobs.*.base_raise.max",
        "must be at least min = {min}, got {got}";
    RaiseMeanInRange = "raise_mean_in_range", "jobs.*.raise.mean",
        "must be in [{lo}, {hi}], got {got}";
    RaiseSdInRange = "raise_sd_in_range", "jobs.*.raise.sd", "must be in [{lo}, {hi}], got {got}";
    PromotionRateInRange = "promotion_rate_in_range", "jobs.*.promotion.rate",
        "must be in [{lo}, {hi}], got {got}";
    PromotionRaiseInRange = "promotion_raise_in_range", "jobs.*.promotion.raise",
        "must be in [{lo}, {hi}], got {got}";
    BonusDistributionKnown = "bonus_distribution_known", "jobs.*.bonus.distribution",
        "must be \"normal\" or \"lognormal\", got \"{got}\"";
    BonusTargetInRange = "bonus_target_in_range", "jobs.*.bonus.target",
        "must be in [{lo}, {hi}], got {got}";
    BonusSdInRange = "bonus_sd_in_range", "jobs.*.bonus.sd", "must be in [{lo}, {hi}], got {got}";
    BonusMinInRange = "bonus_min_in_range", "jobs.*.bonus.min",
        "must be in [{lo}, {hi}], got {got}";
    BonusMaxInRange = "bonus_max_in_range", "jobs.*.bonus.max",
        "must be in [{lo}, {hi}], got {got}";
    BonusMaxAtLeastMin = "bonus_max_at_least_min", "jobs.*.bonus.max",
        "must be at least min = {min}, got {got}";
    /// `min` above the default `max`: blamed on `min`, the key the user wrote.
    BonusMinAtMostDefaultMax = "bonus_min_at_most_default_max", "jobs.*.bonus.min",
        "must be at most max = {max} (the default; set max too), got {got}";
    BonusCompanyLinkInRange = "bonus_company_link_in_range", "jobs.*.bonus.company_link",
        "must be in [{lo}, {hi}], got {got}";
    /// At a private company or a cash-only job the bonus follows the
    /// market's price ratio, so a link there needs a market.
    BonusCompanyLinkNeedsMarket = "bonus_company_link_needs_market",
        "jobs.*.bonus.company_link",
        "must be 0 without a [market] table here, got {got}: {why}, so its R is the market's price ratio over the bonus year (add [market], or leave company_link out)";
    SignOnYearsAtMost = "sign_on_years_at_most", "jobs.*.sign_on",
        "must list at most {max} yearly amounts, got {got}";
    SignOnInRange = "sign_on_in_range", "jobs.*.sign_on[*]", "must be in [{lo}, {hi}], got {got}";
    SignOnClawbackMonthsInRange = "sign_on_clawback_months_in_range",
        "jobs.*.sign_on_clawback_months", "must be an integer in [{lo}, {hi}], got {got}";
    /// A job's residence is a tax setting: without `[tax]` nothing is
    /// taxed, so the key would silently do nothing. `{key}` is the key.
    JobResidenceNeedsTax = "job_residence_needs_tax", "jobs.*.{state,city}",
        "must not be given without a [tax] table: it says where the job's pay is taxed, and a file without [tax] computes no tax (add [tax] with your state, or leave {key} out)";
    /// As [`Rule::TaxStateKnown`].
    JobStateKnown = "job_state_known", "jobs.*.state",
        "must be the two-letter code of a state in the tax tables ({supported}), got \"{got}\"{hint}";
    /// As [`Rule::TaxCityKnown`]; without the job's own `state`, `{state}`
    /// is `[tax] state`.
    JobCityKnown = "job_city_known", "jobs.*.city",
        "must be a city of {state} with a local income tax in the tax tables, got \"{got}\" ({known})";
    GrantsAtMost = "grants_at_most", "jobs.*.grants", "must hold at most {max} grants, got {got}";

    // [[jobs.NAME.grants]]
    GrantKindRequired = "grant_kind_required", "jobs.*.grants[*].kind",
        "is required: \"rsu\" or \"option\"";
    GrantKindKnown = "grant_kind_known", "jobs.*.grants[*].kind",
        "must be \"rsu\" or \"option\", got \"{got}\"";
    StrikeOnlyOnOptions = "strike_only_on_options", "jobs.*.grants[*].strike",
        "applies only to options, but this grant has kind = \"rsu\"";
    OnLeaveOnlyOnOptions = "on_leave_only_on_options", "jobs.*.grants[*].on_leave",
        "applies only to options, but this grant has kind = \"rsu\"";
    StrikeRequired = "strike_required", "jobs.*.grants[*].strike", "is required but missing";
    StrikeInRange = "strike_in_range", "jobs.*.grants[*].strike",
        "must be in [{lo}, {hi}], got {got}";
    OnLeaveKnown = "on_leave_known", "jobs.*.grants[*].on_leave",
        "must be \"exercise\" or \"forfeit\", got \"{got}\"";
    ExerciseWindowOnlyOnOptions = "exercise_window_only_on_options",
        "jobs.*.grants[*].exercise_window_months",
        "applies only to options, but this grant has kind = \"rsu\"";
    /// Public options are exercised and sold at leaving (model.md section
    /// 15): there is no window to wait out.
    ExerciseWindowOnlyAtPrivate = "exercise_window_only_at_private",
        "jobs.*.grants[*].exercise_window_months",
        "applies only to options at a private company, but `{company}` is public, where vested options are exercised and sold at leaving";
    /// The window is the time a leaver has to buy vested options, so it
    /// means nothing when they are forfeited at leaving.
    ExerciseWindowNeedsExercise = "exercise_window_needs_exercise",
        "jobs.*.grants[*].exercise_window_months",
        "applies only to options with on_leave = \"exercise\" (the months a leaver has to buy them), but this grant's on_leave is \"forfeit\"{default}: its vested options lapse at leaving";
    ExerciseWindowMonthsInRange = "exercise_window_months_in_range",
        "jobs.*.grants[*].exercise_window_months",
        "must be an integer in [{lo}, {hi}], got {got}";
    TaxTypeOnlyOnOptions = "tax_type_only_on_options", "jobs.*.grants[*].tax_type",
        "applies only to options, but this grant has kind = \"rsu\"";
    TaxTypeKnown = "tax_type_known", "jobs.*.grants[*].tax_type",
        "must be \"iso\" or \"nso\", got \"{got}\"";
    UnitsExcludeValue = "units_exclude_value", "jobs.*.grants[*].units",
        "cannot be given together with `value`: choose one";
    GrantSizeRequired = "grant_size_required", "jobs.*.grants[*].units",
        "is required (or `value` in dollars for an RSU grant)";
    ValueOnlyOnRsus = "value_only_on_rsus", "jobs.*.grants[*].value",
        "is not supported for options: give `units` and `strike`";
    GrantValuePositive = "grant_value_positive", "jobs.*.grants[*].value",
        "must be positive, got {got}";
    GrantValueAtMost = "grant_value_at_most", "jobs.*.grants[*].value",
        "must be at most {hi}, got {got}";
    GrantUnitsPositive = "grant_units_positive", "jobs.*.grants[*].units",
        "must be positive, got {got}";
    GrantUnitsAtMost = "grant_units_at_most", "jobs.*.grants[*].units",
        "must be at most {hi}, got {got}";
    GrantVestingRequired = "grant_vesting_required", "jobs.*.grants[*].vesting",
        "is required: percent vesting per year, e.g. [25, 25, 25, 25]";
    GrantVestingYears = "grant_vesting_years", "jobs.*.grants[*].vesting",
        "must list the percent vesting in each of 1 to {max} years, got {got} entries";
    GrantVestingEntryInRange = "grant_vesting_entry_in_range", "jobs.*.grants[*].vesting[*]",
        "must be in [{lo}, {hi}], got {got}";
    GrantVestingSumsTo100 = "grant_vesting_sums_to_100", "jobs.*.grants[*].vesting",
        "must sum to 100, got {got}";
    GrantFrequencyKnown = "grant_frequency_known", "jobs.*.grants[*].frequency",
        "must be \"monthly\", \"quarterly\" or \"annual\", got \"{got}\"";
    GrantCliffInRange = "grant_cliff_in_range", "jobs.*.grants[*].cliff_months",
        "must be an integer in [{lo}, {hi}], got {got}";
    GrantCliffWithinHorizon = "grant_cliff_within_horizon", "jobs.*.grants[*].cliff_months",
        "must not exceed the horizon of {horizon} months, got {got}";
    GrantedMonthsAgoInRange = "granted_months_ago_in_range", "jobs.*.grants[*].granted_months_ago",
        "must be an integer in [{lo}, {hi}], got {got}";

    // [jobs.NAME.refresh]
    RefreshValueRequired = "refresh_value_required", "jobs.*.refresh.value",
        "is required but missing";
    RefreshValuePositive = "refresh_value_positive", "jobs.*.refresh.value",
        "must be positive, got {got}";
    RefreshValueAtMost = "refresh_value_at_most", "jobs.*.refresh.value",
        "must be at most {hi}, got {got}";
    RefreshEveryYearsRequired = "refresh_every_years_required", "jobs.*.refresh.every_years",
        "is required but missing";
    RefreshEveryYearsInRange = "refresh_every_years_in_range", "jobs.*.refresh.every_years",
        "must be an integer in [{lo}, {hi}], got {got}";
    RefreshFirstAfterYearsInRange = "refresh_first_after_years_in_range",
        "jobs.*.refresh.first_after_years", "must be an integer in [{lo}, {hi}], got {got}";
    RefreshVestingYears = "refresh_vesting_years", "jobs.*.refresh.vesting",
        "must list the percent vesting in each of 1 to {max} years, got {got} entries";
    RefreshVestingEntryInRange = "refresh_vesting_entry_in_range", "jobs.*.refresh.vesting[*]",
        "must be in [{lo}, {hi}], got {got}";
    RefreshVestingSumsTo100 = "refresh_vesting_sums_to_100", "jobs.*.refresh.vesting",
        "must sum to 100, got {got}";
    /// A refresh without its own vesting takes the job's first RSU grant's.
    RefreshVestingRequired = "refresh_vesting_required", "jobs.*.refresh.vesting",
        "is required: the job has no RSU grant to take the vesting schedule from";
    RefreshFrequencyKnown = "refresh_frequency_known", "jobs.*.refresh.frequency",
        "must be \"monthly\", \"quarterly\" or \"annual\", got \"{got}\"";
    RefreshCliffInRange = "refresh_cliff_in_range", "jobs.*.refresh.cliff_months",
        "must be an integer in [{lo}, {hi}], got {got}";
    RefreshCliffWithinHorizon = "refresh_cliff_within_horizon", "jobs.*.refresh.cliff_months",
        "must not exceed the horizon of {horizon} months, got {got}";
    /// The cliff a refresh takes from the job's first RSU grant must fit the
    /// refresh's own vesting years (the grant's check already held it to the
    /// horizon).
    RefreshInheritedCliffInRange = "refresh_inherited_cliff_in_range",
        "jobs.*.refresh.cliff_months",
        "must be an integer in [{lo}, {hi}], got {got} (taken from the job's first RSU grant; set refresh.cliff_months)";

    // [strategies.NAME]
    PathRequired = "path_required", "strategies.*.path",
        "is required: stints in order, e.g. path = [{ job = \"current\" }]";
    PathNotEmpty = "path_not_empty", "strategies.*.path", "must hold at least one stint";
    /// A bound on the stints of a path, so that the bases of a chain of
    /// `base_raise` stints stay finite.
    PathStintsAtMost = "path_stints_at_most", "strategies.*.path",
        "must hold at most {max} stints, got {got}";
    StintJobRequired = "stint_job_required", "strategies.*.path[*].job",
        "is required: the name of a job under [jobs]";
    StintJobDefined = "stint_job_defined", "strategies.*.path[*].job",
        "names job `{name}`, which is not defined under [jobs] (defined: {defined}){suggestion}";
    /// A stint's length is given once, in years or in months.
    StintMonthsExcludeYears = "stint_months_exclude_years", "strategies.*.path[*].months",
        "cannot be given together with `years`: choose one";
    StintYearsInRange = "stint_years_in_range", "strategies.*.path[*].years",
        "must be an integer in [{lo}, {hi}], got {got}";
    StintMonthsInRange = "stint_months_in_range", "strategies.*.path[*].months",
        "must be an integer in [{lo}, {hi}], got {got}";
    StintYearsRequired = "stint_years_required", "strategies.*.path[*].years",
        "is required (or `months`) on every stint but the last, which runs to the horizon";
    /// `{end}` is `year N` when the path reaches a year's end, else `month M`.
    PathWithinHorizon = "path_within_horizon", "strategies.*.path[*].{years,months}",
        "takes the path to {end}, beyond the horizon of {years} years (simulation.years)";
    /// `{end}` as for [`Rule::PathWithinHorizon`]; `{given}` is the key the
    /// last stint gives (`years` or `months`).
    PathReachesHorizon = "path_reaches_horizon", "strategies.*.path[*].{years,months}",
        "ends the path at {end}, before the horizon of {years} years: leave `{given}` out of the last stint so it runs to the horizon";
    StintStartsBeforeHorizon = "stint_starts_before_horizon", "strategies.*.path[*].job",
        "starts at year {start}, which is already the horizon";
    /// A `base_raise` raises the previous stint's base, so a first stint has
    /// none to raise.
    FirstStintHasBase = "first_stint_has_base", "strategies.*.path[*].job",
        "is `{job}`, which uses base_raise, but a first stint has no previous base to raise: give that job a `base`";
    /// `"same"` and `"+1"` count from the previous stint's last level, which
    /// a first stint does not have. `{level}` is what the job says.
    RelativeLevelNeedsPreviousStint = "relative_level_needs_previous_stint",
        "strategies.*.path[*].job",
        "is `{job}`, whose level = \"{level}\" counts from the previous stint's last level, but a first stint has none: give that job a level name";
    /// As [`Rule::RelativeLevelNeedsPreviousStint`], after a stint on no
    /// ladder (model.md section 15).
    RelativeLevelNeedsPreviousLadder = "relative_level_needs_previous_ladder",
        "strategies.*.path[*].job",
        "is `{job}`, whose level = \"{level}\" counts from the previous stint's last level, but the previous stint's job `{previous}` is on no ladder: give that job a level name";
    /// An existing grant was granted before the simulation starts, at the
    /// job held then.
    ExistingGrantOnFirstStint = "existing_grant_on_first_stint", "strategies.*.path[*].job",
        "is `{job}`, which has an existing grant (granted_months_ago), so it can only be a strategy's first stint";
}

impl Rule {
    /// Stable snake_case name, e.g. `years_in_range`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The key path pattern this rule concerns, e.g.
    /// `jobs.*.grants[*].vesting` (see the module docs for the syntax).
    pub fn key(self) -> &'static str {
        self.spec().key
    }

    /// The message template, e.g. `must be in [{lo}, {hi}], got {got}`.
    pub fn message(self) -> &'static str {
        self.spec().message
    }

    /// The rule with the given name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// The message with each placeholder replaced by the value of the same
    /// name in `args`, escaped by [`escape`] (a value may be the user's text,
    /// which must not reach the terminal raw). Every placeholder must have a value and every value a
    /// placeholder: a mismatch means the check and the rule disagree on what
    /// the message says, which debug builds (and so every test) refuse.
    pub fn message_with(self, args: &[(&str, &dyn fmt::Display)]) -> String {
        let mut out = String::new();
        let mut used = vec![false; args.len()];
        for piece in pieces(self.message()) {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Placeholder(name) => match args.iter().position(|(n, _)| *n == name) {
                    Some(i) => {
                        used[i] = true;
                        // A value may be the user's text: never raw.
                        out.push_str(&escape(&args[i].1.to_string()));
                    }
                    None => {
                        debug_assert!(false, "rule {self}: no value for {{{name}}}");
                        out.push_str(&format!("{{{name}}}"));
                    }
                },
            }
        }
        debug_assert!(
            used.iter().all(|&u| u),
            "rule {self}: a value has no placeholder in {:?}",
            self.message()
        );
        out
    }

    /// Whether `key` matches this rule's key pattern.
    pub fn concerns(self, key: &KeyPath) -> bool {
        pattern(self.key()).is_some_and(|p| matches(&p, &key.0))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A part of a message template.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text(&'a str),
    /// A `{name}` placeholder, by name.
    Placeholder(&'a str),
}

/// Splits a message template into literal text and placeholders.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let (mut text_start, mut from) = (0, 0);
    while let Some(open) = template[from..].find('{').map(|n| from + n) {
        let after = &template[open + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if len > 0 && after[len..].starts_with('}') {
            if open > text_start {
                out.push(Piece::Text(&template[text_start..open]));
            }
            out.push(Piece::Placeholder(&after[..len]));
            text_start = open + len + 2;
            from = text_start;
        } else {
            from = open + 1;
        }
    }
    if text_start < template.len() {
        out.push(Piece::Text(&template[text_start..]));
    }
    out
}

/// One segment of a key pattern.
#[derive(Debug, PartialEq, Eq)]
enum Pat<'a> {
    Key(&'a str),
    AnyKey,
    OneOf(Vec<&'a str>),
    AnyIndex,
    AnyPath,
}

/// Parses a key pattern; `None` when it is malformed.
fn pattern(p: &str) -> Option<Vec<Pat<'_>>> {
    let mut out = Vec::new();
    if p.is_empty() {
        return Some(out);
    }
    for part in p.split('.') {
        let name_end = part.find('[').unwrap_or(part.len());
        let (name, mut rest) = part.split_at(name_end);
        out.push(match name {
            "" => return None,
            "**" => Pat::AnyPath,
            "*" => Pat::AnyKey,
            n if n.starts_with('{') => {
                let inner = n.strip_prefix('{')?.strip_suffix('}')?;
                let keys: Vec<&str> = inner.split(',').collect();
                if keys.iter().any(|k| !is_bare(k)) {
                    return None;
                }
                Pat::OneOf(keys)
            }
            n if is_bare(n) => Pat::Key(n),
            _ => return None,
        });
        while let Some(r) = rest.strip_prefix("[*]") {
            out.push(Pat::AnyIndex);
            rest = r;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// A key as a pattern names it: what tcsim prints without quotes.
fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn matches(pattern: &[Pat<'_>], key: &[Seg]) -> bool {
    match (pattern.split_first(), key.split_first()) {
        (None, None) => true,
        (Some((Pat::AnyPath, rest)), _) => (0..=key.len()).any(|skip| matches(rest, &key[skip..])),
        (Some((p, rest)), Some((seg, key_rest))) => {
            let one = match (p, seg) {
                (Pat::Key(k), Seg::Key(s)) => k == s,
                (Pat::AnyKey, Seg::Key(_)) => true,
                (Pat::OneOf(ks), Seg::Key(s)) => ks.contains(&s.as_str()),
                (Pat::AnyIndex, Seg::Index(_)) => true,
                _ => false,
            };
            one && matches(rest, key_rest)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Phrases that state a rule; every message must contain one, so a rule
    /// cannot be added whose message only says "bad value".
    const RULE_PHRASES: [&str; 15] = [
        "must ",
        "is required",
        "is not a known key",
        "is out of range",
        "invalid TOML",
        "not valid UTF-8",
        "the limit is",
        "names ",
        "cannot be given",
        "applies only to",
        "is not supported",
        "takes the path",
        "ends the path",
        "starts at",
        "is `",
    ];

    /// A name is its variant in snake_case (where the underscores go next to
    /// digits is the name's choice: `valid_utf8`, `grant_vesting_sums_to_100`).
    #[test]
    fn rule_names_are_their_variants_in_snake_case_and_unique() {
        let mut seen = BTreeSet::new();
        for &rule in Rule::ALL {
            let name = rule.name();
            let snake = name.split('_').all(|w| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            assert!(snake, "rule {name} is not snake_case");
            let variant = format!("{rule:?}").to_ascii_lowercase();
            assert_eq!(
                name.replace('_', ""),
                variant,
                "rule {name} is not named as {rule:?}"
            );
            assert!(seen.insert(name), "{name} is named twice");
            assert_eq!(Rule::from_name(name), Some(rule));
        }
    }

    #[test]
    fn every_rule_message_states_a_rule() {
        for &rule in Rule::ALL {
            let text: String = pieces(rule.message())
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t) => Some(*t),
                    Piece::Placeholder(_) => None,
                })
                .collect();
            assert!(
                RULE_PHRASES.iter().any(|p| text.contains(p)),
                "rule {rule}: {:?} states no rule (none of {RULE_PHRASES:?})",
                rule.message()
            );
            assert!(
                !rule.message().starts_with('{'),
                "rule {rule}: a message starts with what the rule is, not a value"
            );
        }
    }

    #[test]
    fn every_rule_key_is_a_well_formed_pattern() {
        for &rule in Rule::ALL {
            assert!(
                pattern(rule.key()).is_some(),
                "rule {rule}: bad key {:?}",
                rule.key()
            );
        }
    }

    #[test]
    fn private_and_public_only_keys_are_the_checker_lists() {
        let list = |keys: &[&str]| format!("companies.*.{{{}}}", keys.join(","));
        assert_eq!(
            Rule::PrivateOnlyKey.key(),
            list(&super::super::check::PRIVATE_ONLY)
        );
        assert_eq!(
            Rule::PublicOnlyKey.key(),
            list(&super::super::check::PUBLIC_ONLY)
        );
    }

    #[test]
    fn key_patterns_match_key_paths() {
        let root = KeyPath::root();
        let grant = root.key("jobs").key("a.b").key("grants").index(3);
        assert!(Rule::GrantVestingSumsTo100.concerns(&grant.key("vesting")));
        assert!(Rule::GrantVestingEntryInRange.concerns(&grant.key("vesting").index(0)));
        assert!(!Rule::GrantVestingSumsTo100.concerns(&grant.key("vesting").index(0)));
        assert!(!Rule::GrantVestingSumsTo100.concerns(&grant));
        let company = root.key("companies").key("x");
        assert!(Rule::ExitMonthExcludesHazards.concerns(&company.key("failure_rate")));
        assert!(!Rule::ExitMonthExcludesHazards.concerns(&company.key("dilution")));
        assert!(Rule::KnownKey.concerns(&root.key("simulaton")));
        assert!(Rule::KnownKey.concerns(&grant.key("cliff")));
        assert!(Rule::ValidToml.concerns(&root));
        assert!(!Rule::ValidToml.concerns(&root.key("simulation")));
        assert!(!Rule::YearsInRange.concerns(&root.key("simulation")));
    }

    #[test]
    fn messages_render_placeholders_and_keep_other_braces() {
        assert_eq!(
            Rule::DriftInRange.message_with(&[("lo", &-1), ("hi", &1), ("got", &"8")]),
            "must be in [-1, 1], got 8"
        );
        assert_eq!(
            Rule::ExitMultipleRequired.message_with(&[]),
            "is required for a private company, e.g. exit_multiple = { median = 1.5, sigma = 0.9 }"
        );
        assert_eq!(
            pieces("a {x} b{y}"),
            [
                Piece::Text("a "),
                Piece::Placeholder("x"),
                Piece::Text(" b"),
                Piece::Placeholder("y"),
            ]
        );
        assert_eq!(pieces("[{ job = 1 }]"), [Piece::Text("[{ job = 1 }]")]);
    }
}
