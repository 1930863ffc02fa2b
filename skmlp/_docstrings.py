"""Docstring sections shared by MLPClassifier and MLPRegressor."""

_COMMON_PARAMETERS = """
    hidden_layer_sizes : int or array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units of the ith hidden layer; ``()``
        gives a network without hidden layer.

    activation : str, Activation or list of them, default='relu'
        Hidden-layer activation: one of 'identity', 'logistic' (alias
        'sigmoid'), 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu',
        'softplus', 'silu', an :class:`skmlp.activations.Activation` instance, or
        a list with one of those per hidden layer.

    output_activation : str or Activation, default='auto'
        Output-layer activation. 'auto' uses the loss's natural link (see the
        class description); otherwise one of 'identity', 'relu', 'softplus',
        'exp', 'logistic'/'sigmoid', 'tanh', 'softmax' or an instance.

    solver : {'lbfgs', 'sgd', 'adam'}, default='adam'
        The optimizer: L-BFGS (full batch, through SciPy), stochastic gradient
        descent with momentum, or Adam.

    alpha : float, default=0.0001
        Strength of the L2 penalty on the weights; the penalty is divided by the
        (weighted) number of samples, as in scikit-learn.

    batch_size : int or 'auto', default='auto'
        Mini-batch size of the stochastic solvers; 'auto' is
        ``min(200, n_samples)``.

    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Learning-rate schedule of ``solver='sgd'``: constant, ``learning_rate_init
        / (t + 1) ** power_t`` with ``t`` the samples seen (updated each epoch),
        or divided by 5 each time the monitored quantity stalls for
        ``n_iter_no_change`` epochs.

    learning_rate_init : float, default=0.001
        Initial learning rate of 'sgd' and 'adam'.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or iterations (L-BFGS).

    shuffle : bool, default=True
        Shuffle the samples every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the early-stopping split and the
        shuffling; the same seed gives scikit-learn's initial weights.

    tol : float, default=1e-4
        Training stops when the loss (or validation score) does not improve by
        ``tol`` for more than ``n_iter_no_change`` epochs; for L-BFGS it is the
        gradient tolerance.

    verbose : bool, default=False
        Print ``Iteration N, loss = ...`` after every epoch.

    warm_start : bool, default=False
        Start from the previous solution, keeping the optimizer's state (Adam's
        moments), instead of re-initialising.

    momentum : float, default=0.9
        Momentum of 'sgd'.

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum with 'sgd'.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its score stalls
        for ``n_iter_no_change`` epochs, and keep the weights of the best epoch.
        Works with every solver, L-BFGS included.

    validation_fraction : float, default=0.1
        Fraction of the data held out for early stopping.

    beta_1 : float, default=0.9
        Adam's first-moment decay rate.

    beta_2 : float, default=0.999
        Adam's second-moment decay rate.

    epsilon : float, default=1e-8
        Adam's stability constant.

    n_iter_no_change : int or np.inf, default=10
        Number of stalled epochs tolerated (see ``tol``).

    max_fun : int, default=15000
        Maximum number of loss evaluations of L-BFGS.

    callbacks : list of Callback, default=None
        Extra :class:`skmlp.callbacks.Callback` objects run after every epoch
        (copied at each fit).
"""

_COMMON_ATTRIBUTES = """
    loss_ : float
        Loss of the last epoch (or the final L-BFGS loss).

    best_loss_ : float or None
        Lowest training loss (stochastic solvers; None with early stopping).

    loss_curve_ : list of float
        Training loss per epoch (stochastic solvers).

    validation_scores_ : list of float or None
        Validation score per epoch with early stopping, else None.

    best_validation_score_ : float or None
        Best validation score with early stopping, else None.

    history_ : dict of list
        Per-epoch logs: 'epoch', 'loss', 'learning_rate', 'time' and, with early
        stopping, 'val_score', plus any key a callback adds to ``logs``. Kept
        across ``warm_start`` and ``partial_fit``, where 'epoch' counts on.

    callbacks_ : list of Callback
        The copies of ``callbacks`` that ran during the last fit, with whatever
        state they recorded.

    t_ : int
        Number of training samples seen by the stochastic solvers.

    coefs_ : list of ndarray
        Weight matrix of each layer, ``coefs_[i]`` of shape (units i, units i+1).

    intercepts_ : list of ndarray
        Bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs (iterations) run by the last call.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Name of the output activation.

    activations_ : list of Activation
        Hidden-layer activations used by predict.

    output_activation_ : Activation
        Output activation used by predict.

    loss_function_ : Loss
        The training loss.

    learning_rate_ : float
        Learning rate at the end of training (stochastic solvers).
"""
