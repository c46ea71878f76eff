"""scripts/check_translations.py: the shipped German content agrees with the English, and the
check notices a translation whose values drifted."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check_translations.py"
CONTENT = ROOT / "services" / "air" / "src" / "air" / "content"


def load_script() -> ModuleType:
    """The script, which is not a package module."""
    spec = importlib.util.spec_from_file_location("aos_check_translations", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_translations_agree_with_the_english_documents() -> None:
    problems, texts = load_script().check_pack(CONTENT)
    assert problems == []
    assert texts["de"], "no German document was checked"


def test_a_changed_torque_in_a_translation_is_reported(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    german = content / "documents" / "de" / "ri-g20-front-brake-pads-discs.md"
    text = german.read_text(encoding="utf-8")
    torques = [word for word in text.split() if word.isdigit() and f"{word} Nm" in text]
    assert torques, "the brake document names no torque"
    german.write_text(text.replace(f"{torques[0]} Nm", f"{int(torques[0]) + 1} Nm"), "utf-8")

    problems, _ = load_script().check_pack(content)

    assert any("ri-g20-front-brake-pads-discs" in problem for problem in problems), problems
