"""The reports rows of the access matrix (tests/test_access_matrix.py)."""


def _everyone(status):
    return dict.fromkeys(("anonymous", "coordinator", "staff", "other_staff", "admin"), status)


def _staff(anonymous):
    return {
        "anonymous": anonymous,
        "coordinator": 403,
        "staff": 200,
        "other_staff": 200,
        "admin": 200,
    }


def _admin():
    return {"anonymous": 302, "coordinator": 403, "staff": 403, "other_staff": 403, "admin": 200}


def matrix(Case):
    """{endpoint: [Case]}."""
    month = "?month=2026-11"
    return {
        "reports_views.monthly_report": [Case("/petugas/laporan-bulanan" + month, _staff(302))],
        "reports_views.monthly_report_csv": [
            Case("/petugas/laporan-bulanan.csv" + month, _staff(302))
        ],
        "reports_views.monthly_report_xlsx": [
            Case("/petugas/laporan-bulanan.xlsx" + month, _staff(302))
        ],
        "reports_views.siak_export": [Case("/petugas/siak", _admin())],
        "reports_views.siak_export_csv": [Case("/petugas/siak/perekaman.csv", _admin())],
        "reports_api.monthly_report": [Case("/api/v1/reports/monthly" + month, _staff(401))],
        "reports_views.public_dashboard": [Case("/angka", _everyone(200))],
        "reports_api.public_dashboard": [Case("/api/v1/public/dashboard", _everyone(200))],
    }
