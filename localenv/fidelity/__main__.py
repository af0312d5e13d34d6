"""Print the fidelity table, or rewrite it in FIDELITY.md with --write."""

from __future__ import annotations

import sys
from pathlib import Path

from localenv.fidelity import markdown

BEGIN = "<!-- fidelity-table:begin -->"
END = "<!-- fidelity-table:end -->"
DOC = Path(__file__).resolve().parent.parent / "FIDELITY.md"


def render(doc_text: str) -> str:
    """Return ``doc_text`` with the generated table between the markers."""
    head, rest = doc_text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{BEGIN}\n{markdown()}{END}{tail}"


def main() -> int:
    if "--write" in sys.argv[1:]:
        DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
