"""The one fit function: a specification and data in, a result out.

:func:`fit_network` maps the start into the fit's internal units, checks it,
splits off the validation data, builds the objective, runs the optional
warm-up and the descent (:func:`~sklearn_shallow.solvers.descend`), solves
the exact output layer for the predicting weights, maps the result back and
checks for a constant predictor. It reads nothing from an estimator and
writes nothing to one.
"""

import math

import numpy as np
from scipy import sparse

from .. import _array_api as aa
from .._loss import SquaredLoss
from .._network import Objective, ShallowModel
from .._threads import blas_threads
from ..architectures import Dense
from ..solvers import (
    ADMMUpdate,
    DescentResult,
    RVSMUpdate,
    UpdateRule,
    descend,
    rows_that_can_vary,
)
from .spec import FitData, FitResult
from .starts import _check_start


def _keep_on_failure(estimator, method, *args, **kwargs):
    """Run ``method``; when it fails, leave ``estimator`` as it was.

    A fit that fails keeps the previous model whole, or the estimator
    unfitted (NotFittedError, not a half-set AttributeError).
    """
    state = estimator.__dict__.copy()
    try:
        return method(*args, **kwargs)
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(state)
        raise


#: A fit whose outputs vary by less than this fraction of the targets' range
#: on the training samples counts as a constant predictor.
CONSTANT_OUTPUT = 1e-6


def _constant_fit(model, params, X, y, sample_weight, units):
    """``(reason, constant)`` when the fitted network predicts one value.

    That happens when every hidden unit is constant on the training samples
    of positive weight (dead ReLUs, saturated sigmoids) or when the units
    that vary all have output weight zero, or when the outputs vary by less
    than :data:`CONSTANT_OUTPUT` of the targets' range (a tensor start on
    tiny inputs, a huge weight decay). It is the right answer only when
    y is constant, and then this is None, as for a healthy fit.

    ``model``, ``params``, ``X`` and ``y`` are the fit's, in its internal
    units; the constant is reported in the user's (``units``).
    """
    counted = rows_that_can_vary(X, y, sample_weight)
    if counted is None:
        return None
    X, y = counted
    hidden, output, _ = model.split(params)
    Z = np.empty((X.shape[0], model.n_hidden), dtype=hidden.dtype)
    model.architecture.preact(model.architecture.prepare(X), hidden, out=Z)
    A = model.activation.value(Z, out=Z)
    # Constant up to rounding, relative to the unit's own size.
    varies = np.ptp(A, axis=0) > 16 * np.finfo(A.dtype).eps * np.max(np.abs(A), axis=0)
    used = np.asarray(output) != 0
    if used.ndim > 1:
        used = used.any(axis=1)
    if np.any(varies & used):
        # Units that vary can still add up to a near constant (weights
        # shrunk to nothing, inputs far below the units' scale): the
        # outputs' spread against the targets' tells.
        # (The intercept does not move the spread: A @ o is the decision up
        # to it, from the activations already at hand.)
        pred = A @ np.asarray(output, dtype=A.dtype)
        spread = np.ptp(pred, axis=0) / np.maximum(np.ptp(y, axis=0), 1e-300)
        if np.max(spread) > CONSTANT_OUTPUT:
            return None
        reason = (
            f"its outputs vary by {np.max(spread):.2g} of the targets' range "
            "on the training samples"
        )
        return reason, _user_value(model, params, X, units)
    if not np.any(varies):
        reason = "every hidden unit is constant on the training samples (dead)"
    else:
        reason = "every hidden unit that varies has output weight zero"
    return reason, _user_value(model, params, X, units)


def _user_value(model, params, X, units):
    """The prediction at the first sample, in the user's units (the first
    output stands for all of them in the message)."""
    internal = float(np.ravel(aa.to_numpy(model.decision(params, X[:1, ...])))[0])
    scale = float(np.ravel(units.y_scale)[0])
    shift = float(np.ravel(units.y_shift)[0])
    return internal * scale + shift


def internal_model(model, units):
    """The fit's model in internal units (see :class:`~._fit.units._Units`)."""
    return ShallowModel(
        model.activation,
        model.architecture,
        model.n_features,
        model.n_hidden,
        model.fixed_output,
        model.fit_intercept,
        column_scale=units.column_scale,
        n_outputs=model.n_outputs,
    )


def _user_callback(spec):
    """The user's callback, seeing parameters in the user's units."""
    if spec.callback is None:
        return None
    units, names = spec.units, spec.model.names

    def callback(info):
        arrays = [info["params"][name] for name in names]
        info = dict(info, params=dict(zip(names, units.params_out(arrays, names))))
        return spec.callback(info)

    return callback


def _callback(spec, objective):
    """The loop's callback: the spec's stopping rule (internal units) and
    the user's callback (user units); either may end the loop."""
    user = _user_callback(spec)
    if spec.monitor is None:
        return None, user
    rule = spec.monitor(objective)

    def callback(info):
        stop = bool(rule(info))
        return bool(user(info)) or stop if user is not None else stop

    return rule, callback


def _start_info(spec, params):
    return {
        "iteration": 0,
        "loss": None,
        "step_size": None,
        "validation_score": None,
        "params": dict(zip(spec.model.names, params)),
    }


def _accepted_start(params):
    """A result of no iterations at a start the stopping rule accepts."""
    return DescentResult(
        params=[aa.copy(p) for p in params],
        raw_params=[aa.copy(p) for p in params],
        n_iter=0,
        loss_curve=[],
        validation_scores=[],
        best_validation_score=None,
        converged=True,
        step_size=float("nan"),
        message="the start satisfies the stopping rule",
    )


def _validation(spec, internal, X, y_int, sample_weight, rng):
    """Training rows and the validation scorer of early stopping (or None)."""
    if spec.validation_fraction is None:
        return X, y_int, sample_weight, None
    idx_train, idx_val = spec.split(y_int, spec.validation_fraction, rng)
    if len(idx_val) < 2:
        raise ValueError(
            f"early_stopping needs at least 2 validation samples; "
            f"validation_fraction={spec.validation_fraction} of "
            f"{X.shape[0]} samples gives {len(idx_val)}."
        )
    X_val, y_val = X[idx_val], y_int[idx_val]
    sw_val = None if sample_weight is None else sample_weight[idx_val]
    sw_fit = None if sample_weight is None else sample_weight[idx_train]

    def validate(objective, p):
        # Score the model fit() returns: with the exact output layer, o and b
        # solved for the predicting hidden weights (RVSM's u), on the
        # training data. R^2 and accuracy are the same in internal and user
        # units.
        if objective.exact:
            p = [a.copy() for a in p]
            objective.value(p, objective.batches()[0])
        return spec.score(y_val, internal.decision(p, X_val), sw_val)

    return X[idx_train], y_int[idx_train], sw_fit, validate


def _descend(
    spec,
    objective,
    params,
    update,
    rng,
    validate,
    state,
    callback,
    max_iter=None,
    continues=False,
    tol=None,
):
    """One descent with the spec's settings; ``continues``: the next stage of
    the same fit from the point ``state`` ended at (it keeps the step)."""
    if continues:
        state = dict(state, continues=True)
    return descend(
        objective,
        params,
        update,
        solver=spec.solver,
        step_size=spec.step_size,
        max_iter=spec.max_iter if max_iter is None else max_iter,
        tol=spec.tol if tol is None else tol,
        n_iter_no_change=spec.n_iter_no_change,
        rng=rng,
        validate=validate,
        callback=callback,
        verbose=spec.verbose,
        names=spec.model.names,
        state=state,
        max_iter_shown=spec.max_iter,
    )


def _set_penalty(objective, alpha, alpha_output):
    objective.alpha, objective.alpha_output = alpha, alpha_output
    objective.reset_ridge()


def _warm_up(spec, objective, params, rng, state=None, used=0):
    """Run the spec's warm-up; ``(params, result)``, or ``(params, None)``.
    ``state``: the loop state of the subsample stages it continues, which
    took ``used`` of its iterations."""
    if spec.warm_up is None:
        return params, None
    warm_up = spec.warm_up
    alphas = objective.alpha, objective.alpha_output
    _set_penalty(objective, warm_up.alpha, warm_up.alpha_output)
    try:
        warm = _descend(
            spec,
            objective,
            params,
            warm_up.update,
            rng,
            None,
            state,
            None,
            max_iter=spec.max_iter - used,
        )
    finally:
        _set_penalty(objective, *alphas)
    return warm_up.finish([aa.copy(p) for p in warm.raw_params]), warm


#: The message of a descent the user's callback stopped.
CALLBACK_STOP = "the callback asked to stop"

#: Projected iterations in a row that keep the same input columns before a
#: column-sparse fit moves to those columns alone.
SETTLED = 10


def _support_stages(spec, objective, validate):
    """Whether the fit runs the stages of :func:`_descend_by_support`."""
    return not (
        spec.support is None
        or validate is not None
        or spec.monitor is not None
        or objective.regularisers
        or len(objective.batches()) != 1
    )


def _descend_by_support(spec, objective, params, rng, state, callback):
    """A column-sparse fit with a descent on its support; ``(stages, result)``.

    A set that keeps at most ``k`` input columns (``l0_features``) settles
    on its columns in a few projected steps, then spends hundreds of
    iterations on them: there the constraint is inactive and the problem is
    the smooth fit of a network on ``X[:, columns]``, whose products cost
    the nonzeros of those columns instead of all of X (on tf-idf inputs a
    seventh to a third of them). So the fit

    0. from a dense start, passes through the larger budgets of
       ``spec.narrowing`` (largest first): projected steps under each until
       the columns in use have not changed for :data:`SETTLED` iterations,
       then the projection onto the next;
    1. takes projected steps on every input until the stopping rule holds
       (the fit ends there) or the columns in use have not changed for
       :data:`SETTLED` iterations;
    2. descends on those columns alone (no projection: the set holds), with
       the same solver, tolerance and loop state, and puts the weights back,
       zero on the other columns;
    3. goes on with projected steps on every input until the stopping rule
       holds: a column outside the support enters when its gradient is
       large enough;
    4. with ``spec.exchange``, swaps one group of columns for another while
       a swap fits better (:func:`_exchange`).

    The end point satisfies the same stopping rule as a plain projected
    descent: the stages change only the way there. They share ``max_iter``;
    the user's callback sees every iteration, with the full-size weights,
    and stops the fit.
    """
    budget = spec.max_iter
    asked = _user_callback(spec)
    stopped = False
    stages = []

    def user(info):
        nonlocal stopped
        stopped = stopped or (asked is not None and bool(asked(info)))
        return stopped

    def settle(update, params, state):
        """Projected steps until the columns in use settle (or it stops)."""
        last, same = None, 0

        def settled(info):
            nonlocal last, same
            columns = spec.support(info["params"]["hidden"])
            same = same + 1 if np.array_equal(columns, last) else 0
            last = columns
            return user(info) or same >= SETTLED

        result = _descend(
            spec, objective, params, update, rng, None, state, settled, budget
        )
        return result, last, same >= SETTLED

    rules = list(spec.narrowing) + [spec.update]
    for update, following in zip(rules[:-1], rules[1:]):
        result, _, _ = settle(update, params, state)
        budget -= result.n_iter
        if stopped or budget <= 0:
            # Stopped on a larger budget: the fitted network keeps the
            # user's (the projection onto the set; not converged).
            kept = [spec.update.project(result.raw_params[0])]
            result.params = result.raw_params = kept + result.raw_params[1:]
            return stages, result
        stages.append(result)
        params, state = [p.copy() for p in result.raw_params], result.state
        # The next, smaller set starts inside itself.
        params[0] = following.project(params[0])
    first, columns, settled = settle(spec.update, params, state)
    budget -= first.n_iter
    if stopped or budget <= 0:
        return stages, first
    result = first  # the stopping rule held before the columns settled
    if settled:
        stages.append(first)
        start = first
        if 0 < columns.size < first.raw_params[0].shape[1]:
            second = _descend_on_columns(
                spec,
                objective,
                first.raw_params,
                first.state,
                columns,
                rng,
                user if asked is not None else None,
                budget,
            )
            budget -= second.n_iter
            if stopped or budget <= 0:
                # Stopped or out of iterations: the support's end point.
                return stages, second
            stages.append(second)
            start = second
        # Else no column to drop (a budget of every input, a path's last
        # point) or none left (every unit dead): no smaller problem, and no
        # copy of X; the projected descent goes on.
        result = _descend(
            spec,
            objective,
            start.raw_params,
            spec.update,
            rng,
            None,
            start.state,
            callback,
            budget,
            continues=True,
        )
        budget -= result.n_iter
    if stopped or budget <= 0 or not result.converged or spec.exchange is None:
        return stages, result
    more, result = _exchange(
        spec,
        objective,
        result,
        rng,
        user if asked is not None else None,
        callback,
        budget,
        lambda: stopped,
        allowance=sum(stage.n_iter for stage in stages) + result.n_iter,
    )
    return stages + more, result


def _descend_on_columns(
    spec, objective, start, state, columns, rng, user, budget, continues=True
):
    """The descent on ``X[:, columns]`` alone from ``start`` (parameters
    whose hidden weights are zero off ``columns``) and the loop ``state``,
    without projections (the set holds); the result's weights are
    full-size again, and ``user`` (the user's callback) sees them so.
    ``continues``: from the point ``state`` ended at (see :func:`_descend`);
    else from another point, with the step search's own start."""
    hidden = start[0]

    def embed(sub_params):
        out = np.zeros_like(hidden)
        out[:, columns] = sub_params[0]
        return [out] + [np.array(p, copy=True) for p in sub_params[1:]]

    def on_support(info):
        arrays = embed([info["params"][name] for name in spec.model.names])
        return user(dict(info, params=dict(zip(spec.model.names, arrays))))

    params = [hidden[:, columns].copy()] + [p.copy() for p in start[1:]]
    result = _descend(
        spec,
        objective.on_columns(columns),
        params,
        UpdateRule(project=None),
        rng,
        None,
        state,
        None if user is None else on_support,
        budget,
        continues=continues,
    )
    result.params = result.raw_params = embed(result.raw_params)
    return result


#: Swaps tried per round of :func:`_exchange`, those estimated best.
EXCHANGE_TRIALS = 3

#: Kept groups per round whose swaps :func:`_swaps` estimates with a
#: gradient on every input (one pass over X each): those whose removal
#: raises the loss least.
EXCHANGE_CANDIDATES = 10


def _loss_at(objective, params, gradient=None):
    """The objective's value at a copy of ``params`` (the exact output
    layer solves in place) on its one batch; with ``gradient`` (buffers),
    its gradient there too."""
    params = [p.copy() for p in params]
    batch = objective.batches()[0]
    value = objective.value(params, batch)
    if gradient is not None:
        objective.gradient(params, batch, gradient)
    return value


def _swaps(spec, objective, result):
    """Candidate swaps at ``result``, best estimate first, or None.

    Returns ``(swaps, kept)``: ``kept`` the column indices of the groups in
    use, ``swaps`` a list of ``(i, columns)``, ``i`` the leaving group's
    index in ``kept`` and ``columns`` the input columns in use after the
    swap.
    """
    params = result.raw_params
    groups = spec.exchange(params[0])
    if groups is None:
        return None
    labels, used = groups
    kept = [np.flatnonzero(labels == g) for g in np.flatnonzero(used)]
    support = np.flatnonzero(used[labels])
    # The loss without each kept group (the output layer solved again), on
    # the kept columns alone.
    sub = objective.on_columns(support)
    hidden = params[0][:, support]
    removal = []
    for group in kept:
        without = [hidden.copy()] + list(params[1:])
        without[0][:, np.searchsorted(support, group)] = 0
        removal.append(_loss_at(sub, without))
    # For the groups whose removal costs least, the outside group with the
    # largest gradient there is the one whose entry lowers the loss most to
    # first order: by about mu/2 ||g||^2 in one step of size mu (the
    # largest accepted: a converged fit's last step may have collapsed).
    mu = max(result.state.get("mu") or 0.0, result.state.get("mu_max") or 0.0)
    gradient = [np.empty_like(p) for p in params]
    estimates = []
    for i in np.argsort(removal, kind="stable")[:EXCHANGE_CANDIDATES]:
        without = [params[0].copy()] + list(params[1:])
        without[0][:, kept[i]] = 0
        _loss_at(objective, without, gradient)
        squares = np.einsum("ij,ij->j", gradient[0], gradient[0])
        pull = np.bincount(labels, weights=squares, minlength=len(used))
        pull[used] = -1.0  # ties go to the lower group, as the projection's
        j = int(np.argmax(pull))
        estimates.append((removal[i] - 0.5 * mu * pull[j], i, j))
    estimates.sort(key=lambda e: e[0])
    swaps = [
        (
            i,
            np.flatnonzero(
                (used[labels] & (labels != labels[kept[i][0]])) | (labels == j)
            ),
        )
        for _, i, j in estimates
    ]
    return swaps, kept


def _exchange(spec, objective, result, rng, user, callback, budget, stopped, allowance):
    """Swaps of one group of input columns for another, while one fits better.

    ``result`` is a converged fit that uses its whole budget of groups. Its
    choice of groups is a fixed point of the projected steps, not the best
    choice: from a dense start the budget keeps the inputs that each
    explain most on their own, and an input that explains more together
    with the others may never outgrow them (penguins' body mass: flipper
    length and species, where species and sex fit better). So, as in the
    swap steps of best-subset local search (Beck and Eldar 2013; Hazimeh
    and Mazumder 2020), each round estimates, for each kept group, the loss
    without it plus the first-order gain of the outside group with the
    largest gradient there (for the :data:`EXCHANGE_CANDIDATES` kept groups
    whose removal costs least), and tries the :data:`EXCHANGE_TRIALS` best
    estimated swaps: a descent on the swapped columns alone from the fitted
    weights (the new group from zero). The first trial that ends converged
    at a lower objective is taken, and projected steps on every input
    confirm it under the usual stopping rule; the next round starts there.
    The rounds end when no trial fits better, so the end point satisfies
    the stopping rule of the plain projected descent and fits at least as
    well as ``result``. A trial that is not taken costs iterations (they
    count in ``n_iter_`` and ``max_iter``; the history lists them before
    the returned point's stage) and nothing else. No round starts once the
    swaps have taken as many iterations (trials, confirmations, and one per
    gradient of the estimates) as ``allowance``, the iterations of the
    stages before them (the dense start not counted): they add about
    that much work at most. Without that limit, on tf-idf inputs with a budget of 200 of
    6090 inputs, each of 25 rounds lowered the objective, by 9% in all, at
    three times the cost of the fit. ``(stages, result)``.
    """
    stages = []
    while True:
        f0 = _loss_at(objective, result.raw_params)
        swaps = None
        if f0 > 0 and allowance > 0:
            swaps = _swaps(spec, objective, result)
        if swaps is None:
            # Nothing to swap, a zero loss that no swap can better, or the
            # swaps' share of the work spent.
            return stages, result
        swaps, kept = swaps
        allowance -= min(EXCHANGE_CANDIDATES, len(kept))  # gradient passes
        taken, trials = None, []
        for i, columns in swaps[:EXCHANGE_TRIALS]:
            start = [p.copy() for p in result.raw_params]
            start[0][:, kept[i]] = 0
            # Not the converged fit's step: it may have collapsed there.
            trial = _descend_on_columns(
                spec,
                objective,
                start,
                result.state,
                columns,
                rng,
                user,
                budget,
                continues=False,
            )
            budget -= trial.n_iter
            allowance -= trial.n_iter
            trials.append(trial)
            if stopped() or budget <= 0:
                # Stopped or out of iterations in a trial: the converged
                # point stays.
                return stages + trials, result
            if trial.converged and _loss_at(objective, trial.raw_params) < f0:
                taken = trial
                break
        if taken is None:
            return stages + trials, result
        confirmed = _descend(
            spec,
            objective,
            taken.raw_params,
            spec.update,
            rng,
            None,
            taken.state,
            callback,
            budget,
            continues=True,
        )
        budget -= confirmed.n_iter
        allowance -= confirmed.n_iter
        stages += [result] + trials
        result = confirmed
        if stopped() or budget <= 0 or not confirmed.converged:
            return stages, result


def _subsample_stages(spec):
    """Whether the fit first descends on growing subsamples of its rows."""
    return bool(spec.subsamples) and spec.monitor is None and spec.resume is None


def _descend_by_subsample(spec, build, data, params, rng):
    """Descents on nested random subsamples of the rows; ``(params, stages)``.

    Stage ``k`` fits the same objective (the mean loss plus the penalty of
    the whole fit) on the first ``spec.subsamples[k]`` rows of one random
    permutation, from where stage ``k - 1`` ended, with the loop state it
    left: the step size, and the first objective value and gradient-mapping
    norm of the first stage, which the stopping rule of every later stage
    (the fit on all rows included) measures stationarity against, so that
    no stage is asked to shrink an already small gradient by another factor
    ``tol``. A stage on ``m`` of ``n`` rows stops at the tolerance
    ``tol * sqrt(n / m)``: its end point is off the optimum on all rows by
    the sampling error of ``m`` rows, which shrinks as ``1 / sqrt(m)``, and
    a tighter fit of the subsample is work the next stage undoes. The
    stages run the warm-up's update and penalty when the spec has one (the
    warm-up then continues on all rows). Each stage copies its rows (at
    most a fraction of X; in X's namespace and on its device for an
    array-API input); only one stage's objective is alive at a time.
    The stages together use at most half of ``max_iter``.
    """
    X, y, sw = data
    order = rng.permutation(X.shape[0])
    update = spec.update if spec.warm_up is None else spec.warm_up.update
    user = _user_callback(spec)
    stages, state = [], None
    budget = spec.max_iter // 2
    for n_rows in spec.subsamples:
        if budget < 1:
            break
        rows = np.sort(order[:n_rows])
        objective = build(
            *(None if a is None else aa.take_rows(a, rows) for a in (X, y, sw)), None
        )
        if spec.warm_up is not None:
            _set_penalty(objective, spec.warm_up.alpha, spec.warm_up.alpha_output)
        # The thread policy of the stage's own products: those of a small
        # stage ran on two threads of a busy 2-core machine at a fraction
        # of the speed of one.
        size = n_rows / X.shape[0] * spec.model.n_hidden
        size *= X.nnz if sparse.issparse(X) else X.shape[0] * X.shape[1]
        with blas_threads(size):
            result = _descend(
                spec,
                objective,
                params,
                update,
                rng,
                None,
                state,
                user,
                max_iter=budget,
                continues=state is not None,
                tol=spec.tol * math.sqrt(X.shape[0] / n_rows),
            )
        del objective
        result.n_rows = n_rows
        stages.append(result)
        if result.converged and result.message == CALLBACK_STOP:
            break
        budget -= result.n_iter
        params = [aa.copy(p) for p in result.raw_params]
        state = result.state
    return params, stages


def fit_network(spec, data, rng):
    """Fit the network a :class:`~.spec.FitSpec` describes to ``data``.

    Returns a :class:`~.spec.FitResult` whose parameters are in the user's
    units. Raises what the loop raises (divergence, a failed step search,
    an interrupt); never warns (the front end reports).
    """
    units, names = spec.units, spec.model.names
    internal = internal_model(spec.model, units)
    params = units.params_in(spec.start, names)
    if spec.start_map is not None:
        params = spec.start_map(params)
    y_int = units.y_in(data.y)
    sample_weight = data.sample_weight
    if aa.namespace_of(data.X) is not None:
        if on_device(spec, data.X):
            # The start, the targets and the weights were made on the host
            # (as the numpy path makes them); they move once, and the loop
            # runs on X's device.
            internal, params, y_int, sample_weight = _to_device(
                data.X, internal, params, y_int, sample_weight
            )
        else:
            data = FitData(
                data.host_X(), data.y, sample_weight, data.n_outputs, data.loss
            )
    _check_start(internal, params, data.X, y_int, spec.init)
    X_fit, y_fit, sw_fit, validate = _validation(
        spec, internal, data.X, y_int, sample_weight, rng
    )

    def build(X, y, sw, batch_size):
        return Objective(
            internal,
            spec.loss,
            X,
            y,
            sw,
            batch_size,
            exact_linear=spec.exact_linear and isinstance(spec.loss, SquaredLoss),
            alpha=spec.alpha,
            alpha_output=spec.alpha_output,
            regularisers=spec.regularisers,
        )

    stages, state, stopped = [], spec.resume, None
    if _subsample_stages(spec):
        # Before the objective on all rows exists: only one set of buffers
        # at a time.
        params, stages = _descend_by_subsample(
            spec, build, (X_fit, y_fit, sw_fit), params, rng
        )
        if stages and stages[-1].message == CALLBACK_STOP:
            stopped = stages.pop()
        state = dict(stages[-1].state, continues=True) if stages else None
    n_staged = sum(stage.n_iter for stage in stages)
    # (rows, iterations) of each subsample stage, then of all rows.
    record = [(stage.n_rows, stage.n_iter) for stage in stages]
    objective = build(X_fit, y_fit, sw_fit, spec.batch_size)
    warm = None
    if stopped is None:
        params, warm = _warm_up(spec, objective, params, rng, state, n_staged)
    if warm is not None:
        # After a warm-up the fit resumes its scales and step size.
        stages.append(warm)
        state = warm.state
    score = None if validate is None else (lambda p: validate(objective, p))
    rule, callback = _callback(spec, objective)
    if stopped is not None:
        result = stopped
    elif rule is not None and warm is None and rule(_start_info(spec, params)):
        # A start that the rule accepts (a warm start on the same problem)
        # takes no step: a trial step could only move it off.
        result = _accepted_start(params)
    elif _support_stages(spec, objective, validate):
        more, result = _descend_by_support(
            spec, objective, params, rng, state, callback
        )
        stages += more
    else:
        result = _descend(
            spec,
            objective,
            params,
            spec.update,
            rng,
            score,
            state,
            callback,
            max_iter=spec.max_iter - n_staged,
        )
    if stages:
        # One history for the whole fit: the warm-up and the descent on the
        # support, then the fit.
        result.loss_curve = [
            loss for stage in stages + [result] for loss in stage.loss_curve
        ]
        result.n_iter += sum(stage.n_iter for stage in stages)
    if objective.exact:
        # The predicting hidden weights may differ from the loop's own
        # (RVSM's sparse u): solve the output layer for them.
        result.params = [aa.copy(p) for p in result.params]
        objective.value(result.params, objective.batches()[0])
    if spec.finish is not None:
        result = spec.finish(objective, result)
    # The objective's (n, n_hidden) buffers go before the constant check
    # allocates its own (on large data they set the fit's peak memory).
    xp = objective.xp
    objective = score = rule = callback = None
    constant = None
    if spec.check_constant:
        check = _constant_fit if xp is None else _constant_fit_xp
        constant = check(internal, result.params, X_fit, y_fit, sw_fit, spec.units)
    if record or stopped is not None:
        rows = stopped.n_rows if stopped is not None else X_fit.shape[0]
        record.append((rows, result.n_iter - n_staged))
    if xp is not None:
        # The user's units are applied on the host, as on the numpy path;
        # the estimator moves its public attributes back to X's device.
        result.params = [aa.to_numpy(p) for p in result.params]
        result.raw_params = [aa.to_numpy(p) for p in result.raw_params]
    result.params = units.params_out(result.params, names)
    result.raw_params = units.params_out(result.raw_params, names)
    return FitResult(result, constant, record or None)


def on_device(spec, X):
    """Whether the fit of ``spec`` on an array ``X`` of another namespace
    (torch, CuPy, ...) runs on X's device.

    The loop runs there for a dense layer on one batch with the first-order
    solvers ('fista', 'pgd', 'spg'), under the projected step or RVSM's and
    ADMM's rules, with or without the dense warm-up, and with the hooks of
    a spec that declares them namespace-aware (``device_hooks``: the
    quadratic nets' perturbation, certificate stop and finish). The other
    fits (L-BFGS, which is scipy's; mini-batches and ``partial_fit``; early
    stopping; a convolution; the column-sparse stages of 'l0_features')
    copy X to the host once (:meth:`~.spec.FitData.host_X`) and run the
    numpy path; their fitted attributes still return to X's namespace.
    """
    rules = (UpdateRule, RVSMUpdate, ADMMUpdate)
    n = X.shape[0]
    return (
        isinstance(spec.model.architecture, Dense)
        and spec.solver in ("fista", "pgd", "spg")
        and (spec.batch_size is None or spec.batch_size >= n)
        and spec.validation_fraction is None
        and spec.support is None
        and (
            spec.device_hooks
            or (spec.finish is None and spec.monitor is None and not spec.regularisers)
        )
        and type(spec.update) in rules
        and (spec.warm_up is None or type(spec.warm_up.update) in rules)
    )


def _to_device(X, model, params, y, sample_weight):
    """The host-made parts of a fit, moved once to ``X``'s namespace and
    device in its dtype."""

    def move(a):
        return None if a is None else aa.asarray_on(a, X, dtype=X.dtype)

    return (
        model.on_device_of(X),
        [move(p) for p in params],
        move(y),
        move(sample_weight),
    )


def _ptp(a, xp, axis=None):
    return xp.max(a, axis=axis) - xp.min(a, axis=axis)


def _constant_fit_xp(model, params, X, y, sample_weight, units):
    """:func:`_constant_fit` on X's device (the same tests, in the standard's
    functions); the reported constant is read on the host."""
    xp = aa.namespace_of(X)
    if sample_weight is not None:
        # (The standard masks with a boolean array only as the sole index.)
        rows = xp.nonzero(sample_weight > 0)[0]
        X, y = xp.take(X, rows, axis=0), xp.take(y, rows, axis=0)
    if X.shape[0] < 2 or float(_ptp(y, xp)) == 0:
        return None
    hidden, output, _ = model.split(params)
    Z = model.architecture.preact(model.architecture.prepare(X), hidden, out=None)
    A = model.activation.value(Z)
    eps = float(np.finfo(aa.host_dtype(A)).eps)
    varies = _ptp(A, xp, 0) > 16 * eps * xp.max(xp.abs(A), axis=0)
    used = output != 0
    if used.ndim > 1:
        used = xp.any(used, axis=1)
    if bool(xp.any(varies & used)):
        pred = A @ output
        y_range = _ptp(y, xp, 0)
        spread = _ptp(pred, xp, 0) / xp.clip(y_range, min=1e-300)
        largest = float(xp.max(spread))
        if largest > CONSTANT_OUTPUT:
            return None
        reason = (
            f"its outputs vary by {largest:.2g} of the targets' range "
            "on the training samples"
        )
    elif not bool(xp.any(varies)):
        reason = "every hidden unit is constant on the training samples (dead)"
    else:
        reason = "every hidden unit that varies has output weight zero"
    return reason, _user_value(model, params, X, units)
