"""
=====================================================
Cross-validation along a path: the chosen ``tau``
=====================================================

:class:`~sklearn_shallow.ProjectedShallowRegressorCV` chooses the radius
``tau`` of an l1 ball the way scikit-learn's ``LassoCV`` chooses the lasso's
penalty: a grid from the data (radii up to the l1 norm of the same network
fitted without the constraint), one warm-started path per fold, the radius
with the best mean held-out score, and a refit on all the data.

The data come from Oymak's planted sparse network, so the choice can be
checked against the planted weights' l1 norm.
"""

# %%
# The fit
# -------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_shallow import ProjectedShallowRegressorCV
from sklearn_shallow.datasets import make_sparse_network, oymak_init, sample_network
from sklearn_shallow.metrics import normalized_mse

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y, truth = make_sparse_network(1000, random_state=0)
X_test, y_test = sample_network(truth, 1000, random_state=1)
cv = ProjectedShallowRegressorCV(
    constraint="l1",
    output_weights="ones",
    fit_intercept=False,
    init=oymak_init(truth, "good", random_state=0),
    random_state=0,
).fit(X, y)
print(f"planted l1 norm {truth.l1_norm:.1f}, chosen tau {cv.tau_:.1f}")
print(f"test NMSE at the chosen tau: {normalized_mse(y_test, cv.predict(X_test)):.2e}")

# %%
# The score path
# --------------
# One curve per fold (held-out R^2 against the radius), their mean, the
# chosen radius and the planted norm.
fig, ax = plt.subplots(figsize=(6, 4))
for fold in cv.score_path_.T:
    ax.plot(cv.taus_, fold, color="0.7", lw=1)
ax.plot(cv.taus_, cv.score_path_.mean(axis=1), color="k", lw=2, label="mean of 5 folds")
ax.axvline(cv.tau_, color="C0", ls="--", label=f"chosen tau = {cv.tau_:.0f}")
ax.axvline(
    truth.l1_norm, color="C3", ls=":", label=f"planted norm = {truth.l1_norm:.0f}"
)
ax.set_xscale("log")
ax.set_xlabel("tau (radius of the l1 ball)")
ax.set_ylabel("held-out R^2")
ax.set_ylim(max(np.min(cv.score_path_), -0.2), 1.02)
ax.legend()
fig.tight_layout()
plt.show()
