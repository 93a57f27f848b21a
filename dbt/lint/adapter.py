"""Stand-in for dbt's `adapter` in SQLFluff's jinja templater: a dispatched macro renders
as a plain function call of the same name, which is enough to lint the surrounding SQL."""

from collections.abc import Callable


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., str]:
    def render(*args: object) -> str:
        return f"{macro_name}(" + ", ".join(str(a) for a in args) + ")"

    return render
