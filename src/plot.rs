//! Plots as SVG (feature `plot`): the pictures of a shortfall distribution, a run in time,
//! an exposure map, chokepoints and sensitivities. A [`Plot`] shows itself in an evcxr
//! cell and saves to a file.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

use crate::engine::Chokepoints;
use crate::error::{Error, Result};
use crate::montecarlo::{McResults, PathResults, Summary};
use crate::network::Network;

const SIZE: (u32, u32) = (800, 480);
const FONT: &str = "sans-serif";
const BAND: RGBColor = RGBColor(158, 202, 225);
const MARK: RGBColor = RGBColor(49, 130, 189);
const NEGATIVE: RGBColor = RGBColor(214, 96, 77);
/// Chokepoints drawn at most.
const BARS: usize = 12;

/// A chart as SVG text, with its title.
///
/// ```
/// use shortfall::plot::Plot;
/// let net = shortfall::network::toy_chain();
/// let map = Plot::exposure_map(&net, "CN")?;
/// assert!(map.svg().starts_with("<svg"));
/// assert!(map.svg().contains("touched by CN"));
/// # Ok::<(), shortfall::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    title: String,
    svg: String,
}

fn failed<E: std::error::Error>(title: &str) -> impl Fn(E) -> Error + '_ {
    move |e| Error::Plot {
        plot: title.into(),
        message: e.to_string(),
    }
}

/// Draws on a fresh white SVG canvas and keeps the text.
fn draw(
    title: String,
    paint: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<()>,
) -> Result<Plot> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed(&title))?;
        paint(&root)?;
        root.present().map_err(failed(&title))?;
    }
    Ok(Plot { title, svg })
}

/// `[low, high]` widened a little, and never empty.
fn span(low: f64, high: f64) -> std::ops::Range<f64> {
    let (low, high) = if high > low {
        (low, high)
    } else {
        (low - 0.5, low + 0.5)
    };
    let pad = 0.05 * (high - low);
    low - pad..high + pad
}

/// A line for consoles: the title and the size of the SVG.
impl std::fmt::Display for Plot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plot: {} (SVG, {} bytes)", self.title, self.svg.len())
    }
}

/// A chart with numeric axes.
type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Numeric axes with their descriptions under a caption.
fn axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    (x, y): (std::ops::Range<f64>, std::ops::Range<f64>),
    (x_desc, y_desc): (&str, &str),
) -> Result<Chart<'a, DB>> {
    let e = failed(title);
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(x, y)
        .map_err(&e)?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(&e)?;
    Ok(chart)
}

/// A labelled line.
fn line<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart<'a, DB>,
    title: &str,
    points: impl IntoIterator<Item = (f64, f64)>,
    (color, width): (RGBColor, u32),
    label: String,
) -> Result<()> {
    chart
        .draw_series(LineSeries::new(points, color.stroke_width(width)))
        .map_err(failed(title))?
        .label(label)
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], color));
    Ok(())
}

/// The legend's mark of a filled area.
fn swatch((x, y): (i32, i32)) -> Rectangle<(i32, i32)> {
    Rectangle::new([(x, y - 5), (x + 14, y + 5)], BAND.filled())
}

/// The legend box of the labelled series.
fn legend<'a, DB: DrawingBackend + 'a>(chart: &mut Chart<'a, DB>, title: &str) -> Result<()> {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(failed(title))
}

impl Plot {
    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The SVG document.
    pub fn svg(&self) -> &str {
        &self.svg
    }

    /// The content blocks evcxr reads from a cell's output: the SVG (`image/svg+xml`)
    /// and a line of plain text for consoles.
    pub fn evcxr_content(&self) -> String {
        format!(
            "EVCXR_BEGIN_CONTENT image/svg+xml\n{}\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT",
            self.svg, self
        )
    }

    /// Shows the plot in an evcxr notebook cell.
    pub fn evcxr_display(&self) {
        println!("{}", self.evcxr_content());
    }

    /// Writes the SVG atomically (a temporary file, then a rename).
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        crate::report::write_atomic(path.as_ref(), self.svg.as_bytes())
    }

    /// Writes the SVG to `dir/<name>.svg`, creating `dir` if needed; returns the path.
    ///
    /// # Errors
    /// [`Error::Io`].
    pub fn save_in(
        &self,
        dir: impl AsRef<std::path::Path>,
        name: &str,
    ) -> Result<std::path::PathBuf> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.into(),
            source,
        })?;
        let path = dir.join(format!("{name}.svg"));
        self.save(&path)?;
        Ok(path)
    }

    /// The histogram of an outcome's draws with its median (P50), P95 and tail mean
    /// (CVaR) marked; quantiles the run did not compute are left out.
    ///
    /// # Errors
    /// [`Error::Plot`] when the summary has no histogram or drawing fails.
    pub fn histogram(summary: &Summary) -> Result<Plot> {
        let title = format!(
            "{}: distribution over {} draws",
            summary.name, summary.count
        );
        let h = &summary.histogram;
        if h.counts.is_empty() || h.edges.len() != h.counts.len() + 1 {
            return Err(Error::Plot {
                plot: title,
                message: "the summary has no histogram (streaming runs keep none)".into(),
            });
        }
        let top = h.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
        let (first, last) = (h.edges[0], h.edges[h.edges.len() - 1]);
        let quantile = |p: f64| summary.quantiles.iter().find(|q| q.p == p).map(|q| q.value);
        let marks = [
            ("P50", quantile(0.5), BLACK),
            ("P95", quantile(0.95), RED),
            (
                "CVaR",
                Some(summary.cvar.value).filter(|v| v.is_finite()),
                MAGENTA,
            ),
        ];
        let unit = format!("shortfall ({})", summary.unit);
        draw(title.clone(), |root| {
            let ranges = (span(first, last), 0.0..top * 1.1);
            let mut chart = axes(root, &title, ranges, (&unit, "draws"))?;
            chart
                .draw_series(h.counts.iter().enumerate().map(|(i, &c)| {
                    Rectangle::new(
                        [(h.edges[i], 0.0), (h.edges[i + 1], c as f64)],
                        BAND.filled(),
                    )
                }))
                .map_err(failed(&title))?
                .label("draws per bin")
                .legend(swatch);
            for (name, value, color) in marks {
                let Some(v) = value else { continue };
                let label = format!("{name} {}", crate::report::number(v));
                line(
                    &mut chart,
                    &title,
                    [(v, 0.0), (v, top * 1.05)],
                    (color, 2),
                    label,
                )?;
            }
            legend(&mut chart, &title)
        })
    }

    /// The fan chart of a run in time: the group's shortfall per step, its 5-95% band over
    /// the draws, median and mean.
    ///
    /// # Errors
    /// [`Error::Plot`] when the run has no steps or drawing fails.
    pub fn fan_chart(paths: &PathResults) -> Result<Plot> {
        let title = format!(
            "{}: {} shortfall of {} per step",
            paths.scenario, paths.group, paths.product
        );
        if paths.fan.is_empty() {
            return Err(Error::Plot {
                plot: title,
                message: "the run has no steps".into(),
            });
        }
        let days = paths.step_days;
        let x = |step: usize| (step + 1) as f64 * days / 7.0;
        let top = paths
            .fan
            .iter()
            .map(|s| s.p95.max(s.mean))
            .fold(0.0, f64::max);
        let y_desc = format!("shortfall per step ({})", paths.unit);
        draw(title.clone(), |root| {
            let ranges = (span(0.0, x(paths.fan.len() - 1)), 0.0..top.max(1e-12) * 1.1);
            let mut chart = axes(
                root,
                &title,
                ranges,
                ("weeks from the run's start", &y_desc),
            )?;
            let band: Vec<(f64, f64)> = paths
                .fan
                .iter()
                .map(|s| (x(s.step), s.p95))
                .chain(paths.fan.iter().rev().map(|s| (x(s.step), s.p05)))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, BAND.filled())))
                .map_err(failed(&title))?
                .label("P5-P95")
                .legend(swatch);
            let median = paths.fan.iter().map(|s| (x(s.step), s.p50));
            line(&mut chart, &title, median, (MARK, 2), "median".into())?;
            let mean = paths.fan.iter().map(|s| (x(s.step), s.mean));
            line(&mut chart, &title, mean, (BLACK, 1), "mean".into())?;
            legend(&mut chart, &title)
        })
    }

    /// The price fan of the market step (docs/model.md §7.1): for `product`, the mean
    /// price over the first `h` months against `h`, relative to the baseline, in the bloc
    /// and in the origin: the 5-95% band over the draws and the median of each. `runs`
    /// holds one [`crate::runs::Money`] per horizon, each pricing `product`.
    ///
    /// # Errors
    /// [`Error::Plot`] when `runs` is empty, does not price `product`, or drawing fails.
    pub fn price_fan(runs: &[crate::runs::Money], product: &str) -> Result<Plot> {
        use crate::engine::MarketId;
        let title = format!("{product}: mean price over the first months, relative to 2024");
        let band_of = |m: &crate::runs::Money, market: MarketId| {
            (m.prices.iter())
                .find(|p| p.product == product && p.market == market)
                .map(|p| (12.0 * m.horizon, p.ratio))
        };
        let series = |market| -> Option<Vec<(f64, [f64; 3])>> {
            runs.iter().map(|m| band_of(m, market)).collect()
        };
        let (Some(bloc), Some(origin)) = (series(MarketId::Bloc), series(MarketId::Origin)) else {
            return Err(Error::Plot {
                plot: title,
                message: format!("the runs do not price {product}"),
            });
        };
        if bloc.is_empty() {
            return Err(Error::Plot {
                plot: title,
                message: "no runs".into(),
            });
        }
        let labels = ("months from the restriction's start", "price / 2024 price");
        price_bands(title, labels, &bloc, &origin)
    }

    /// The price paths of the dynamic engine's market step (docs/model.md §7.5): per
    /// step, the 5-95% band over the draws and the median of the price in the bloc and in
    /// the origin, relative to the baseline.
    ///
    /// # Errors
    /// [`Error::Plot`] when the paths are empty or drawing fails.
    pub fn price_paths(paths: &crate::runs::PricePaths) -> Result<Plot> {
        use crate::engine::MarketId;
        let title = format!("{}: price per step, relative to baseline", paths.product);
        let (bloc, origin) = (paths.path(MarketId::Bloc), paths.path(MarketId::Origin));
        if bloc.is_empty() {
            return Err(Error::Plot {
                plot: title,
                message: "no steps".into(),
            });
        }
        let x = |points: &[[f64; 3]]| {
            (points.iter().enumerate())
                .map(|(t, b)| (t as f64 * paths.step_days, *b))
                .collect::<Vec<_>>()
        };
        let labels = ("days from the run's start", "price / baseline price");
        price_bands(title, labels, &x(bloc), &x(origin))
    }

    /// The exposure heat map: for each region (columns) and product (rows) the share of
    /// what the region's users receive that passed through `supplier` at any stage
    /// (touched-by shares, docs/model.md §2.3), with a colour scale; grey where the
    /// region receives none.
    ///
    /// # Errors
    /// [`Error::UnknownRegion`] for an unknown supplier, [`Error::CyclicRecipes`] on a
    /// cyclic table, [`Error::Plot`] when drawing fails.
    pub fn exposure_map(net: &Network, supplier: &str) -> Result<Plot> {
        let touched = crate::metrics::touched_by(net, net.require_region(supplier)?)?;
        let title = format!("Share of supply touched by {supplier}");
        let (regions, products) = (net.regions(), net.products());
        let (nr, np) = (regions.len(), products.len());
        let region_label = |v: &SegmentValue<u32>| category(v, |i| regions[i].code.clone(), nr);
        // Rows from the top: the first product is drawn highest.
        let product_label =
            |v: &SegmentValue<u32>| category(v, |i| products[np - 1 - i].id.clone(), np);
        let cell = |x: u32, y: u32| {
            [
                (SegmentValue::Exact(x), SegmentValue::Exact(y)),
                (SegmentValue::Exact(x + 1), SegmentValue::Exact(y + 1)),
            ]
        };
        draw(title.clone(), |root| {
            let e = failed(&title);
            let (left, right) = root.split_horizontally(SIZE.0 - 90);
            let mut chart = ChartBuilder::on(&left)
                .caption(&title, (FONT, 20))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(150)
                .build_cartesian_2d(
                    (0..nr as u32 - 1).into_segmented(),
                    (0..np as u32 - 1).into_segmented(),
                )
                .map_err(&e)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(nr)
                .y_labels(np)
                .x_label_formatter(&region_label)
                .y_label_formatter(&product_label)
                .x_desc("region")
                .y_desc("product")
                .draw()
                .map_err(&e)?;
            let cells = (0..nr).flat_map(|r| (0..np).map(move |p| (r, p)));
            chart
                .draw_series(cells.map(|(r, p)| {
                    let share = touched
                        .supply_share(
                            net,
                            crate::network::RegionId(r as u32),
                            crate::network::ProductId(p as u32),
                        )
                        .ok();
                    let color = share.map_or(RGBColor(220, 220, 220), ViridisRGB::get_color);
                    Rectangle::new(cell(r as u32, (np - 1 - p) as u32), color.filled())
                }))
                .map_err(&e)?;
            // The colour scale: 0% at the bottom to 100% at the top.
            let mut scale = ChartBuilder::on(&right)
                .margin_top(44)
                .margin_bottom(56)
                .margin_right(12)
                .y_label_area_size(44)
                .build_cartesian_2d(0.0..1.0, 0.0..1.0)
                .map_err(&e)?;
            scale
                .configure_mesh()
                .disable_mesh()
                .disable_x_axis()
                .y_labels(5)
                .y_label_style((FONT, 12))
                .y_label_formatter(&|v: &f64| format!("{:.0}%", 100.0 * v))
                .draw()
                .map_err(&e)?;
            scale
                .draw_series((0..50).map(|i| {
                    let (a, b) = (i as f64 / 50.0, (i + 1) as f64 / 50.0);
                    Rectangle::new([(0.0, a), (1.0, b)], ViridisRGB::get_color(a).filled())
                }))
                .map_err(&e)?;
            Ok(())
        })
    }

    /// The chokepoint bar chart: the twelve largest scores (the bloc's shortfall when the
    /// node is removed), largest on top.
    ///
    /// # Errors
    /// [`Error::Plot`] when there are no chokepoints or drawing fails.
    pub fn chokepoints(table: &Chokepoints) -> Result<Plot> {
        let title = format!(
            "Chokepoints for {} over {}",
            table.bloc,
            crate::report::years(table.horizon)
        );
        let bars: Vec<(String, f64)> = table
            .rows
            .iter()
            .take(BARS)
            .map(|c| (format!("{} {}", c.region, c.product), c.score))
            .collect();
        bar_chart(title, format!("{} {}", table.bloc, table.unit), &bars)
    }

    /// The sensitivity tornado of one outcome: each parameter's rank correlation with it
    /// (partial, PRCC, where computed, else Spearman), largest in size first.
    ///
    /// # Errors
    /// [`Error::Plot`] when the results have no sensitivity for `outcome` or drawing
    /// fails.
    pub fn tornado(results: &McResults, outcome: &str) -> Result<Plot> {
        let title = format!("What drives {outcome}");
        let mut bars: Vec<(String, f64)> = results
            .sensitivity
            .iter()
            .filter(|s| s.outcome == outcome)
            .filter_map(|s| s.prcc.or(s.spearman).map(|v| (s.parameter.clone(), v)))
            .collect();
        bars.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        bar_chart(
            title,
            "rank correlation (PRCC, else Spearman)".into(),
            &bars,
        )
    }
}

/// The name of a categorical axis's segment at its centre, empty elsewhere.
fn category(v: &SegmentValue<u32>, name: impl Fn(usize) -> String, n: usize) -> String {
    match v {
        SegmentValue::CenterOf(i) if (*i as usize) < n => name(*i as usize),
        _ => String::new(),
    }
}

/// Horizontal bars, first on top; negative values to the left of zero.
fn bar_chart(title: String, x_desc: String, bars: &[(String, f64)]) -> Result<Plot> {
    if bars.is_empty() {
        return Err(Error::Plot {
            plot: title,
            message: "nothing to draw".into(),
        });
    }
    let n = bars.len() as u32;
    let low = bars.iter().map(|b| b.1).fold(0.0, f64::min);
    let high = bars.iter().map(|b| b.1).fold(0.0, f64::max);
    // Segment `j` from the bottom holds bar `n - 1 - j`.
    let y_label =
        |v: &SegmentValue<u32>| category(v, |j| bars[n as usize - 1 - j].0.clone(), n as usize);
    draw(title.clone(), |root| {
        let e = failed(&title);
        let mut chart = ChartBuilder::on(root)
            .caption(&title, (FONT, 20))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(200)
            .build_cartesian_2d(span(low, high), (0..n - 1).into_segmented())
            .map_err(&e)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&y_label)
            .x_desc(x_desc.as_str())
            .draw()
            .map_err(&e)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, v))| {
                let y = n - 1 - i as u32;
                let color = if *v < 0.0 { NEGATIVE } else { MARK };
                let mut bar = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(y)),
                        (*v, SegmentValue::Exact(y + 1)),
                    ],
                    color.filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }))
            .map_err(&e)?;
        Ok(())
    })
}

/// Prices relative to baseline in the bloc and in the origin against `x` (axes `labels`,
/// x then y): each market's
/// 5-95% band over the draws and its median (docs/model.md §7.1, §7.5).
fn price_bands(
    title: String,
    labels: (&str, &str),
    bloc: &[(f64, [f64; 3])],
    origin: &[(f64, [f64; 3])],
) -> Result<Plot> {
    let top = (bloc.iter().chain(origin))
        .map(|(_, b)| b[2])
        .fold(1.0, f64::max);
    let right = bloc.iter().map(|(x, _)| *x).fold(0.0, f64::max);
    draw(title.clone(), |root| {
        let ranges = (span(0.0, right), 0.0..top * 1.1);
        let mut chart = axes(root, &title, ranges, labels)?;
        for (points, name, color) in [(bloc, "bloc", MARK), (origin, "origin (China)", NEGATIVE)] {
            let band: Vec<(f64, f64)> = (points.iter().map(|(x, b)| (*x, b[2])))
                .chain(points.iter().rev().map(|(x, b)| (*x, b[0])))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.25).filled(),
                )))
                .map_err(failed(&title))?
                .label(format!("{name} P5-P95"))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.mix(0.25).filled())
                });
            let median = points.iter().map(|(x, b)| (*x, b[1]));
            line(
                &mut chart,
                &title,
                median,
                (color, 2),
                format!("{name} median"),
            )?;
        }
        legend(&mut chart, &title)
    })
}
