"""Report figures as flat lines, one per figure, for the downloads: the agreement report's and
the quarterly headline report's CSV and Excel files.

A Line keeps its numbers exact. In a CSV, a percentage is written as a number of percent
rounded to one place, with "%" in the Unit column (as the agreement report always has); in
an Excel workbook it is the exact fraction in a percent number format, so a spreadsheet can
compute with it. Counts, coefficients, grade steps and p-values get formats of their own.
"""

from dataclasses import dataclass

from audit_app.downloads import DECIMAL, P_VALUE, PERCENT, STEPS, WHOLE, Column, Formatted
from audit_app.measures.figures import BELOW, p_text, percent
from audit_app.templating import format_date

PCT, COUNT, COEFFICIENT, GRADE_STEPS, P = "%", "count", "coefficient", "grade steps", "p-value"

COLUMNS = ["Section", "Measure", "Numerator", "Denominator", "Estimate", "95% CI low",
           "95% CI high", "Unit", "Status or note"]
XLSX_COLUMNS = [Column("Section"), Column("Measure"), Column("Numerator", WHOLE),
                Column("Denominator", WHOLE), Column("Estimate"), Column("95% CI low"),
                Column("95% CI high"), Column("Unit"), Column("Status or note")]
_ROUNDED = {PCT: lambda v: round(v * 100, 1), COEFFICIENT: lambda v: round(v, 3),
            GRADE_STEPS: lambda v: round(v, 3), P: lambda v: round(v, 4)}
_FORMATS = {PCT: PERCENT, COUNT: WHOLE, COEFFICIENT: DECIMAL, GRADE_STEPS: STEPS, P: P_VALUE}


@dataclass(frozen=True)
class Line:
    section: str
    measure: str
    numerator: int | None = None
    denominator: int | None = None
    estimate: float | None = None  # a fraction for PCT
    ci_low: float | None = None
    ci_high: float | None = None
    unit: str = ""
    note: str = ""

    def _numbers(self):
        return (self.estimate, self.ci_low, self.ci_high)

    def csv_cells(self):
        rounded = _ROUNDED.get(self.unit, lambda v: v)
        return [self.section, self.measure, self.numerator, self.denominator,
                *(None if v is None else rounded(v) for v in self._numbers()), self.unit,
                self.note]

    def xlsx_cells(self):
        number_format = _FORMATS.get(self.unit)
        return [self.section, self.measure, self.numerator, self.denominator,
                *(None if v is None else Formatted(v, number_format) if number_format else v
                  for v in self._numbers()), self.unit, self.note]


def _joined(*notes):
    return "; ".join(note for note in notes if note)


def figure_line(section, measure, figure, note=""):
    """A Figure: its counts, value and interval (none without cases, or against a plan)."""
    shown = figure.denominator and figure.has_interval
    return Line(section, measure, figure.numerator, figure.denominator, figure.value,
                figure.ci_low if shown else None, figure.ci_high if shown else None, PCT,
                _joined("Small sample" if figure.small_sample and figure.denominator else "",
                        note))


def count_line(section, measure, count, note=""):
    return Line(section, measure, count, None, count, unit=COUNT, note=note)


def coefficient_line(section, measure, result, value):
    """Kappa or AC1 (a stats result) with its interval, or the reason it has none."""
    return Line(section, measure, None, result.n, value, result.ci_low, result.ci_high,
                COEFFICIENT, result.reason or "")


def status_words(target, status):
    """ "Target 70% (from 1 September 2022): below target (p = 0.010, exact one-sided
    binomial test)" """
    words = status.label + (f" ({p_text(status.p_value)}, exact one-sided binomial test)"
                            if status.code == BELOW else "")
    return f"Target {percent(target.rate)} (from {format_date(target.applies_from)}): {words}"


def result_line(section, measure, result, note=""):
    """A compute Result (audit_app/measures/compute.py): its figure, and its status against
    the target in force."""
    judged = status_words(result.target, result.status) if result.target else ""
    return figure_line(section, measure, result.figure, _joined(judged, note))
