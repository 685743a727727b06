"""The large-data policy of ``batch_size='auto'``: a continuation over
growing random subsamples that ends on all rows.

A full-batch fit spends most of its iterations finding the basin of a good
network and a few refining it; the first part needs far fewer rows than
the data hold. From :data:`STAGED_FROM` rows on, ``'auto'`` fits the same
objective on a random subsample of :func:`subsample_sizes` rows, hands the
end point (and the loop state) to a subsample :data:`GROWTH` times larger,
and so on, and ends with the full-batch fit on every row, stopped by the
shared stopping rule (see :func:`~._fit.run._descend_by_subsample`).
"""

#: Rows from which ``batch_size='auto'`` runs subsample stages.
STAGED_FROM = 50_000

#: Rows of the first stage, at least, and per parameter of the network.
FIRST_ROWS = 10_000
ROWS_PER_PARAM = 5

#: Ratio of the rows of consecutive stages.
GROWTH = 4


def subsample_sizes(n_rows, n_params):
    """Row counts of the stages before the fit on all ``n_rows``, smallest
    first; empty below :data:`STAGED_FROM` rows or when the first stage
    would not be :data:`GROWTH` times smaller than the data."""
    if n_rows < STAGED_FROM:
        return ()
    first = int(max(FIRST_ROWS, ROWS_PER_PARAM * n_params))
    sizes = []
    size = first
    while size * GROWTH <= n_rows:
        sizes.append(size)
        size *= GROWTH
    return tuple(sizes)
