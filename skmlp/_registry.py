"""Name -> class tables for activations, losses and optimizers."""

import copy


class Component:
    """Base of registered components: hyper-parameters are the instance's ``vars``.

    Gives every activation, loss and optimizer a readable ``repr`` and equality
    by value, so instances can be compared, hashed and shown in grid-search
    results.
    """

    @property
    def name(self):
        """The registered name; an unregistered class's name by default.

        :meth:`Registry.register` overrides it with a class attribute.
        """
        return type(self).__name__

    def __repr__(self):
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def __hash__(self):
        return hash((type(self), tuple(sorted(vars(self).items()))))


class Registry:
    """A table of named component classes with aliases.

    Parameters
    ----------
    kind : str
        What the table holds, used in error messages ("activation", "loss", ...).
    base : type
        The class every entry derives from; instances of it are accepted as they
        are by :meth:`resolve`.
    """

    def __init__(self, kind, base):
        self.kind = kind
        self.base = base
        self._classes = {}

    def register(self, *names):
        """Class decorator adding the class under ``names`` (the first is canonical).

        Returns
        -------
        decorator : callable
        """

        def decorator(cls):
            for name in names:
                if name in self._classes:
                    raise KeyError(f"{self.kind} {name!r} is registered twice")
                self._classes[name] = cls
            cls.name = names[0]
            return cls

        return decorator

    def names(self):
        """Every accepted name, aliases included, sorted.

        Returns
        -------
        names : list of str
        """
        return sorted(self._classes)

    def __contains__(self, name):
        return name in self._classes

    def resolve(self, spec, param="parameter", allowed=None):
        """Turn a name or an instance into a fresh instance.

        Parameters
        ----------
        spec : str or instance of ``base``
            A registered name, or an instance (deep-copied so the caller's object
            is never modified by fitting).
        param : str
            The estimator parameter being resolved, for error messages.
        allowed : collection of str, default=None
            Restrict names to this subset (e.g. hidden activations). Instances
            of the registered classes are held to it too (``Softmax()`` is no
            more a hidden activation than ``"softmax"``); instances of other
            classes, such as a user's subclass, are accepted.

        Returns
        -------
        instance : ``base``
        """
        names = self.names() if allowed is None else sorted(allowed)
        if isinstance(spec, self.base):
            registered = self._classes.get(spec.name)
            if type(spec) is registered and spec.name not in names:
                raise ValueError(
                    f"{spec!r} cannot be used for {param}. Use one of {names}; "
                    "to go beyond them, subclass the component and pass an "
                    "instance of your class."
                )
            return copy.deepcopy(spec)
        if isinstance(spec, str) and spec in names:
            return self._classes[spec]()
        raise ValueError(
            f"Unknown {self.kind} {spec!r} for {param}. Use one of {names}, "
            f"or pass an instance of skmlp.{self.base.__module__.split('.')[-1]}."
            f"{self.base.__name__}."
        )
