"""The reports' JSON shapes (for the OpenAPI document) and query parameters."""

from pydantic import BaseModel, ConfigDict, Field


class CoverageCellOut(BaseModel):
    code: str = Field(description="Kemendagri code of the kecamatan (or the regency)")
    name: str
    wktp: int | None = Field(description="Residents obliged to hold a KTP-el; null if withheld")
    recorded: int | None = Field(description="Recorded so far; null when withheld")
    not_recorded: int | None
    coverage: float | None = Field(description="Percent recorded, two decimals; null if withheld")
    coverage_min: float | None = Field(description="Lower bound of a withheld percentage")
    coverage_max: float | None = Field(description="Upper bound of a withheld percentage")
    meets_target: bool | None = Field(description="null when the published figures cannot tell")
    suppressed: bool = Field(description="Figures withheld: a count under 5 is involved")
    small: str | None = Field(
        description="Which count is under 5 (wktp, recorded or not_recorded); null when the "
        "figures are withheld only so that another area's cannot be worked out"
    )


class CoverageOut(BaseModel):
    target: float = Field(description="The national target, percent")
    counted_on: str | None = Field(description="Date of the latest imported figures")
    as_of: str = Field(description="The day the figures describe (today)")
    regency: CoverageCellOut | None
    kecamatan: list[CoverageCellOut]


class OfficeStockOut(BaseModel):
    name: str
    on_hand: int
    days_of_cover: float | None


class DashboardStockOut(BaseModel):
    on_hand: int = Field(description="Blank cards in stock")
    days_of_cover: float | None = Field(description="Free stock at the recent daily usage")
    offices: list[OfficeStockOut] = Field(
        description="Each printing office's, where the regency prints at more than one place"
    )


class DashboardSiteOut(BaseModel):
    id: int
    name: str
    kind: str
    kecamatan: str
    next_free_slot: str | None = Field(description="Start of the first slot one can book")
    typical_wait_days: float | None = Field(
        description="Median days from booking to the appointment over the last 30 days"
    )
    wait_suppressed: bool


class RecordingsOut(BaseModel):
    month: str = Field(description="YYYY-MM")
    count: int | None = Field(description="Recordings this month; null when under 5")
    suppressed: bool


class RegencyRefOut(BaseModel):
    code: str
    name: str


class DashboardOut(BaseModel):
    generated_at: str
    valid_seconds: int = Field(description="How long these figures are served from the cache")
    regency: RegencyRefOut
    suppression_threshold: int = Field(description="Counts of people below this are withheld")
    coverage: CoverageOut
    stock: DashboardStockOut
    sites: list[DashboardSiteOut]
    recordings_this_month: RecordingsOut


class MonthQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    month: str | None = Field(default=None, max_length=7, description="YYYY-MM; default this month")


class ReportCountsOut(BaseModel):
    bookings: int
    recordings: int
    no_shows: int
    failed_recordings: int
    walk_ins: int
    outreach_sessions: int
    outreach_participants: int
    cards_printed: int
    cards_collected: int
    blanks_received: int
    blanks_spoiled: int
    ikd_at_recording: int = Field(description="Digital IDs (IKD) activated at recording")
    ikd_at_pickup: int = Field(description="Digital IDs (IKD) activated at card pickup")


class ReportSiteOut(ReportCountsOut):
    site_id: int | None = Field(description="null: the regency's blank store")
    name: str
    kind: str


class ReportDayOut(ReportCountsOut):
    date: str


class MonthlyReportOut(BaseModel):
    month: str
    regency: str
    first: str
    last: str
    sites: list[ReportSiteOut]
    total: ReportCountsOut
    days: list[ReportDayOut]


def report_json(report):
    """MonthlyReportOut of a monthly.Report."""
    return {
        "month": report.label,
        "regency": report.regency,
        "first": report.first.isoformat(),
        "last": report.last.isoformat(),
        "sites": [
            {"site_id": r.key, "name": r.name, "kind": r.kind, **r.counts} for r in report.sites
        ],
        "total": dict(report.total.counts),
        "days": [{"date": d.key.isoformat(), **d.counts} for d in report.days],
    }
