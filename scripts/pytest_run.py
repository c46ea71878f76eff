"""Run the test suite the way `make test` does, and fail when pytest collected nothing.

pytest exits 5 when no test was collected. Our suite always has tests, so "none collected" means a
renamed test path or a `-k`/`-m` that matches nothing: reported as a failure, never as a green run.
"""

from __future__ import annotations

import sys

import pytest

NO_TESTS_COLLECTED = 5


def main() -> int:
    code = int(pytest.main(["-q", "-ra", "--tb=short", *sys.argv[1:]]))
    if code == NO_TESTS_COLLECTED:
        print(
            "FAILED: pytest collected no tests. Check the test paths and any -k/-m expression: "
            "a suite that runs nothing proves nothing.",
            file=sys.stderr,
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
