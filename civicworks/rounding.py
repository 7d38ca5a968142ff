"""One rounding rule for the figures people read, the same on PostgreSQL and on SQLite.

The rule is PostgreSQL's `round(CAST(x AS NUMERIC), places)`: a floating-point value is first
read to 15 significant digits (what PostgreSQL keeps when it casts a double precision to
numeric), then rounded half away from zero. So 38.18499999999999, the floating-point sum of
(30 × 1.99 + 30 × 74.38) / 60 = 38.185, becomes 38.19 as on paper.

SQLite's own round() works on the binary value (38.18) and has changed between SQLite
versions, so on SQLite the scorecard SQL calls `civicworks_round`, this rule registered as an
SQL function on every new connection (`register_sqlite_functions`, connected in
`evaluation.apps`). Python code rounds with `round_half_up`, which is the same rule.
"""

from decimal import ROUND_HALF_UP, Decimal

SIGNIFICANT_DIGITS = 15  # DBL_DIG: PostgreSQL's float8 → numeric cast keeps this many
SQL_FUNCTION = "civicworks_round"


def as_decimal(value: Decimal | float | int | str) -> Decimal:
    if isinstance(value, float):
        return Decimal(f"{value:.{SIGNIFICANT_DIGITS}g}")
    return Decimal(value) if not isinstance(value, Decimal) else value


def round_half_up(value: Decimal | float | int | str | None, places: int = 2) -> Decimal | None:
    """`value` rounded to `places` decimals as PostgreSQL rounds a double cast to numeric."""
    if value is None:
        return None
    return as_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def sql_round(expression: str, places: int, vendor: str) -> str:
    """SQL for `expression` rounded by this rule on the given database vendor."""
    if vendor == "postgresql":
        return f"round(CAST({expression} AS NUMERIC), {int(places)})"
    return f"{SQL_FUNCTION}({expression}, {int(places)})"


def _sqlite_round(value, places):
    rounded = round_half_up(value, int(places))
    return None if rounded is None else float(rounded)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: give every SQLite connection `civicworks_round`."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQL_FUNCTION, 2, _sqlite_round, deterministic=True)
