"""
=====================================
The thresholding operators of RVSM
=====================================

Every RVSM step ends with ``u = prox(w)``: each weight is replaced by the
minimiser of ``(x - w)^2 / 2 + t P(x)``, where ``P`` is the penalty and
``t = lam / beta``. The three penalties of
:class:`~sklearn_shallow.RVSMRegressor` give three rules,
implemented in :mod:`sklearn_shallow.thresholds`:

* l1, ``P(x) = |x|``: soft thresholding. Weights below ``t`` in magnitude
  become zero and all others move ``t`` towards zero.
* l0, ``P(x) = [x != 0]``: hard thresholding. Weights below ``sqrt(2 t)``
  become zero and the others are kept as they are.
* transformed l1, ``P(x) = (a + 1) |x| / (a + |x|)``: between the two. For
  small ``a`` the penalty is nearly the indicator of ``x != 0`` and the rule
  nearly hard thresholding; for large ``a`` it is nearly ``|x|`` and the rule
  nearly soft thresholding.

The figure draws each rule as a function of ``w`` for one threshold
parameter, and the penalties themselves.
"""

# %%
# The operators
# -------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_shallow.thresholds import (
    hard_threshold,
    soft_threshold,
    tl1_threshold,
    tl1_threshold_level,
)

t = 0.5
w = np.linspace(-3, 3, 1201)
shapes = (0.1, 0.5, 1.0, 3.0, 20.0)

# %%
# Where each rule starts to keep a weight: ``t`` for l1, ``sqrt(2 t)`` for
# l0, and for transformed l1 a level that depends on ``a``
# (:func:`~sklearn_shallow.thresholds.tl1_threshold_level`). Between ``t``
# and ``sqrt(2 t)`` the transformed-l1 rule jumps from zero for small ``a``,
# like l0, and rises continuously for large ``a``, like l1.
print(f"l1 keeps |w| > {t:.3f}, l0 keeps |w| > {np.sqrt(2 * t):.3f}")
for a in shapes:
    print(f"transformed l1, a = {a:>4}: keeps |w| > {tl1_threshold_level(t, a):.3f}")

# %%
# Thresholding rules and penalties
# --------------------------------
fig, (ax_prox, ax_pen) = plt.subplots(1, 2, figsize=(11, 4.5))
ax_prox.plot(w, w, color="0.85", lw=1, label="identity")
ax_prox.plot(w, soft_threshold(w, t), "k-", lw=2.5, label="l1 (soft)")
ax_prox.plot(w, hard_threshold(w, t), "k--", lw=2.5, label="l0 (hard)")
colors = plt.cm.viridis(np.linspace(0.1, 0.9, len(shapes)))
for a, color in zip(shapes, colors):
    ax_prox.plot(w, tl1_threshold(w, t, a), color=color, label=f"TL1, a = {a}")
ax_prox.set_xlabel("w")
ax_prox.set_ylabel("prox(w)")
ax_prox.set_title(f"thresholding at t = {t}")
ax_prox.legend(fontsize=8)

x = np.linspace(-3, 3, 601)
ax_pen.plot(x, np.abs(x), "k-", lw=2.5, label="|x|")
ax_pen.plot(x, (x != 0).astype(float), "k--", lw=2.5, label="[x != 0]")
for a, color in zip(shapes, colors):
    ax_pen.plot(x, (a + 1) * np.abs(x) / (a + np.abs(x)), color=color, label=f"a = {a}")
ax_pen.set_ylim(0, 3)
ax_pen.set_xlabel("x")
ax_pen.set_ylabel("P(x)")
ax_pen.set_title("penalties")
ax_pen.legend(fontsize=8)
fig.tight_layout()

# %%
# The operators keep the dtype and shape of their input, so they apply to a
# whole weight matrix at once, as RVSM does.
W = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
print(tl1_threshold(W, t, a=1.0))

plt.show()
