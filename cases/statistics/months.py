"""The months the series run over, as "YYYY-MM" strings."""

from django.utils import timezone

# Long gaps are filled with zero months only up to this span; beyond it (a mistyped year)
# only the months with data are listed.
MAX_FILLED_MONTHS = 480


def month_range(first: str, last: str) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    end = tuple(int(part) for part in last.split("-"))
    months = []
    while (year, month) <= end:
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


def months_between(first: str, last: str) -> int:
    a = [int(part) for part in first.split("-")]
    b = [int(part) for part in last.split("-")]
    return (b[0] - a[0]) * 12 + (b[1] - a[1]) + 1


def filled_months(months_with_data: set[str], last: str | None = None) -> list[str]:
    if not months_with_data:
        return []
    first = min(months_with_data)
    last = last or max(months_with_data)
    if first > last:
        return []
    if months_between(first, last) > MAX_FILLED_MONTHS:
        return sorted(m for m in months_with_data if m <= last)
    return month_range(first, last)


def current_month() -> str:
    today = timezone.localdate()
    return f"{today.year:04d}-{today.month:02d}"


def month_range_start(last: str, months: int) -> str:
    year, month = (int(part) for part in last.split("-"))
    index = year * 12 + (month - 1) - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
