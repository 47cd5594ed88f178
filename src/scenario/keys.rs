//! Every key path the scenario parser accepts, read off the serde structs of
//! `raw.rs` themselves rather than from any text, so that the list cannot
//! drift from the parser: `docs/reference.md` is tested against it.
//!
//! A small recording [`Deserializer`] stands in for a TOML file: asked for a
//! struct, it offers every field the derive lists (after `rename`, so
//! `RawCompany::kind` is offered as `type`) and records its path; asked for
//! a map (an `IndexMap<String, _>` of named tables) it offers one entry,
//! written `*`; asked for a sequence it offers one element, written `[]`;
//! an `Option` is always `Some`; scalars are zero or empty. Anything else
//! is an error, so a new kind of shape in `raw.rs` fails loudly here.

use serde::Deserialize;
use serde::de::value::Error;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::raw::{EXPECTING_NUMBER_OR_TABLE, EXPECTING_TABLE, RawScenario};

/// A visitor's `expecting`, as text.
struct Expecting<'a, V>(&'a V);

impl<'de, V: Visitor<'de>> std::fmt::Display for Expecting<'_, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }
}

/// Every key path the parser accepts, in the order the structs declare
/// them, parents before their children: `simulation`, `simulation.years`,
/// ..., `companies.*.exit_multiple`, `companies.*.exit_multiple.median`,
/// ..., `jobs.*.grants`, `jobs.*.grants[].vesting`, ... A `*` stands for a
/// name the file chooses (a company, job or strategy), `[]` for any element
/// of an array of tables.
///
/// # Panics
///
/// If `raw.rs` gains a shape the recorder cannot walk (an enum, a field
/// type without a zero value here): extend the recorder with it.
pub fn accepted_keys() -> Vec<String> {
    let mut keys = Vec::new();
    let recorder = Recorder {
        path: String::new(),
        keys: &mut keys,
    };
    if let Err(e) = <RawScenario as Deserialize>::deserialize(recorder) {
        panic!("keys.rs cannot walk the scenario structs: {e}");
    }
    keys
}

/// A deserializer standing at one key path, recording the fields below it.
struct Recorder<'a> {
    path: String,
    keys: &'a mut Vec<String>,
}

impl Recorder<'_> {
    fn unsupported<T>(&self, what: &str) -> Result<T, Error> {
        Err(de::Error::custom(format!(
            "{what} at `{}` is not a shape keys.rs knows",
            self.path
        )))
    }
}

impl<'de> de::Deserializer<'de> for Recorder<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Error> {
        self.unsupported("a self-describing value")
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // A struct outside raw.rs's `tables!` would take an array of its
        // fields in order, silently dropping extra elements. A key that
        // holds a number or a table (`base`) refuses arrays as well.
        let expecting = Expecting(&visitor).to_string();
        if expecting != EXPECTING_TABLE && expecting != EXPECTING_NUMBER_OR_TABLE {
            return self.unsupported(&format!(
                "a struct that accepts an array (it expects {expecting}; list it in raw.rs `tables!`)"
            ));
        }
        visitor.visit_map(Fields {
            prefix: self.path,
            fields,
            next: 0,
            keys: self.keys,
        })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(OneEntry {
            path: format!("{}.*", self.path),
            given: false,
            keys: self.keys,
        })
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(OneElement {
            path: format!("{}[]", self.path),
            given: false,
            keys: self.keys,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_i64(0)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_f64(0.0)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_str("")
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_string(String::new())
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 char bytes byte_buf unit
        unit_struct newtype_struct tuple tuple_struct enum identifier
        ignored_any
    }
}

/// A struct's fields, each offered once with its recorded path.
struct Fields<'a> {
    prefix: String,
    fields: &'static [&'static str],
    next: usize,
    keys: &'a mut Vec<String>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.get(self.next) {
            None => Ok(None),
            Some(&field) => seed
                .deserialize(IntoDeserializer::<Error>::into_deserializer(field))
                .map(Some),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let field = self.fields[self.next];
        self.next += 1;
        let path = if self.prefix.is_empty() {
            field.to_string()
        } else {
            format!("{}.{field}", self.prefix)
        };
        self.keys.push(path.clone());
        seed.deserialize(Recorder {
            path,
            keys: self.keys,
        })
    }
}

/// A table of named tables, offering one entry named `*`.
struct OneEntry<'a> {
    path: String,
    given: bool,
    keys: &'a mut Vec<String>,
}

impl<'de> MapAccess<'de> for OneEntry<'_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.given {
            return Ok(None);
        }
        seed.deserialize(IntoDeserializer::<Error>::into_deserializer("*"))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        self.given = true;
        seed.deserialize(Recorder {
            path: self.path.clone(),
            keys: self.keys,
        })
    }
}

/// An array, offering one element.
struct OneElement<'a> {
    path: String,
    given: bool,
    keys: &'a mut Vec<String>,
}

impl<'de> SeqAccess<'de> for OneElement<'_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.given {
            return Ok(None);
        }
        self.given = true;
        seed.deserialize(Recorder {
            path: self.path.clone(),
            keys: self.keys,
        })
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_finds_tables_named_tables_arrays_and_renamed_fields() {
        let keys = accepted_keys();
        for want in [
            "simulation",
            "simulation.years",
            "simulation.percentiles",
            "companies",
            "companies.*.type",
            "companies.*.exit_multiple",
            "companies.*.exit_multiple.median",
            "jobs.*.bonus.max",
            "jobs.*.grants",
            "jobs.*.grants[].vesting",
            "jobs.*.refresh.first_after_years",
            "strategies.*.path[].years",
            "strategies.*.path[].months",
            "market",
            "market.drift",
            "market.volatility",
            "companies.*.market_correlation",
            "companies.*.layoffs.rehire_pay",
            "jobs.*.layoffs.severance_weeks",
            "jobs.*.sign_on_clawback_months",
            "jobs.*.bonus.company_link",
            "jobs.*.bonus.distribution",
            "tax",
            "tax.year",
            "tax.state",
            "tax.itemized_deductions",
            "companies.*.fmv_fraction",
            "jobs.*.state",
            "jobs.*.city",
            "jobs.*.grants[].tax_type",
            "ladders",
            "ladders.*.levels",
            "ladders.*.base",
            "ladders.*.min_years",
            "ladders.*.promotion_raise",
            "jobs.*.ladder",
            "jobs.*.level",
            "jobs.*.pay_factor",
            "jobs.*.price_parity",
            "jobs.*.base",
            "jobs.*.base.p10",
            "jobs.*.base.p50",
            "jobs.*.base.p90",
            "jobs.*.base_raise.min",
            "jobs.*.base_raise.p10",
            "jobs.*.base_raise.p90",
        ] {
            assert!(keys.iter().any(|k| k == want), "{want} missing: {keys:?}");
        }
        // The Rust name of a renamed field is not a key of the file.
        assert!(!keys.iter().any(|k| k == "companies.*.kind"), "{keys:?}");
        // Arrays of numbers are keys, not tables of keys.
        assert!(!keys.iter().any(|k| k.ends_with("[]")), "{keys:?}");
    }

    /// A struct that serde's derive alone deserializes would take an array
    /// of its fields; the walk refuses it, so `raw.rs` cannot gain one.
    #[test]
    fn the_walk_refuses_a_struct_that_accepts_arrays() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Plain {
            a: Option<i64>,
        }
        let mut keys = Vec::new();
        let recorder = Recorder {
            path: "plain".into(),
            keys: &mut keys,
        };
        let e = Plain::deserialize(recorder).unwrap_err().to_string();
        assert!(e.contains("tables!"), "{e}");
    }

    #[test]
    fn every_key_is_listed_once_after_its_parent() {
        let keys = accepted_keys();
        for (i, k) in keys.iter().enumerate() {
            assert!(!keys[..i].contains(k), "{k} listed twice");
            if let Some(cut) = k.rfind(['.', '[']) {
                let parent = k[..cut].trim_end_matches(".*").trim_end_matches("[]");
                assert!(
                    keys[..i].iter().any(|p| p == parent),
                    "{k} comes before its parent {parent}"
                );
            }
        }
    }
}
