"""Du & Lee (2018): over-parametrised quadratic networks and weight decay.

The paper has no numerical experiment; this one measures its theorems.

* Width (Theorems 3.1 and 3.2). Planted data ``y = ||W* x||^2 + noise``
  with ``k0 = 3`` units in ``d = 30`` dimensions and ``n = 100`` samples,
  so that the sweep of widths crosses ``k (k + 1) / 2 > n`` (from ``k = 14``,
  with ``k < d``: Theorem 3.2's regime, which needs the random perturbation
  ``C``) before it reaches ``k >= d`` (Theorem 3.1). Every fit has the
  perturbation on. Per perturbation draw, several random starts; per width
  the fraction of fits whose certificate proves them global, and the true
  gap to the convex optimum. That optimum is computed here independently of
  the estimator: the convex problem over PSD matrices ``M = W^T W`` that the
  paper's proof of Theorem 3.1 relates the network to (its problem (8)),
  solved by accelerated projected gradient with a dual lower bound
  (:func:`convex_optimum`). The second half of Theorem 3.2 (the perturbed
  fit is within ``delta ||W*||_F^2`` of the unperturbed optimum) is measured
  against a second convex solve without ``C``.
* Weight decay (Theorems 4.3 and 4.4, through Theorem 5.2). Planted data with
  fewer samples than a quadratic form has coefficients (``d = 15``,
  ``n = 60``, noise 0.5), width ``k = d``; per weight decay the test and
  training error, their difference (the generalisation gap) and the bound's
  ingredients from the fitted model: ``M^2 = ||W||_F^2``, the empirical
  Rademacher complexity of ``{x -> x^T M x : tr M <= M^2}`` (Monte Carlo)
  and its bound ``M^2 sqrt(2 s log d) / n`` (Theorem 5.2), and the bounds of
  Theorems 4.3 and 4.4 with their unknown absolute constant ``C`` set to 1.

All numbers are in units of the standardised targets ``y / rms(y)`` (the
estimator fits those; we standardise first, so its ``quadratic_form_`` and
``loss_`` are in the units of the convex problem). The squared loss of the
fits is ``(f - y)^2 / 2``; errors of the weight-decay panel are mean squared
errors ``(f - y)^2`` (the loss ``l`` of section 4).
"""

import numpy as np
from scipy.linalg import eigh, eigvalsh

from ..quadratic import QuadraticNetRegressor
from ._common import Experiment, figure, quiet_convergence, save, tick

# The paper's network f(x) = sum_j (w_j . x)^2: no intercept, no hidden
# bias; fits stop at the certificate, whose verdict the experiment reports.
_PAPER = dict(
    output_weights="ones", fit_intercept=False, hidden_bias=False, stop="certified"
)

#: Relative accuracy (upper minus lower bound) of the convex reference.
CONVEX_RTOL = 1e-7
#: Largest true relative gap we count as "the global optimum" (the
#: certificate proves ``<= 1e-4``; the rest is the convex solve's accuracy).
GAP_TOL = 2e-4
#: Units of the planted networks.
PLANTED = 3

CLAIM = (
    "Theorem 3.1: for k >= d every second-order stationary point of the "
    "weight-decayed loss is global; Theorem 3.2: for k(k+1)/2 > n (k < d) "
    "the same holds with probability 1 for a random PSD perturbation C, and "
    "the perturbed optimum is within ||C||_F ||W*||_F^2 of the unperturbed "
    "one. So in both regimes every fit ends certified and at the convex "
    "optimum. Theorems 4.3/4.4: the generalisation gap is at most "
    "C L ||W||_F^2 times a data term, so weight decay, which shrinks "
    "||W||_F, shrinks the bound and the gap, and a positive weight decay "
    "gives a lower test error than none. (The check also asks the measured "
    "gap to stay below 2 L R_S, the bound of Theorem 4.1 with its constant "
    "set to 2 and its confidence term left out: a property of our runs, "
    "not a statement of the paper.)"
)


def _planted(n_samples, n_features, k0, noise, seed, n_test=2000):
    """Planted data in units of the training ``rms(y)``, inputs in units of
    the training columns' root mean square.

    Returns ``X, y, X_test, y_test, f_test``: noisy labels for training and
    test (one distribution, as the generalisation bounds assume) and the
    noiseless planted function on the test inputs.
    """
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((k0, n_features)) / np.sqrt(n_features)
    X = rng.standard_normal((n_samples + n_test, n_features))
    # Training columns of unit root mean square: the estimator fits (and
    # certifies) its problem on such columns, so that problem is the convex
    # problem of these inputs.
    X /= np.sqrt(np.mean(X[:n_samples] ** 2, axis=0))
    f = ((X @ W.T) ** 2).sum(axis=1)
    y = f + noise * rng.standard_normal(len(f))
    scale = np.sqrt(np.mean(y[:n_samples] ** 2))
    train, test = slice(None, n_samples), slice(n_samples, None)
    return X[train], y[train] / scale, X[test], y[test] / scale, f[test] / scale


def _random_psd(n_features, delta, rng):
    """``delta G G^T / ||G G^T||_F``: a PSD matrix with a density on the cone."""
    G = rng.standard_normal((n_features, n_features))
    C = G @ G.T
    return delta * C / np.linalg.norm(C)


def convex_objective(X, y, lam, C, M):
    """``F(M) = (1/2n) sum_i (x_i^T M x_i - y_i)^2 + <lam/2 I + C, M>``.

    The network's objective at any ``W`` with ``W^T W = M``.
    """
    r = np.einsum("ij,jk,ik->i", X, M, X) - y
    Q = 0.5 * lam * np.eye(X.shape[1]) + (0.0 if C is None else C)
    return 0.5 * r @ r / X.shape[0] + np.vdot(Q, M)


def convex_optimum(X, y, lam, C=None, rtol=CONVEX_RTOL, max_iter=30_000):
    """Minimum of :func:`convex_objective` over PSD ``M``, bracketed.

    Accelerated projected gradient (FISTA with restarts; the projection on
    the PSD cone clips eigenvalues) from ``M = 0``, stopped when the gap
    between the objective and a dual lower bound is below ``rtol`` of it.

    The lower bound is Lagrange duality: writing the loss as
    ``max_u u.r - (n/2)||u||^2`` gives the dual function
    ``g(u) = -u.y - (n/2)||u||^2``, valid when
    ``Q + sum_i u_i x_i x_i^T`` is PSD (``Q = lam/2 I + C``). From the
    residuals ``r`` of the current ``M`` we take ``u = t r / n`` with the
    largest ``t <= 1`` that keeps this matrix PSD (a generalised eigenvalue
    problem); at the optimum ``t = 1`` and the bound is tight.

    Returns
    -------
    upper, lower : float
        ``F(M)`` at the returned ``M`` and the dual bound: ``upper >= min F
        >= lower``.
    M : ndarray of shape (n_features, n_features)
    """
    if lam <= 0:
        raise ValueError(f"convex_optimum needs lam > 0; got {lam}.")
    n, d = X.shape
    Q = 0.5 * lam * np.eye(d) + (0.0 if C is None else C)
    # The gradient of F is Lipschitz with the top eigenvalue of A A^T / n,
    # where (A A^T)_ij = (x_i . x_j)^2.
    step = 1.0 / eigvalsh((X @ X.T) ** 2 / n)[-1]

    def residual(M):
        return np.einsum("ij,jk,ik->i", X, M, X) - y

    def value(M, r):
        return 0.5 * r @ r / n + np.vdot(Q, M)

    def lower_bound(r):
        u = r / n
        mu = eigvalsh((X * u[:, None]).T @ X, Q)[0]
        u = u if mu >= -1.0 else u / -mu
        return -u @ y - 0.5 * n * u @ u

    def project(A):
        w, V = eigh(A)
        return (V * np.maximum(w, 0.0)) @ V.T

    M = Z = np.zeros((d, d))
    theta, previous = 1.0, np.inf
    for it in range(max_iter):
        rz = residual(Z)
        M_new = project(Z - step * ((X * (rz / n)[:, None]).T @ X + Q))
        r = residual(M_new)
        upper = value(M_new, r)
        if it % 20 == 0:
            lower = lower_bound(r)
            if upper - lower <= rtol * abs(upper):
                return upper, lower, M_new
        if upper > previous:  # restart the momentum
            theta, Z, previous = 1.0, M, np.inf
            continue
        theta_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * theta**2))
        Z = M_new + (theta - 1.0) / theta_new * (M_new - M)
        M, theta, previous = M_new, theta_new, upper
    return upper, lower_bound(r), M_new


def _rank(M, rtol=1e-6):
    w = eigvalsh(M)
    return int(np.sum(w > rtol * max(w[-1], 0.0))) if w[-1] > 0 else 0


def _width_rows(n_features, n_samples, widths, n_draws, n_starts, lam, delta, progress):
    X, y = _planted(n_samples, n_features, PLANTED, 0.1, seed=0, n_test=0)[:2]
    rng = np.random.default_rng(1)
    perturbations = [_random_psd(n_features, delta, rng) for _ in range(n_draws)]
    # The convex optima do not depend on the width: one per C, and one
    # without C (for the second half of Theorem 3.2).
    optima = [convex_optimum(X, y, lam, C) for C in perturbations]
    upper0, lower0, M0 = convex_optimum(X, y, lam)
    accuracy = max((u - lo) / u for u, lo, _ in [*optima, (upper0, lower0, M0)])
    bound_2nd = delta * np.trace(M0)  # ||C||_F ||W*||_F^2
    tick(progress, "convex optima")
    rows = []
    for k in widths:
        certified, gaps, excess = [], [], []
        for C, (_, lower, _) in zip(perturbations, optima):
            for start in range(n_starts):
                est = QuadraticNetRegressor(
                    n_hidden=k, alpha=lam, perturbation=C, random_state=start, **_PAPER
                )
                with quiet_convergence():
                    est.fit(X, y)
                M = est.quadratic_form_
                certified.append(est.is_certified_)
                gaps.append((convex_objective(X, y, lam, C, M) - lower) / lower)
                excess.append(convex_objective(X, y, lam, None, M) - lower0)
        rows.append(
            {
                "panel": "width",
                "k": int(k),
                "d": n_features,
                "n": n_samples,
                "k_ge_d": bool(k >= n_features),
                "kk_gt_n": bool(k * (k + 1) // 2 > n_samples),
                "fits": len(certified),
                "certified": float(np.mean(certified)),
                "max_gap": float(np.max(gaps)),
                "min_gap": float(np.min(gaps)),
                "optimum_rank": min(_rank(M) for _, _, M in optima),
                "reference_accuracy": float(accuracy),
                "excess_unperturbed": float(np.max(excess)),
                "delta_Wstar2": float(bound_2nd),
            }
        )
        tick(progress, f"width {k}")
    return rows


def rademacher_complexity(X, radius, n_draws=200, rng=None):
    """Empirical Rademacher complexity of ``{x -> x^T M x : M PSD, tr M <= radius}``.

    The supremum of the linear function ``sum_i sigma_i x_i^T M x_i`` over
    that set is ``radius * max(0, lambda_max(sum_i sigma_i x_i x_i^T))``;
    the expectation over the signs is taken by Monte Carlo. With
    ``radius = ||W||_F^2`` this is the class ``Sigma(M)`` of section 4.
    """
    rng = np.random.default_rng(rng)
    n = X.shape[0]
    tops = [
        max(0.0, eigvalsh((X * rng.choice((-1.0, 1.0), n)[:, None]).T @ X)[-1])
        for _ in range(n_draws)
    ]
    return radius * float(np.mean(tops)) / n


def _decay_rows(n_features, n_samples, decays, n_trials, n_signs, progress):
    rows = []
    for lam in decays:
        cols = {
            key: []
            for key in (
                "train_mse",
                "test_mse",
                "risk",
                "frob2",
                "lipschitz",
                "rademacher_mc",
                "rademacher_bound",
                "bound_43",
                "bound_44",
                "certified",
            )
        }
        for trial in range(n_trials):
            X, y, X_test, y_test, f_test = _planted(
                n_samples, n_features, PLANTED, 0.5, seed=100 + trial
            )
            est = QuadraticNetRegressor(
                n_hidden=n_features, alpha=lam, random_state=trial, **_PAPER
            )
            with quiet_convergence():
                est.fit(X, y)
            res_train = est.predict(X) - y
            pred_test = est.predict(X_test)
            res_test = pred_test - y_test
            frob2 = float(np.sum(est.hidden_weights_**2))
            # ||sum_i ||x_i||^2 x_i x_i^T||_2 (the s of Theorem 5.2) and the
            # largest input norm (the b of Theorem 4.2).
            norms2 = np.sum(X**2, axis=1)
            s = eigvalsh((X * norms2[:, None]).T @ X)[-1]
            b2 = norms2.max()
            # The squared loss is Lipschitz on the residuals it meets with
            # constant 2 max |f - y| (over training and test samples).
            lip = 2.0 * max(np.abs(res_train).max(), np.abs(res_test).max())
            n, d = X.shape
            cols["train_mse"].append(np.mean(res_train**2))
            cols["test_mse"].append(np.mean(res_test**2))
            cols["risk"].append(np.mean((pred_test - f_test) ** 2))
            cols["frob2"].append(frob2)
            cols["lipschitz"].append(lip)
            cols["rademacher_mc"].append(
                rademacher_complexity(X, frob2, n_signs, rng=trial)
            )
            cols["rademacher_bound"].append(frob2 * np.sqrt(2 * s * np.log(d)) / n)
            cols["bound_43"].append(lip * frob2 * b2 * np.sqrt(np.log(d) / n))
            cols["bound_44"].append(lip * frob2 * np.sqrt(d / n))
            cols["certified"].append(est.is_certified_)
        row = {"panel": "decay", "lam": float(lam), "d": n_features, "n": n_samples}
        row.update({key: float(np.mean(v)) for key, v in cols.items()})
        row["gen_gap"] = row["test_mse"] - row["train_mse"]
        # Theorem 4.1 with C = 2 (symmetrisation) and the contraction by L,
        # the confidence term left out: 2 L R_S.
        row["bound_41_mc"] = 2.0 * row["lipschitz"] * row["rademacher_mc"]
        rows.append(row)
        tick(progress, f"weight decay {lam:g}")
    return rows


def run(
    full=False,
    n_features=30,
    n_samples=100,
    widths=None,
    n_draws=None,
    n_starts=None,
    lam=1e-2,
    delta=1e-3,
    decay_features=15,
    decay_samples=60,
    decays=None,
    n_trials=None,
    n_signs=None,
    progress=None,
):
    """Certified fraction and true gap per width; errors and bounds per decay.

    Returns
    -------
    rows : list of dict
        ``panel='width'`` rows: ``k``, ``d``, ``n``, the two theorems'
        conditions ``k_ge_d`` and ``kk_gt_n``, ``fits`` (perturbation draws
        times starts), ``certified`` (fraction), ``max_gap`` and ``min_gap``
        (relative gap of the fits' objective to the convex optimum's dual
        bound), ``optimum_rank`` (of the convex optimum, least over the
        perturbation draws), ``reference_accuracy`` (largest relative
        distance between the convex optima's upper and lower bounds),
        ``excess_unperturbed`` (largest unperturbed objective minus the
        unperturbed optimum) and ``delta_Wstar2`` (Theorem 3.2's bound on
        it). ``panel='decay'`` rows: ``lam``, the mean over trials of the
        training and test MSE, ``gen_gap``, ``frob2`` (``||W||_F^2``),
        ``lipschitz``, ``rademacher_mc``, ``rademacher_bound``, ``bound_43``,
        ``bound_44``, ``bound_41_mc`` and ``certified``.
    """
    if widths is None:
        widths = (1, 2, 3, 4, 6, 8, 10, 12, 13, 14, 16, 20, 25, n_features)
    n_draws = n_draws or (10 if full else 2)
    n_starts = n_starts or (5 if full else 2)
    if decays is None:
        grid = np.logspace(-4, 0.5, 10 if full else 6)
        decays = (0.0, *grid)
    n_trials = n_trials or (10 if full else 3)
    n_signs = n_signs or (400 if full else 100)
    rows = _width_rows(
        n_features, n_samples, widths, n_draws, n_starts, lam, delta, progress
    )
    rows += _decay_rows(
        decay_features, decay_samples, decays, n_trials, n_signs, progress
    )
    return rows


def check(rows):
    fails = []
    for r in (r for r in rows if r["panel"] == "width"):
        covered = r["k_ge_d"] or r["kk_gt_n"]
        if covered and r["certified"] < 1.0:
            fails.append(
                f"width {r['k']} (covered by Theorem "
                f"{'3.1' if r['k_ge_d'] else '3.2'}): only {r['certified']:.0%} "
                "of the fits certified"
            )
        if covered and r["max_gap"] > GAP_TOL:
            fails.append(
                f"width {r['k']}: a fit is {r['max_gap']:.2g} above the convex optimum"
            )
        if r["reference_accuracy"] > 100 * CONVEX_RTOL:
            fails.append(
                f"width {r['k']}: the convex optimum is known only to "
                f"{r['reference_accuracy']:.1e}"
            )
        # No fit may beat the convex optimum (a dual bound): a negative gap
        # means the reference or the objective is wrong.
        if r["min_gap"] < -1e-6:
            fails.append(f"width {r['k']}: a fit is below the convex lower bound")
        if covered and r["excess_unperturbed"] > r["delta_Wstar2"] * 1.01 + 1e-9:
            fails.append(
                f"width {r['k']}: unperturbed excess {r['excess_unperturbed']:.3g} "
                f"above delta ||W*||_F^2 = {r['delta_Wstar2']:.3g}"
            )
        # Below the planted rank no network can represent the optimum, whose
        # rank is at least that (its small extra eigenvalues fit noise, so
        # widths between the two may pass the certificate's 1e-4).
        if r["k"] < PLANTED and (r["certified"] > 0 or r["min_gap"] < 1e-3):
            fails.append(
                f"width {r['k']} below the planted rank {PLANTED} reaches the optimum"
            )
    decay = sorted((r for r in rows if r["panel"] == "decay"), key=lambda r: r["lam"])
    if decay:
        for r in decay:
            if r["rademacher_mc"] > r["rademacher_bound"]:
                fails.append(
                    f"lam {r['lam']:g}: Rademacher complexity above Theorem 5.2's bound"
                )
            if r["gen_gap"] > r["bound_41_mc"]:
                fails.append(
                    f"lam {r['lam']:g}: generalisation gap {r['gen_gap']:.3g} "
                    f"above 2 L R_S = {r['bound_41_mc']:.3g}"
                )
        frob = [r["frob2"] for r in decay]
        if any(b > a * (1 + 1e-3) for a, b in zip(frob, frob[1:])):
            fails.append("||W||_F^2 does not shrink as the weight decay grows")
        zero = [r for r in decay if r["lam"] == 0.0]
        positive = [r for r in decay if r["lam"] > 0]
        if zero and positive:
            best = min(positive, key=lambda r: r["test_mse"])
            if best["test_mse"] >= zero[0]["test_mse"]:
                fails.append("no positive weight decay beats weight decay 0")
            elif best["gen_gap"] >= zero[0]["gen_gap"]:
                fails.append(
                    f"the best weight decay ({best['lam']:.2g}) does not shrink "
                    "the generalisation gap"
                )
    return fails


def _regime_text(rows, select):
    chosen = [r for r in rows if select(r)]
    if not chosen:
        return "not in this run"
    ks = [r["k"] for r in chosen]
    fits = sum(r["fits"] for r in chosen)
    cert = sum(r["certified"] * r["fits"] for r in chosen) / fits
    gap = max(r["max_gap"] for r in chosen)
    return (
        f"k = {min(ks)}..{max(ks)}: {cert:.0%} of {fits} fits certified, "
        f"largest true gap {gap:.1e}"
    )


def _excess_text(width):
    covered = [r for r in width if r["k_ge_d"] or r["kk_gt_n"]]
    if not covered:
        return "not in this run"
    worst = max(r["excess_unperturbed"] for r in covered)
    return f"largest {worst:.2e}, bound {covered[0]['delta_Wstar2']:.2e}"


def paper_table(rows):
    """The theorems' statements beside our measurements."""
    width = [r for r in rows if r["panel"] == "width"]
    decay = sorted((r for r in rows if r["panel"] == "decay"), key=lambda r: r["lam"])
    table = []
    if width:
        d, n = width[0]["d"], width[0]["n"]
        first = [r["k"] for r in width if r["certified"] == 1.0]
        table += [
            {
                "quantity": f"k >= d = {d} (Theorem 3.1)",
                "paper": "every local minimum global, every saddle strict",
                "ours": _regime_text(width, lambda r: r["k_ge_d"]),
            },
            {
                "quantity": f"k(k+1)/2 > n = {n}, k < d, random C (Theorem 3.2)",
                "paper": "the same, with probability 1",
                "ours": _regime_text(width, lambda r: r["kk_gt_n"] and not r["k_ge_d"]),
            },
            {
                "quantity": "neither condition",
                "paper": "no statement",
                "ours": _regime_text(width, lambda r: not (r["kk_gt_n"] or r["k_ge_d"]))
                + (
                    f"; all certified from k = {min(first)}, rank of the convex "
                    f"optimum {width[0]['optimum_rank']}"
                    if first
                    else ""
                ),
            },
            {
                "quantity": "unperturbed excess of the perturbed fit (Thm 3.2)",
                "paper": "<= ||C||_F ||W*||_F^2",
                "ours": _excess_text(width),
            },
        ]
    if decay:
        best = min(decay, key=lambda r: r["test_mse"])
        zero = decay[0]
        table += [
            {
                "quantity": "R_S(Sigma(M)) (Theorem 5.2)",
                "paper": "<= M^2 sqrt(2 s log d) / n",
                "ours": "Monte Carlo / bound = "
                + ", ".join(
                    f"{r['rademacher_mc'] / r['rademacher_bound']:.2f}"
                    for r in decay[:: max(1, len(decay) // 3)]
                ),
            },
            {
                "quantity": f"gap at lam = {best['lam']:.2g} (Thms 4.3, 4.4)",
                "paper": "<= C L M^2 b^2 sqrt(log d / n); <= C L M^2 sqrt(d / n)"
                " (C unknown)",
                "ours": f"gap {best['gen_gap']:.3g}; with C = 1: "
                f"{best['bound_43']:.3g}, {best['bound_44']:.3g}; "
                f"2 L R_S = {best['bound_41_mc']:.3g}",
            },
            {
                "quantity": "weight decay helps generalisation (section 4)",
                "paper": "qualitative, no experiment",
                "ours": f"test MSE {zero['test_mse']:.3g} at lam = {zero['lam']:g}, "
                f"{best['test_mse']:.3g} at lam = {best['lam']:.2g}; gap "
                f"{zero['gen_gap']:.3g} -> {best['gen_gap']:.3g}",
            },
        ]
    return table


def plot(rows, path):
    fig, axes = figure(3)
    width = [r for r in rows if r["panel"] == "width"]
    ks = [r["k"] for r in width]
    ax = axes[0]
    ax.plot(ks, [r["certified"] for r in width], "o-", label="certified fraction")
    ax.set_xlabel("width k")
    ax.set_ylabel("fraction of fits certified global")
    ax.set_ylim(-0.05, 1.05)
    if width:
        d, n = width[0]["d"], width[0]["n"]
        k32 = min((r["k"] for r in width if r["kk_gt_n"]), default=None)
        if k32 is not None:
            ax.axvline(k32, color="tab:orange", ls="--", label="k(k+1)/2 > n (Thm 3.2)")
        ax.axvline(d, color="tab:red", ls=":", label="k = d (Thm 3.1)")
        ax.set_title(f"d = {d}, n = {n}, perturbation on")
    ax.legend(loc="lower right", fontsize=8)

    ax = axes[1]
    gaps = [max(r["max_gap"], 1e-12) for r in width]
    ax.semilogy(ks, gaps, "s-", color="tab:purple")
    ax.axhline(1e-4, color="k", ls=":", label="certificate level 1e-4")
    ax.axhline(
        CONVEX_RTOL, color="0.5", ls="--", label="accuracy of the convex optimum"
    )
    ax.set_xlabel("width k")
    ax.set_ylabel("largest (L(W) - min F) / min F")
    ax.set_title("true gap to the convex optimum")
    ax.legend(loc="upper right", fontsize=8)

    ax = axes[2]
    decay = sorted((r for r in rows if r["panel"] == "decay"), key=lambda r: r["lam"])
    positive = [r for r in decay if r["lam"] > 0]
    lam = [r["lam"] for r in positive]
    ax.loglog(lam, [r["test_mse"] for r in positive], "o-", label="test MSE")
    ax.loglog(
        lam, [max(r["gen_gap"], 1e-6) for r in positive], "^-", label="test - train"
    )
    ax.loglog(lam, [r["bound_41_mc"] for r in positive], "--", label="2 L R_S")
    ax.loglog(lam, [r["bound_44"] for r in positive], ":", label="L M^2 sqrt(d/n)")
    for r in decay:
        if r["lam"] == 0 and lam:
            ax.axhline(
                r["test_mse"],
                color="tab:blue",
                lw=0.8,
                ls="-.",
                label="test MSE at lam = 0",
            )
    ax.set_xlabel("weight decay lam (standardised y)")
    ax.set_ylabel("squared error / bound")
    if decay:
        ax.set_title(f"d = {decay[0]['d']}, n = {decay[0]['n']}, k = d")
    ax.legend(loc="best", fontsize=7)
    return save(fig, path)


DU_LEE = Experiment(
    name="du-lee",
    paper="Du & Lee 2018, Theorems 3.1, 3.2, 4.3, 4.4",
    claim=CLAIM,
    run=run,
    check=check,
    plot=plot,
    tiny=dict(
        n_features=6,
        n_samples=12,
        widths=(1, 5, 6),
        n_draws=1,
        n_starts=2,
        decay_features=8,
        decay_samples=24,
        decays=(0.0, 0.01),
        n_trials=1,
        n_signs=20,
    ),
    paper_table=paper_table,
)

ENTRIES = (DU_LEE,)
