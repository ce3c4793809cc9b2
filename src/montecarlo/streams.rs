//! Random streams: one per (seed, draw, parameter key), on a portable generator
//! (docs/model.md §6.2), so results do not depend on scheduling and adding a parameter
//! leaves every other parameter's draws unchanged.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator of every stream: portable and reproducible across platforms.
pub type DrawRng = ChaCha8Rng;

/// SplitMix64's finaliser: a bijective mixing of 64 bits.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The stream of parameter `key` in draw `draw` of a run seeded `seed`: the generator is
/// seeded from a mixing of (seed, key) and set to stream `draw`.
///
/// ```
/// use rand::Rng;
/// use shortfall::montecarlo::param_rng;
/// let a = param_rng(42, 7, 1).next_u64();
/// assert_eq!(a, param_rng(42, 7, 1).next_u64());
/// assert_ne!(a, param_rng(42, 8, 1).next_u64());
/// assert_ne!(a, param_rng(42, 7, 2).next_u64());
/// ```
pub fn param_rng(seed: u64, draw: u64, key: u64) -> DrawRng {
    let mut rng = DrawRng::seed_from_u64(mix(seed ^ mix(key)));
    rng.set_stream(draw);
    rng
}

/// A uniform in the open interval (0, 1) from the stream of (seed, draw, key): 53 random
/// bits, centred in their cell.
pub fn uniform(seed: u64, draw: u64, key: u64) -> f64 {
    let bits = param_rng(seed, draw, key).next_u64() >> 11;
    (bits as f64 + 0.5) / (1u64 << 53) as f64
}
