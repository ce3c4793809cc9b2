//! The Leontief system of a network, and the dense LU every dense solve of the crate uses
//! (docs/model.md §2.5).

use faer::linalg::solvers::{DenseSolveCore, PartialPivLu, Solve};
use faer::Mat;

use crate::error::{Error, Result};
use crate::network::{Network, Sink};

/// The largest network (in nodes) a dense solve takes: the matrix is `8·n²` bytes (288 MB
/// at the limit), its factors as much again.
pub const DENSE_LIMIT: usize = 6_000;

/// An `n x n` matrix factored by LU with partial pivoting (faer), refused when singular.
pub(crate) struct DenseLu {
    lu: PartialPivLu<f64>,
}

impl DenseLu {
    /// Factors the matrix whose entry `(i, j)` is `entry(i, j)`; `what` names it in errors.
    ///
    /// # Errors
    /// [`Error::TooLarge`] above [`DENSE_LIMIT`]; [`Error::Singular`] when a pivot is 0
    /// or not finite.
    pub(crate) fn factor(m: &Mat<f64>, what: &str) -> Result<Self> {
        let n = m.nrows();
        if n > DENSE_LIMIT {
            return Err(Error::TooLarge(format!(
                "{what} takes at most {DENSE_LIMIT} nodes in a dense solve, not {n}"
            )));
        }
        let lu = PartialPivLu::new(m.as_ref());
        let u = lu.U();
        if (0..n).any(|i| {
            let p = u[(i, i)];
            p == 0.0 || !p.is_finite()
        }) {
            return Err(Error::Singular(format!("{what} is singular")));
        }
        Ok(Self { lu })
    }

    /// Solves `M X = B` in place (`transpose`: `Mᵀ X = B`), `B` with one column per
    /// right-hand side.
    pub(crate) fn solve(&self, b: &mut Mat<f64>, transpose: bool, what: &str) -> Result<()> {
        if transpose {
            self.lu.solve_transpose_in_place(b.as_mut());
        } else {
            self.lu.solve_in_place(b.as_mut());
        }
        let finite = (0..b.ncols()).all(|j| b.col(j).iter().all(|v| v.is_finite()));
        if finite {
            Ok(())
        } else {
            Err(Error::Singular(format!("{what} is numerically singular")))
        }
    }
}

/// The Leontief system `(I - A) x = y` of a network, factored once (docs/model.md §2.5):
/// `A[i,j] = Z[i,j]/x_j`, the flows into node `j` per unit of its output.
///
/// ```
/// use shortfall::metrics::Leontief;
/// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/boario/pymrio_test");
/// let net = shortfall::data::read_pymrio(dir)?;
/// let leontief = Leontief::new(&net)?;
/// // Final demand by node gives back the table's output.
/// let x = leontief.output(&Leontief::final_demand(&net))?;
/// for (n, v) in net.node_ids().zip(&x) {
///     assert!((v - net.output(n)).abs() <= 1e-9 * net.output(n));
/// }
/// # Ok::<(), shortfall::Error>(())
/// ```
pub struct Leontief {
    lu: DenseLu,
    n: usize,
}

impl std::fmt::Debug for Leontief {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leontief").field("nodes", &self.n).finish()
    }
}

impl Leontief {
    /// Forms `I - A` and factors it.
    ///
    /// # Errors
    /// [`Error::TooLarge`] above [`DENSE_LIMIT`] nodes; [`Error::Singular`] when `I - A`
    /// is singular.
    pub fn new(net: &Network) -> Result<Self> {
        let n = net.nodes().len();
        if n > DENSE_LIMIT {
            return Err(Error::TooLarge(format!(
                "the Leontief system takes at most {DENSE_LIMIT} nodes, not {n}"
            )));
        }
        let mut m = Mat::<f64>::identity(n, n);
        // One pass over the edges in memory order (reading them by buyer is scattered).
        for e in net.edges() {
            if let Sink::Node(j) = e.to {
                let x = net.output(j);
                if x > 0.0 {
                    m[(e.from.index(), j.index())] -= e.flow / x;
                }
            }
        }
        let lu = DenseLu::factor(&m, "the Leontief matrix I - A")?;
        Ok(Self { lu, n })
    }

    /// The network's final demand by node (its flows to final use), the `y` of
    /// [`Leontief::output`].
    pub fn final_demand(net: &Network) -> Vec<f64> {
        net.node_ids()
            .map(|n| {
                (net.out_edges(n).iter())
                    .filter(|e| matches!(e.to, Sink::FinalUse(_)))
                    .map(|e| e.flow)
                    .sum()
            })
            .collect()
    }

    /// Nodes of the system.
    pub fn nodes(&self) -> usize {
        self.n
    }

    /// Output `x = L·y` for final demand `y` by node (in the network's node order).
    ///
    /// # Errors
    /// [`Error::InvalidField`] for a vector of the wrong length; [`Error::Singular`] for
    /// a solution that is not finite.
    pub fn output(&self, y: &[f64]) -> Result<Vec<f64>> {
        self.solve(y, false)
    }

    /// Solves `(I - A)ᵀ v = w` with the same factors (the content and price direction).
    ///
    /// # Errors
    /// As [`Leontief::output`].
    pub fn solve_transpose(&self, w: &[f64]) -> Result<Vec<f64>> {
        self.solve(w, true)
    }

    fn solve(&self, b: &[f64], transpose: bool) -> Result<Vec<f64>> {
        if b.len() != self.n {
            return Err(Error::field(
                "Leontief system",
                "right-hand side",
                format!("{} values for {} nodes", b.len(), self.n),
            ));
        }
        let mut m = Mat::<f64>::from_fn(self.n, 1, |i, _| b[i]);
        self.lu
            .solve(&mut m, transpose, "the Leontief matrix I - A")?;
        Ok(m.col(0).iter().copied().collect())
    }

    /// The Leontief inverse `L = (I - A)⁻¹`, row-major: `L[i·n + j]`.
    pub fn inverse(&self) -> Vec<f64> {
        let inv = self.lu.lu.inverse();
        let n = self.n;
        let mut out = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                out[i * n + j] = inv[(i, j)];
            }
        }
        out
    }
}
