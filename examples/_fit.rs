use shortfall::scenario::Ramp;
fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let s = args[0];
    let w: Vec<(f64, f64, f64)> = args[1..]
        .chunks(3)
        .map(|c| (c[0] / 365.0, c[1] / 365.0, (c[2] / s).min(1.0)))
        .collect();
    let (r, rms) = Ramp::fit(&w, 0.0).unwrap();
    println!(
        "from = {:.4}, delay = {:.6} ({:.0} d), over = {:.6} ({:.0} d), rms {rms:.4}",
        r.from,
        r.delay,
        r.delay * 365.0,
        r.over,
        r.over * 365.0
    );
    for &(a, b, m) in &w {
        println!(
            "  window {:.0}-{:.0}: target {:.3}, fitted {:.3}",
            a * 365.0,
            b * 365.0,
            m * s,
            s * Ramp::mean(Some(&r), None, a, b)
        );
    }
}
