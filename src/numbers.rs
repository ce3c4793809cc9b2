//! How numbers read in tables, titles and messages: significant digits, grouped
//! thousands, spans of years and days. The foundation floor (docs/architecture.md), so
//! errors and reports format alike.

/// A number for reading: from 1,000 up whole and grouped by thousands; below, three
/// significant digits without trailing zeros; below 0.001, in scientific notation with
/// two (a standard error of `4.3e-5` is not `0.0000`); below 1e-12, `0` (rounding
/// residue).
///
/// ```
/// use shortfall::numbers::number;
/// assert_eq!(number(279_789.4), "279,789");
/// assert_eq!(number(334.0), "334");
/// assert_eq!(number(25.34), "25.3");
/// assert_eq!(number(0.004712), "0.00471");
/// assert_eq!(number(4.31e-5), "4.3e-5");
/// assert_eq!(number(0.0), "0");
/// assert_eq!(number(6.5e-15), "0");
/// assert_eq!(number(-1.5), "-1.5");
/// ```
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    let sign = if v < 0.0 { "-" } else { "" };
    if a >= 999.5 {
        let s = format!("{a:.0}");
        let mut out = String::from(sign);
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else if a < 1e-12 {
        // Rounding residue (docs/model.md §4.4, `tolerance::RESIDUAL`), not a figure.
        "0".into()
    } else if a < 1e-3 {
        format!("{v:.1e}")
    } else {
        let decimals = (2 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        let s = if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.')
        } else {
            &s
        };
        s.to_string()
    }
}

/// A span of years for reading: `one year`, `0.25 years`.
///
/// ```
/// assert_eq!(shortfall::numbers::years(1.0), "one year");
/// assert_eq!(shortfall::numbers::years(0.25), "0.25 years");
/// ```
pub fn years(y: f64) -> String {
    if y == 1.0 {
        "one year".into()
    } else {
        format!("{} years", number(y))
    }
}

/// A span of days for reading: `1 day`, `7 days`.
///
/// ```
/// assert_eq!(shortfall::numbers::days(1.0), "1 day");
/// assert_eq!(shortfall::numbers::days(7.0), "7 days");
/// ```
pub fn days(d: f64) -> String {
    if d == 1.0 {
        "1 day".into()
    } else {
        format!("{} days", number(d))
    }
}
