"""Settings are declared, never hidden: one place reads the environment, the docs list it all.

Code reads ``settings.X`` only for an X that ``buurtplatform/settings.py`` (or Django) declares,
never ``getattr(settings, X, default)`` with a default tucked away at the call site; every
environment variable settings.py reads is in the README's configuration table, and that table
and ``.env.example`` list the same variables.
"""

import re
from pathlib import Path

from django.conf import global_settings

from buurtplatform import settings as project_settings

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "audit",
    "areas",
    "platforms",
    "recognition",
    "budgets",
    "reports",
    "buurtplatform",
    "workflows",
]
# Test overrides and the readers themselves may touch the environment directly.
ENV_READERS = {"buurtplatform/env.py", "buurtplatform/settings_test.py"}


def _sources() -> list[Path]:
    files = []
    for app in APPS:
        folder = ROOT / app
        if folder.is_dir():
            files.extend(sorted(folder.rglob("*.py")))
    assert files, "no application sources found"
    return files


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _hits(pattern: str, *, skip: set[str] = frozenset()) -> list[str]:
    regex = re.compile(pattern)
    hits = []
    for path in _sources():
        if _rel(path) in skip:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if regex.search(line):
                hits.append(f"{_rel(path)}:{number}: {line.strip()}")
    return hits


def _readme_variables() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^### Configuration\n(.*?)(?=^#{1,3} )", text, re.M | re.S)
    assert match, "README.md has no '### Configuration' section"
    return re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", match.group(1), re.M)


def _env_example_variables() -> list[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M)


def _variables_settings_reads() -> list[str]:
    text = (ROOT / "buurtplatform" / "settings.py").read_text(encoding="utf-8")
    return re.findall(r"\benv_[a-z]+\(\s*\"([A-Z][A-Z0-9_]*)\"", text)


def test_no_code_reads_a_setting_with_a_hidden_default():
    assert _hits(r"\b(getattr|hasattr)\(\s*(django_)?settings\b") == []


def test_only_settings_py_reads_the_environment():
    pattern = r"os\.environ\.get\(|os\.environ\[|os\.getenv\(|\benviron\.get\("
    assert _hits(pattern, skip=ENV_READERS) == []


def test_every_setting_the_code_reads_is_declared():
    names = set()
    for path in _sources():
        if _rel(path).startswith("buurtplatform/settings"):
            continue
        names.update(re.findall(r"\bsettings\.([A-Z][A-Z0-9_]*)\b", path.read_text("utf-8")))
    assert names, "expected some settings reads"
    undeclared = sorted(
        name
        for name in names
        if not hasattr(project_settings, name) and not hasattr(global_settings, name)
    )
    assert undeclared == []


def test_project_settings_read_by_code_come_from_settings_py_not_django_defaults():
    for name in (
        "SITE_URL",
        "SITE_NAME",
        "SEPA_DEBTOR_NAME",
        "SEPA_DEBTOR_IBAN",
        "SEPA_DEBTOR_BIC",
        "REPORTS_MAX_ROWS",
        "PUBLIC_PAGE_CACHE_SECONDS",
    ):
        assert hasattr(project_settings, name), name
        assert name in _variables_settings_reads(), name


def test_readme_documents_every_variable_settings_py_reads():
    readme = _readme_variables()
    missing = sorted(set(_variables_settings_reads()) - set(readme))
    assert missing == [], f"not in the README's configuration table: {missing}"
    unknown = sorted(set(readme) - set(_variables_settings_reads()))
    assert unknown == [], f"in the README but never read by settings.py: {unknown}"


def test_readme_table_and_env_example_list_the_same_variables():
    readme, example = _readme_variables(), _env_example_variables()
    assert len(readme) == len(set(readme)), "a variable appears twice in the README table"
    assert len(example) == len(set(example)), "a variable appears twice in .env.example"
    assert sorted(set(readme) - set(example)) == [], "in the README but not in .env.example"
    assert sorted(set(example) - set(readme)) == [], "in .env.example but not in the README"
