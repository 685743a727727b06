"""
=============================================
Fitting a stream of data with ``partial_fit``
=============================================

When the data arrive in chunks (or do not fit in memory at once),
``partial_fit`` runs one pass of mini-batch steps over each chunk and keeps
everything the descent needs for the next one: the weights, the step size,
and for RVSM the sparse copy ``u``. The units of ``y`` are fixed by the
first chunk. Here a planted network is streamed in chunks of 500 samples,
six chunks per pass, and the test error is compared with one full-batch fit
on all the data.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from sklearn_shallow import ProjectedShallowRegressor

rng = np.random.default_rng(0)
W = rng.standard_normal((5, 10)) / np.sqrt(10)
o = rng.standard_normal(5)


def sample(n):
    X = rng.standard_normal((n, 10))
    return X, np.maximum(X @ W.T, 0) @ o + 0.05 * rng.standard_normal(n)


X, y = sample(3000)
X_test, y_test = sample(1000)
full = ProjectedShallowRegressor(random_state=0).fit(X, y)
full_mse = np.mean((full.predict(X_test) - y_test) ** 2)

# %%
# The stream: one backtracked step per chunk (``batch_size`` = the chunk).
stream = ProjectedShallowRegressor(batch_size=500, random_state=0)
errors = []
for _ in range(60):
    for start in range(0, len(X), 500):
        stream.partial_fit(X[start : start + 500], y[start : start + 500])
    errors.append(np.mean((stream.predict(X_test) - y_test) ** 2))
print(f"full batch: {full_mse:.4f}; stream after 60 passes: {errors[-1]:.4f}")

fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(np.arange(1, 61), errors, label="partial_fit, chunks of 500")
ax.axhline(full_mse, color="k", ls="--", label="one full-batch fit")
ax.set_yscale("log")
ax.set_xlabel("passes over the stream")
ax.set_ylabel("test MSE")
ax.legend()
fig.tight_layout()
plt.show()
