//! Named tolerances, in one place (docs/model.md §0). All are relative to the baseline of
//! the quantity compared, floored at one unit of it so that zero baselines compare exactly.

/// Balance checks of the builder and of loaded networks (docs/model.md §1.4).
pub const BALANCE: f64 = 1e-9;

/// A monetary table's given output against `Z·1 + Y·1` (published tables carry rounding
/// and small statistical discrepancies; pymrio writes 12 significant digits).
pub const TABLE: f64 = 1e-6;

/// The dynamic engine's path with no shock against its baseline (docs/model.md §5.9).
pub const STEADY: f64 = 1e-9;

/// The fixed-point property: a node given its baseline inputs makes its baseline output.
pub const FIXED_POINT: f64 = 1e-12;

/// The static engine's recycling loops (docs/model.md §1.9): the recycled flow's bound has
/// converged when a pass changes it by at most this, relative (floored at one unit).
pub const RECYCLING: f64 = 1e-10;

/// The most passes of the static engine's sweeps a recycling fixed point may take.
pub const RECYCLING_PASSES: usize = 64;

/// The static cascade's rounding residuals (docs/model.md §4.4-4.5): an input order, or a
/// tagged receipt, at most this share of what it is compared with (the order before what
/// the user already holds; the receipt's whole volume) is zero. Exact arithmetic gives 0
/// there; floating point leaves ~1e-17.
pub const RESIDUAL: f64 = 1e-12;

/// Whether `a` and `b` agree to `rel` relative to the larger magnitude (floored at 1).
///
/// ```
/// use shortfall::tolerance::{close, BALANCE};
/// assert!(close(1e6, 1e6 + 1e-4, BALANCE));
/// assert!(!close(1.0, 1.1, BALANCE));
/// ```
pub fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1.0)
}
