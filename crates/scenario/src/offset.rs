//! Validity offsets such as `"-1d"` or `"+3650d"`: whole seconds relative to the run's `now`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::{fmt, str::FromStr};

/// A signed offset in whole seconds relative to `now`, written in scenario files as
/// `[+-]N<unit>` with unit `s`, `m`, `h` or `d` (e.g. `"-1d"` is one day before `now`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Offset {
    /// Seconds relative to `now`; negative is in the past.
    pub seconds: i64,
}

impl Offset {
    /// An offset of `days` whole days (negative for the past).
    pub const fn days(days: i64) -> Self {
        Offset {
            seconds: days * 86_400,
        }
    }
}

impl FromStr for Offset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expected = || {
            format!(
                "expected an offset like \"-1d\" or \"+365d\" (sign, number, unit s|m|h|d), found {s:?}"
            )
        };
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1, &s[1..]),
            Some(b'-') => (-1, &s[1..]),
            _ => return Err(expected()),
        };
        // Split on the last character, not the last byte: a stranger's file may end in any
        // Unicode character (found by the scenario fuzz target).
        let Some((unit_at, unit)) = rest.char_indices().last() else {
            return Err(expected());
        };
        let unit = match unit {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            _ => return Err(expected()),
        };
        let digits = &rest[..unit_at];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(expected());
        }
        let n: i64 = digits.parse().map_err(|_| expected())?;
        n.checked_mul(unit)
            .and_then(|v| v.checked_mul(sign))
            .map(|seconds| Offset { seconds })
            .ok_or_else(expected)
    }
}

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.seconds < 0 { '-' } else { '+' };
        let abs = self.seconds.unsigned_abs();
        if abs.is_multiple_of(86_400) {
            write!(f, "{sign}{}d", abs / 86_400)
        } else {
            write!(f, "{sign}{abs}s")
        }
    }
}

impl<'de> Deserialize<'de> for Offset {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Offset {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Offset".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[+-][0-9]+[smhd]$",
            "description": "offset from the run's `now`: sign, number, unit s|m|h|d, e.g. \"-1d\""
        })
    }
}

impl Serialize for Offset {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("-1d", -86_400)]
    #[case("+3650d", 3650 * 86_400)]
    #[case("+30s", 30)]
    #[case("-2h", -7_200)]
    #[case("+5m", 300)]
    fn parses_signed_offsets(#[case] text: &str, #[case] seconds: i64) {
        assert_eq!(text.parse::<Offset>(), Ok(Offset { seconds }));
    }

    #[rstest]
    #[case("1d")]
    #[case("-d")]
    #[case("+1w")]
    #[case("")]
    #[case("+")]
    #[case("+3650d\u{91994}")]
    #[case("+é")]
    #[case("++5d")]
    #[case("+-5d")]
    #[case("+ 5d")]
    #[case("+99999999999999999999d")]
    fn rejects_malformed_offsets(#[case] text: &str) {
        let err = text.parse::<Offset>().expect_err("must be rejected");
        assert!(err.contains("expected an offset like"), "{err}");
    }

    #[test]
    fn displays_whole_days_as_days() {
        assert_eq!(Offset::days(-1).to_string(), "-1d");
        assert_eq!(Offset { seconds: 90 }.to_string(), "+90s");
    }
}
