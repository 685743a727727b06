"""The full-batch loop of the first-order policies ('pgd', 'fista', 'spg').

Each iteration asks the step policy where to step from, searches a step
there (:mod:`~sklearn_shallow.solvers.linesearch`), accepts it or restarts,
and asks the stopping rule (:mod:`~sklearn_shallow.solvers.stopping`)
whether to go on.
"""

import math

from .. import _array_api as aa
from .run import Evaluator, Run


class FullBatchRun(Run):
    """One batch, steps chosen by a policy of
    :mod:`~sklearn_shallow.solvers.policies`."""

    def run(self, policy_class):
        objective, update, free = self.objective, self.update, self.free
        search, stop = self.search, self.stop
        ev = Evaluator(objective, update, objective.batches()[0])
        x = self.x
        update.start(x, self.update_state)
        cand = [aa.empty_like(p) for p in x]
        g_x = [aa.empty_like(p) for p in x]
        data_x, f_x = ev.value(x)
        # Iteration 1 takes the gradient at x (the check leaves the cache cold).
        first = self.start(ev.batch, f_x)
        policy = policy_class(search, update, x, free)
        stationarity = None
        converged, message = False, ""
        iteration, mu_accepted = 0, 0.0
        for iteration in range(1, self.max_iter + 1):
            point, f_point, g_point = policy.point(ev, x, f_x, g_x, iteration)
            mu_start = search.mu
            trial = search.search(
                ev,
                point,
                f_point,
                g_point,
                cand,
                free,
                reference=policy.reference(f_x),
                judged=bool(self.loss_curve) or self.resumed,
            )
            if search.fixed:
                search.check_divergence(trial.f, first, iteration)
            G = trial.G
            extra = update.residual(point)
            if extra:
                G = math.hypot(G, extra)
            stationarity = stop.relative(G)
            restart = point is not x and (not trial.ok or trial.f > f_x)
            if not trial.ok and not restart:
                converged, message = self._stuck(
                    x, data_x, f_x, G, stationarity, mu_start, iteration
                )
                break
            if restart:
                policy.restart(mu_start)
                loss = update.record(data_x, x)
                note = ", restart"
            else:
                mu_accepted = search.mu
                stop.accepted(point, cand, search.mu, free)
                x, cand = cand, x
                data_x = trial.data
                update.after_step(x)
                f_x = data_x + update.extra_value(x)
                policy.accepted(cand, g_x, f_x)
                loss = update.record(data_x, x)
                note = ""
            extra = f", stationarity = {stationarity:.3g}{note}"
            score, asked = self.after_iteration(iteration, loss, x, extra)
            if asked:
                converged, message = True, "the callback asked to stop"
                break
            if restart:
                continue
            converged, message = self._verdict(f_x, stationarity, mu_accepted)
            if message:
                break
        else:
            message = stop.max_iter_message(self.max_iter_shown, stationarity)
        if self.verbose:
            message += policy.summary()
        return self.result(x, iteration, converged, message, stationarity)

    def _verdict(self, f_x, stationarity, mu_accepted):
        """``(converged, message)`` after an accepted step; the message is
        empty when the fit goes on."""
        stop, curve = self.stop, self.loss_curve
        if self.validation is not None:
            message = self.validation.stop()
            return message is not None, message or ""
        if f_x == 0.0:
            return True, "the loss is zero"
        if stop.stationary(curve, stationarity):
            # Plus the loss change: a first gradient mapping inflated by one
            # badly scaled direction must not end the fit early.
            return True, stop.stationary_message(stationarity)
        if not self.search.fixed:
            self.search.mu_max = max(self.search.mu_max, mu_accepted)
            message = stop.nonsmooth(curve, mu_accepted, stationarity)
            if message:
                return True, message
        message = stop.stalled(curve, stationarity)
        return False, message or ""

    def _stuck(self, x, data_x, f_x, G, stationarity, mu_start, iteration):
        """``(converged, message)`` where no step decreases from ``x``.

        The gradient was checked against the loss at the start, so this is
        a stationary point, or a point where the objective is not smooth
        (ReLU kinks).
        """
        if not self.loss_curve:
            self.loss_curve.append(self.update.record(data_x, x))
        # What the largest step that worked would gain from here,
        # mu ||G||^2 / 2: below the objective's rounding room, no decrease
        # can be seen, and the point is stationary to the precision the
        # objective resolves (on a smooth problem the gradient mapping can
        # only be resolved to about sqrt(eps) of its first value, whatever
        # tol asks).
        mu_ref = max(self.stop.mu_max, self.search.mu_max, mu_start)
        unresolved = 0.5 * mu_ref * G * G <= self.search.slack(f_x)
        return self.stop.stuck(
            self.loss_curve, f_x, stationarity, iteration, unresolved=unresolved
        )
