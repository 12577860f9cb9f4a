"""Small, fast settings of every estimator for the test suite, kept in one place.

The networks are tiny and train for a few epochs so sklearn's whole check
suite runs in minutes on two CPU cores. Real accuracy is measured in
``benchmarks/``, not here.
"""

from sklearn_glsm import GLSMClassifier, GLSMTransformer
from sklearn_glsm.preprocessing import WavenumberResampler

TINY_NETWORK = dict(n_components=8, width=4, depth=2, n_positions=4, batch_size=32)

FAST_PARAMS = {
    GLSMTransformer: dict(**TINY_NETWORK, pretrain_epochs=2, random_state=0),
    GLSMClassifier: dict(
        **TINY_NETWORK,
        pretrain_epochs=1,
        finetune_epochs=40,
        lr=1e-2,
        random_state=0,
    ),
}

# sklearn's check suite runs on generic data (two blob features, random
# positive matrices), not spectra: per-spectrum SNV would erase the signal of
# a 2-feature "spectrum", and axis shifts of such rows are meaningless. The
# estimators are checked as they would be configured for tabular features.
# The checks also use -1 as a real class label (in ±1 binary targets), which
# ``unlabeled=None`` declares.
CHECK_PARAMS = {
    GLSMTransformer: dict(normalize="none"),
    GLSMClassifier: dict(normalize="none", finetune_augment=False, unlabeled=None),
}


def fast(cls, **overrides):
    """An instance of ``cls`` with the fast test settings."""
    return cls(**{**FAST_PARAMS.get(cls, {}), **overrides})


def check_instances():
    """Every public estimator, as sklearn's common checks should see it."""
    return [
        fast(GLSMTransformer, **CHECK_PARAMS[GLSMTransformer]),
        fast(GLSMClassifier, **CHECK_PARAMS[GLSMClassifier]),
        WavenumberResampler(),
    ]
