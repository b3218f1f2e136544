"""audit_app.stats must stay pure: numpy/scipy/stdlib only, no Flask or database."""

import ast
from pathlib import Path

import audit_app.stats

ALLOWED_ROOTS = {
    "__future__",
    "collections",
    "dataclasses",
    "functools",
    "math",
    "numbers",
    "numpy",
    "scipy",
    "typing",
}


def test_stats_package_imports_only_numpy_scipy_and_stdlib():
    package_dir = Path(audit_app.stats.__file__).parent
    sources = sorted(package_dir.glob("*.py"))
    assert sources
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                ok = name.split(".")[0] in ALLOWED_ROOTS or name.startswith("audit_app.stats")
                assert ok, f"{path.name} imports {name}"


def test_public_api_is_exported():
    expected = {
        "wilson_interval",
        "clopper_pearson_interval",
        "below_target_test",
        "percent_agreement",
        "cohen_kappa",
        "gwet_ac1",
        "grade_bias",
        "confusion_matrix",
    }
    assert expected <= set(audit_app.stats.__all__)
    for name in audit_app.stats.__all__:
        assert hasattr(audit_app.stats, name)
