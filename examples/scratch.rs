use shortfall::engine::*;
use shortfall::scenario::*;
fn main() -> shortfall::Result<()> {
    let d = shortfall::data::rare_earths_2024();
    let net = &d.network;
    let mut s = Realization { horizon: 0.25, restrictions: vec![Restriction::full(["CN"], ["ndpr_oxide","dytb_oxide","ndpr_metal","ndfeb_magnet"], Targets::Bloc("US+8".into()))], ..Realization::default() };
    let e = StaticCascade::new(net, &s)?;
    let mut ws = e.workspace(net);
    e.run(net, &s, &mut ws)?;
    println!("{}", ws.outcome());
    s.mitigation.stock_release_share = 1.0;
    s.mitigation.substitution = 1.0;
    let e = StaticCascade::new(net, &s)?;
    e.run(net, &s, &mut ws)?;
    println!("{}", ws.outcome());
    Ok(())
}
