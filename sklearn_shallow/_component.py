"""Small parameter holders shared by the parts of the library.

Activations, constraints and architectures are not estimators, but users tune
them inside estimators (``GridSearchCV`` over ``constraint__radius``) and
``clone`` copies them. :class:`Component` gives them exactly what that needs:
``get_params`` and ``set_params`` read off the signature of ``__init__``, and
a readable ``repr``. ``__init__`` must store each argument unchanged under its
own name.
"""

import inspect


class Component:
    """Base class for plain parameter holders (activations, constraints, ...)."""

    @classmethod
    def _param_names(cls):
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        return sorted(
            name
            for name, p in sig.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )

    def get_params(self, deep=True):
        """Parameters of this part, as given to ``__init__``.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of nested parts, as ``name__sub``.

        Returns
        -------
        params : dict
        """
        out = {}
        for name in self._param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, sub in value.get_params(deep=True).items():
                    out[f"{name}__{key}"] = sub
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters (``name`` or nested ``name__sub``); returns self."""
        valid = self._param_names()
        nested = {}
        for key, value in params.items():
            name, sep, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {valid}."
                )
            if sep:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params(deep=False).items())
        return f"{type(self).__name__}({args})"


def resolve(spec, table, family, base_class, **kwargs):
    """Turn "a name or an object" into an object, with one lookup per family.

    Parameters
    ----------
    spec : str or object
        A key of ``table`` or an instance of ``base_class``.
    table : dict
        Maps names to factories called as ``factory(**kwargs)``.
    family : str
        Used in error messages ("activation", "constraint", ...).
    base_class : type
        Objects of this type are returned as they are.
    """
    if isinstance(spec, base_class):
        return spec
    if isinstance(spec, str):
        try:
            factory = table[spec]
        except KeyError:
            raise ValueError(
                f"Unknown {family} {spec!r}; expected one of {sorted(table)} "
                f"or a {base_class.__name__} object."
            ) from None
        return factory(**kwargs)
    raise TypeError(
        f"{family} must be a string in {sorted(table)} or a "
        f"{base_class.__name__} object, got {type(spec).__name__}."
    )
