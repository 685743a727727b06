"""The one front end's parts: the fit specification, the fit function, the
units, the starts and the feature-scale checks (see ``_base``)."""
