"""MkDocs hooks that generate the site's pages from agora itself, so they can never drift from the code.

- ``envs/index.md`` and one page per registered env id, ``envs/<family>/<Name>-vN.md``, from the env's own
  docs (`agora.registry.EnvSpec.docs`, the text `agora info ID` prints);
- the ``{{ benchmark_results }}`` placeholder in ``benchmarks.md``: the latest run of each benchmark beside
  the one before, from ``benchmarks/results.jsonl`` (written by every script in `benchmarks/`).
"""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "benchmarks" / "results.jsonl"
PLACEHOLDER = "{{ benchmark_results }}"


def env_page_path(env_id: str) -> str:
    """The site path of an env id's page: ``envs/games/TicTacToe-v0.md``."""
    return f"envs/{env_id}.md"


def _env_pages() -> dict[str, str]:
    import agora
    from agora.registry import registered_specs

    specs = registered_specs()
    pages = {}
    by_family: dict[str, list[str]] = collections.defaultdict(list)
    for env_id, spec in sorted(specs.items()):
        by_family[spec.family].append(env_id)
        pages[env_page_path(env_id)] = f"# {env_id}\n\n{spec.docs()}"
    lines = [
        "# Environments",
        "",
        f"Every registered id ({len(specs)} with agora {agora.__version__} and the plugins installed where the site "
        "was built), one page each, generated from the env's own docs: the same text as `agora info ID`.",
        "",
    ]
    for family, ids in sorted(by_family.items()):
        lines += [f"## {family}/ ({len(ids)})", ""]
        lines += [f"- [`{env_id}`]({env_id}.md)" for env_id in ids]  # relative to envs/
        lines.append("")
    pages["envs/index.md"] = "\n".join(lines)
    return pages


def on_files(files: Files, config: Any) -> Files:
    """Adds the generated env pages to the site."""
    for path, content in _env_pages().items():
        files.append(File.generated(config, path, content=content))
    return files


def _results() -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    if RESULTS.exists():
        for line in RESULTS.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                runs[entry["benchmark"]].append(entry)
    return runs


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value).replace("|", "\\|")


def _table(entry: dict[str, Any]) -> list[str]:
    cpu = entry.get("cpu", {})
    head = (
        f"*{entry['date']}, commit `{entry['commit']}`, CPU {cpu.get('model', '?')} "
        f"({', '.join(cpu.get('flags', [])) or 'no AVX2'}; {cpu.get('cores', '?')} cores), "
        f"load {entry.get('load_average', '?')}*"
    )
    rows = entry.get("rows") or []
    if not rows:
        return [head, "", "(no rows)", ""]
    keys = list(dict.fromkeys(key for row in rows for key in row))
    lines = [head, "", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_cell(row.get(key, "")) for key in keys) + " |" for row in rows]
    if entry.get("settings"):
        lines += ["", f"settings: `{json.dumps(entry['settings'], sort_keys=True)}`"]
    return lines + [""]


def benchmark_results_markdown() -> str:
    """The latest run of each benchmark and the run before it, as Markdown tables."""
    runs = _results()
    if not runs:
        return "*No benchmark has recorded a run yet: run a script in `benchmarks/`.*"
    lines: list[str] = []
    for name, entries in sorted(runs.items()):
        lines += [f"## `benchmarks/{name}.py`", "", "**Latest run**", ""] + _table(entries[-1])
        if len(entries) > 1:
            lines += ["**The run before**", ""] + _table(entries[-2])
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Fills the benchmark tables into the page that holds the placeholder."""
    if PLACEHOLDER in markdown:
        return markdown.replace(PLACEHOLDER, benchmark_results_markdown())
    return markdown
