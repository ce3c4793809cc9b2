use shortfall::engine::{Engine, StaticCascade};
use shortfall::scenario::{Market, MarketProduct, Realization, Restriction, Targets};
fn main() {
    let data = shortfall::data::rare_earths_2024();
    let net = &data.network;
    let mut r = Realization {
        horizon: 0.25,
        restrictions: vec![Restriction::full(
            ["CN"],
            ["ndpr_oxide", "dytb_oxide", "ndpr_metal", "ndfeb_magnet_dy"],
            Targets::Bloc("US+8".into()),
        )],
        ..Realization::default()
    };
    r.mitigation.stock_release_share = 0.5;
    r.mitigation.substitution = 0.5;
    let e = StaticCascade::new(net, &r).unwrap();
    let o = e.evaluate(net, &r).unwrap();
    println!(
        "off passes {} residual {}",
        o.recycling_passes, o.recycling_residual
    );
    let products = net
        .products()
        .iter()
        .map(|p| MarketProduct {
            demand_short: 0.1,
            demand_long: 0.5,
            lag: 2.0,
            supply: 0.3,
            max_fall: 0.5,
            ..MarketProduct::new(&p.id)
        })
        .collect();
    r.market = Some(Market {
        leakage_elasticity: 0.5,
        products,
        ..Market::default()
    });
    let e = StaticCascade::new(net, &r).unwrap();
    let o = e.evaluate(net, &r).unwrap();
    println!(
        "on passes {} residual {} market residual {}",
        o.recycling_passes,
        o.recycling_residual,
        o.market.as_ref().unwrap().residual
    );
    println!("sweeps {}", o.market.as_ref().unwrap().cascades);
    let np = net.products().len();
    for (i, p) in o.market.as_ref().unwrap().prices.iter().enumerate() {
        if (p - 1.0).abs() > 1e-6 {
            println!(
                "{} {} {:.4}",
                ["rest", "bloc", "origin"][i / np],
                net.products()[i % np].id,
                p
            );
        }
    }
}
// debug
