"""The estimator machinery shared by MLPClassifier and MLPRegressor.

The base class validates parameters and data, resolves names into component
objects, builds the callbacks and hands the work to :mod:`skmlp._solvers`. It
never computes a gradient itself.
"""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from skmlp import _components as components
from skmlp._compat import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    _check_sample_weight,
    _fit_context,
)
from skmlp._network import Network
from skmlp._solvers import Trainer, fit_lbfgs, fit_stochastic
from skmlp.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from skmlp.callbacks import (
    Callback,
    History,
    InverseScaling,
    PlateauMonitor,
    ProgressPrinter,
)

_STOCHASTIC_SOLVERS = ("sgd", "adam")
_ACTIVATION_OBJECT = HasMethods(["forward", "backward"])
LOSS_OBJECT = HasMethods(["value", "gradient"])
_NON_FINITE_WEIGHTS = (
    "Solver produced non-finite parameter weights. The input data may contain large"
    " values and need to be preprocessed."
)


def store_parameters(estimator, params):
    """``__init__``'s only job: store every argument under its own name."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class BaseMultilayerPerceptron(BaseEstimator):
    """Shared implementation of the MLP estimators; use the subclasses."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(HIDDEN_ACTIVATIONS), _ACTIVATION_OBJECT, list, tuple],
        "output_activation": [
            StrOptions(OUTPUT_ACTIVATIONS | {"auto"}),
            _ACTIVATION_OBJECT,
        ],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "callbacks": [list, None],
    }

    # ---- hooks the subclasses fill in -------------------------------------------

    def _encode_targets(self, y, first_pass, incremental):
        """Validated ``y`` -> float matrix ``Y`` of shape (n_samples, n_outputs)."""
        raise NotImplementedError

    def _resolve_loss_and_output(self, Y):
        """Return ``(loss, output_activation)`` instances for this fit."""
        raise NotImplementedError

    def _score_output(self, output, y, sample_weight):
        """Validation score of a raw network ``output`` against original ``y``."""
        raise NotImplementedError

    def _decode_validation_targets(self, Y_val):
        return Y_val

    def _fit_sample_weight(self, y, sample_weight, incremental):
        return sample_weight

    # ---- fitting ----------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels or a label-indicator matrix (classifier), target values
            (regressor).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden_sizes = components.hidden_layer_sizes(self.hidden_layer_sizes)
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")

        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=first_pass,
            y_numeric=not self._is_classifier(),
        )
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        sample_weight = self._fit_sample_weight(y, sample_weight, incremental)
        if sample_weight is not None:
            sample_weight = sample_weight.astype(X.dtype, copy=False)
        Y = self._encode_targets(y, first_pass, incremental).astype(X.dtype)

        hidden = components.hidden_activations(self.activation, len(hidden_sizes))
        loss, output = self._resolve_loss_and_output(Y)
        layer_units = [X.shape[1], *hidden_sizes, Y.shape[1]]
        network = Network(
            layer_units, hidden[: len(hidden_sizes)], output, loss, self.alpha
        )
        random_state = check_random_state(self.random_state)

        self._initialize_state(reset=first_pass)
        if first_pass:
            params = network.init_params(random_state, X.dtype, hidden)
        else:
            if [c.shape[0] for c in self.coefs_] + [self.coefs_[-1].shape[1]] != (
                layer_units
            ):
                raise ValueError(
                    "The network's shape changed since the last fit "
                    f"({self.n_layers_ - 2} hidden layers of sizes "
                    f"{[c.shape[1] for c in self.coefs_[:-1]]}, {self.n_outputs_} "
                    f"outputs); set warm_start=False to fit a new network."
                )
            params = network.pack(self.coefs_, self.intercepts_, X.dtype)

        if self.solver in _STOCHASTIC_SOLVERS:
            trainer = self._fit_stochastic(
                network, params, X, Y, sample_weight, random_state, incremental
            )
        else:
            trainer = self._fit_lbfgs(
                network, params, X, Y, sample_weight, random_state
            )

        self.coefs_, self.intercepts_ = network.unpack(trainer.params)
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.activations_ = network.hidden_activations
        self.output_activation_ = output
        self.out_activation_ = output.name
        self.loss_function_ = loss
        if trainer.diverged:
            self._report_divergence(trainer, first_pass)
        return self

    def _initialize_state(self, reset):
        """Set the training state; with ``reset=False`` only what is missing."""
        stochastic = self.solver in _STOCHASTIC_SOLVERS
        state = {
            "t_": 0,
            "history_": {},
            "_optimizer_state": None,
            "_no_improvement_count": 0,
        }
        if stochastic or self.early_stopping:
            state["validation_scores_"] = [] if self.early_stopping else None
            state["best_validation_score_"] = -np.inf if self.early_stopping else None
        if stochastic:
            state["loss_curve_"] = []
            state["best_loss_"] = None if self.early_stopping else np.inf
        for name, value in state.items():
            if reset or not hasattr(self, name):
                setattr(self, name, value)

    def _split_validation(self, network, X, Y, sample_weight, random_state):
        """Hold out ``validation_fraction`` of the data for early stopping."""
        stratify = Y.astype(bool) if self._stratify_validation(Y) else None
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(
            *arrays,
            random_state=random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_train, X_val, Y_train, Y_val = parts[:4]
        sw_train, sw_val = parts[4:] if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        y_val = self._decode_validation_targets(Y_val)

        def validation(params):
            output = network.predict(X_val, *network.unpack(params))
            if not np.isfinite(output).all():
                return np.nan
            return float(self._score_output(output, y_val, sw_val))

        return X_train, Y_train, sw_train, validation

    def _stratify_validation(self, Y):
        return False

    def _callbacks(self, monitor):
        """The built-in callbacks, copies of the user's, then History."""
        callbacks = [ProgressPrinter()] if self.verbose else []
        if monitor is not None:
            callbacks.append(monitor)
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            callbacks.append(InverseScaling(self.learning_rate_init, self.power_t))
        for callback in self.callbacks or []:
            if not isinstance(callback, Callback):
                raise ValueError(
                    f"callbacks must be skmlp.callbacks.Callback instances; got "
                    f"{callback!r}."
                )
        # Copies, so fitting never changes a parameter; the copies that ran are
        # kept in callbacks_. History runs last to record what the others logged.
        self.callbacks_ = [copy.deepcopy(c) for c in self.callbacks or []]
        return [*callbacks, *self.callbacks_, History(self.history_)]

    def _fit_stochastic(
        self, network, params, X, Y, sample_weight, random_state, incremental
    ):
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split_validation(
                network, X, Y, sample_weight, random_state
            )
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than "
                    "sample size. It is going to be clipped",
                    stacklevel=2,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        # Keep the optimizer's state (Adam's moments, SGD's velocity) across
        # warm_start fits and partial_fit calls, unlike scikit-learn.
        optimizer = components.optimizer(self)
        state = self._optimizer_state
        if state is None or type(getattr(self, "optimizer_", None)) is not type(
            optimizer
        ):
            state = optimizer.init(params)
        self.optimizer_ = optimizer

        learning_rate = self.learning_rate_init
        if incremental and getattr(self, "learning_rate_", None) is not None:
            learning_rate = self.learning_rate_
        monitor = PlateauMonitor(
            self.tol,
            self.n_iter_no_change,
            monitor="val_score" if self.early_stopping else "loss",
            adaptive=self.solver == "sgd" and self.learning_rate == "adaptive",
            best=self.best_validation_score_
            if self.early_stopping
            else self.best_loss_,
            no_improvement_count=self._no_improvement_count,
            verbose=self.verbose,
        )
        trainer = self._trainer(network, params, learning_rate, monitor)
        with np.errstate(over="ignore", invalid="ignore"):
            self._optimizer_state = fit_stochastic(
                trainer,
                X,
                Y,
                sample_weight,
                optimizer=optimizer,
                opt_state=state,
                batch_size=batch_size,
                shuffle=self.shuffle,
                random_state=random_state,
                max_iter=self.max_iter,
                validation=validation,
                incremental=incremental,
            )
        self.t_ = trainer.t
        self.learning_rate_ = trainer.learning_rate
        self._no_improvement_count = monitor.no_improvement_count
        self.loss_curve_ = self._extend_curve("loss_curve_", "loss", trainer.n_iter)
        if self.loss_curve_:
            self.loss_ = self.loss_curve_[-1]
        if not self.early_stopping:
            self.best_loss_ = monitor.best
        self._finish(trainer, monitor)
        return trainer

    def _fit_lbfgs(self, network, params, X, Y, sample_weight, random_state):
        validation, monitor = None, None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split_validation(
                network, X, Y, sample_weight, random_state
            )
            monitor = PlateauMonitor(
                self.tol,
                self.n_iter_no_change,
                monitor="val_score",
                best=self.best_validation_score_,
                verbose=self.verbose,
            )
        trainer = self._trainer(network, params, 0.0, monitor)
        with np.errstate(over="ignore", invalid="ignore"):
            self.loss_ = fit_lbfgs(
                trainer,
                X,
                Y,
                sample_weight,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                validation=validation,
            )
        self._finish(trainer, monitor)
        return trainer

    def _trainer(self, network, params, learning_rate, monitor):
        return Trainer(
            network,
            params,
            learning_rate,
            self._callbacks(monitor),
            t=self.t_,
            initial_epoch=len(self.history_.get("epoch", [])),
        )

    def _finish(self, trainer, monitor):
        """Attributes common to both solvers; early stopping's best weights."""
        self.n_iter_ = trainer.n_iter
        if self.early_stopping:
            if monitor.best_params is not None:
                trainer.params[...] = monitor.best_params
            self.validation_scores_ = self._extend_curve(
                "validation_scores_", "val_score", trainer.n_iter
            )
            self.best_validation_score_ = monitor.best

    def _extend_curve(self, attribute, key, n_new):
        """``attribute`` plus the last ``n_new`` entries of ``history_[key]``."""
        previous = getattr(self, attribute, None) or []
        values = self.history_.get(key, [])
        return [*previous, *values[len(values) - n_new :]]

    def _report_divergence(self, trainer, first_pass):
        advice = (
            "Scale the inputs (e.g. with StandardScaler) or lower learning_rate_init."
        )
        nothing_learned = first_pass and trainer.n_iter <= 1
        if self.solver == "lbfgs" or (
            not self.early_stopping
            and (nothing_learned or trainer.recovered_loss is None)
        ):
            raise ValueError(f"{_NON_FINITE_WEIGHTS} {advice}")
        if self.early_stopping:
            kept = "the weights with the best validation score were kept"
        else:
            kept = "the last weights with a finite loss were kept"
            self.loss_ = trainer.recovered_loss
        warnings.warn(
            f"{trainer.stop_reason}: training stopped and {kept}. {advice}",
            ConvergenceWarning,
            stacklevel=3,
        )

    # ---- prediction -------------------------------------------------------------

    def _predict_network(self):
        """The fitted network, built from fitted attributes only."""
        units = [c.shape[0] for c in self.coefs_] + [self.coefs_[-1].shape[1]]
        return Network(units, self.activations_, self.output_activation_)

    def _forward(self, X):
        """Validated ``X`` -> raw network output of shape (n_samples, n_outputs)."""
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )
        return self._predict_network().predict(X, self.coefs_, self.intercepts_)

    def _is_classifier(self):
        return self.__sklearn_tags__().estimator_type == "classifier"

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
