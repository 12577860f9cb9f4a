"""sklearn's estimator checks on every public estimator, none excused."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from ._instances import check_instances


@parametrize_with_checks(check_instances())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
