"""sklearn-shallow: provable algorithms for one-hidden-layer networks.

Estimators
----------
ProjectedShallowRegressor, ProjectedShallowClassifier
    Projected gradient descent under sparsity, l1, low-rank, nuclear-norm,
    subspace and convolutional constraints (Oymak 2018; Soltanolkotabi 2017).
RVSMRegressor, RVSMClassifier
    Sparse networks by relaxed variable splitting with l0, l1 and
    transformed-l1 thresholding, and ADMM (Dinh & Xin 2020).
ProjectedShallowRegressorCV, ..., RVSMClassifierCV
    The same with ``tau`` or ``lam`` chosen by cross-validation along
    warm-started paths (:mod:`sklearn_shallow.paths`); FeaturePathDisplay
    plots their held-out scores against the number of inputs.
QuadraticNetRegressor, QuadraticNetClassifier
    Quadratic-activation networks with weight decay and a certificate of
    global optimality (Du & Lee 2018).
TensorInitOneHidden
    Gradient descent started from the tensor method, which recovers a planted
    network from Gaussian inputs (Zhong et al. 2017); the method itself is
    :func:`tensor_initialization`, and ``init='tensor'`` in the other
    estimators.
"""

from ._fit.scales import FeatureScaleWarning
from .activations import Activation, CustomActivation, get_activation
from .architectures import Convolution, Dense
from .constraints import (
    L0Ball,
    L0Features,
    L1Ball,
    L1Features,
    NuclearBall,
    Rank,
    Subspace,
    Unconstrained,
)
from .cv import (
    ProjectedShallowClassifierCV,
    ProjectedShallowRegressorCV,
    QuadraticNetClassifierCV,
    QuadraticNetRegressorCV,
    RVSMClassifierCV,
    RVSMRegressorCV,
)
from .display import FeaturePathDisplay
from .projected import ProjectedShallowClassifier, ProjectedShallowRegressor
from .quadratic import (
    OptimalityCertificate,
    QuadraticNetClassifier,
    QuadraticNetRegressor,
)
from .rvsm import RVSMClassifier, RVSMRegressor
from .solvers import DegenerateFitWarning, DivergenceError, StepSearchError
from .tensor_init import tensor_initialization
from .tensor_net import TensorInitOneHidden

__version__ = "0.1.0.dev0"

__all__ = [
    "Activation",
    "Convolution",
    "CustomActivation",
    "DegenerateFitWarning",
    "FeatureScaleWarning",
    "Dense",
    "DivergenceError",
    "FeaturePathDisplay",
    "StepSearchError",
    "L0Ball",
    "L0Features",
    "L1Ball",
    "L1Features",
    "NuclearBall",
    "OptimalityCertificate",
    "ProjectedShallowClassifier",
    "ProjectedShallowClassifierCV",
    "ProjectedShallowRegressor",
    "ProjectedShallowRegressorCV",
    "QuadraticNetClassifierCV",
    "QuadraticNetRegressorCV",
    "QuadraticNetClassifier",
    "QuadraticNetRegressor",
    "RVSMClassifier",
    "RVSMClassifierCV",
    "RVSMRegressor",
    "RVSMRegressorCV",
    "Rank",
    "Subspace",
    "TensorInitOneHidden",
    "Unconstrained",
    "get_activation",
    "tensor_initialization",
    "__version__",
]
