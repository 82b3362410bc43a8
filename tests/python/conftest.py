import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = pathlib.Path(os.environ.get("CDP_SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def shared():
    if not SHARED.exists():
        pytest.fail(f"shared data folder not found at {SHARED} (set CDP_SHARED_DIR)")
    return SHARED
