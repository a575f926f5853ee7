"""The reports rows of the access matrix (tests/test_access_matrix.py)."""


def _everyone(status):
    return dict.fromkeys(("anonymous", "coordinator", "staff", "other_staff", "admin"), status)


def matrix(Case):
    """{endpoint: [Case]}."""
    return {
        "reports_views.public_dashboard": [Case("/angka", _everyone(200))],
        "reports_api.public_dashboard": [Case("/api/v1/public/dashboard", _everyone(200))],
    }
