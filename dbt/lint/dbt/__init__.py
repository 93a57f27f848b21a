"""Stand-ins for dbt's cross-database macros, so SQLFluff's jinja templater can render
the models for linting. dbt itself never imports this folder."""


def type_string() -> str:
    return "varchar"


def type_int() -> str:
    return "integer"


def type_bigint() -> str:
    return "bigint"


def type_timestamp() -> str:
    return "timestamp"


def concat(fields: list[str]) -> str:
    return "concat(" + ", ".join(fields) + ")"


def safe_cast(field: str, type_: str) -> str:
    return f"cast({field} as {type_})"


def datediff(first: str, second: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first}, {second})"


def last_day(date: str, datepart: str) -> str:
    return f"last_day({date})"


def position(substring: str, string: str) -> str:
    return f"position({substring} in {string})"
