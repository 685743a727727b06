"""The mini-batch loop: epochs of plain (projected) gradient steps.

Each batch takes one step found by the shared search
(:mod:`~sklearn_shallow.solvers.linesearch`); a batch on which no step
decreases its loss is skipped. The gradient mapping of one batch is noisy,
so the fit stops on the epoch loss (or the validation score) instead of
stationarity (:mod:`~sklearn_shallow.solvers.stopping`).
"""

import numpy as np

from .errors import check_gradient
from .linesearch import GROW, SHRINK
from .run import Evaluator, Run


class MiniBatchRun(Run):
    """Several batches, reshuffled every epoch when asked."""

    def run(self, shuffle, rng):
        objective = self.objective
        x = self.x
        cand = [np.empty_like(p) for p in x]
        grads = [np.empty_like(p) for p in x]
        self.update.start(x, self.update_state)
        self.first = None
        converged, message = False, ""
        epoch = 0
        for epoch in range(1, self.max_iter + 1):
            if shuffle:
                objective.reorder(rng)
            batch_losses = []
            for batch in objective.batches():
                x, cand, loss = self._step(
                    Evaluator(objective, self.update, batch), x, cand, grads, epoch
                )
                batch_losses.append(loss)
            epoch_loss = float(np.mean(batch_losses))
            _, asked = self.after_iteration(epoch, epoch_loss, x)
            if asked:
                converged, message = True, "the callback asked to stop"
                break
            if self.validation is not None:
                message = self.validation.stop("epochs")
            elif self.stop.epoch(epoch_loss):
                message = (
                    f"the epoch loss did not improve by tol={self.tol} for "
                    f"{self.n_iter_no_change} epochs"
                )
            if message:
                converged = True
                break
        else:
            message = self.stop.max_iter_message(self.max_iter, None)
        return self.result(x, epoch, converged, message, None)

    def _step(self, ev, x, cand, grads, epoch):
        """One step on the batch of ``ev``: ``(x, cand, recorded loss)``,
        the buffers swapped when the step was accepted."""
        search, update = self.search, self.update
        data, f = ev.value(x)
        if self.first is None:
            self.first = self.start(ev.batch, f)
        ev.gradient(x, out=grads)
        check_gradient(grads, epoch)
        every = list(range(len(x)))
        trial = search.search(ev, x, f, grads, cand, every, judged=False)
        if search.fixed:
            search.check_divergence(trial.f, self.first, epoch)
        if not trial.ok:
            # This batch admits no decrease: move on, with the step the
            # search gave up at, doubled back.
            search.mu = max(search.mu, 1e-300) / SHRINK
            return x, cand, update.record(data, x)
        x, cand = cand, x
        update.after_step(x)
        if not search.fixed:
            search.mu *= GROW
        return x, cand, update.record(trial.data, x)
