"""The pages of the viewer, rendered to HTML by Jinja2 (autoescape on).

Runs, episodes, one episode, compare, tournament and training. `Viewer` knows the served root and its
sources; the web app (`agora.view.app`) and the static export (`agora.view.export`) both render through
it, with different `Links`.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2

from agora.view import charts
from agora.view.index import SORTS, EpisodeIndex, Filters
from agora.view.records import diff_lines, episode_view, parse_record
from agora.view.sources import Source, discover

PER_PAGE = 50
MAX_JSON_FILE_BYTES = 50 * 1024 * 1024
"""results.json, metrics.jsonl and config.json larger than this are not read."""
MAX_CURVES = 12
CURVE_PRIORITY = ("eval/", "env/return_mean", "env/win_rate", "env/valid_rate", "losses/loss", "losses/kl")
"""The metrics drawn when none are asked for, in this order (then others), `DEFAULT_CURVES` of them."""
DEFAULT_CURVES = 8
MAX_PARAM_CHARS = 200


class NotFound(Exception):
    """A page asked for a source, episode or file that is not there."""


class Links:
    """URLs of the pages: server paths, or relative file names in a static export (None: not exported)."""

    def __init__(self, export_depth: int | None = None):
        self.export_depth = export_depth

    def __call__(self, page: str, sid: str = "", /, **params: Any) -> str | None:
        """The URL of `page` (with `params` as its query when served; ``page=`` among them is a page number)."""
        params = {k: v for k, v in params.items() if not (v is None or v is False or v == "")}  # 0 stays
        if self.export_depth is None:
            path = {
                "runs": "/",
                "episodes": f"/s/{sid}/episodes",
                "episode": f"/s/{sid}/e/{params.pop('n', 0)}",
                "tournament": f"/s/{sid}/tournament",
                "training": f"/s/{sid}/training",
                "compare": "/compare",
                "static": f"/static/{params.pop('name', '')}",
            }[page]
            return path + ("?" + urlencode(params, doseq=True) if params else "")
        return self._file(page, sid, params)

    def _file(self, page: str, sid: str, params: dict[str, Any]) -> str | None:
        up = "../" * (self.export_depth or 0)
        if page == "episodes":
            if set(params) - {"page"}:
                return None  # filtered views need the server
            return f"{up}s/{sid}/episodes-{int(params.get('page', 1))}.html"
        files = {
            "runs": "index.html",
            "episode": f"s/{sid}/e/{params.get('n', 0)}.html",
            "tournament": f"s/{sid}/tournament.html",
            "training": f"s/{sid}/training.html",
            "static": f"static/{params.get('name', '')}",
        }
        return up + files[page] if page in files else None

    @property
    def static_copy(self) -> bool:
        """Whether pages are rendered for a static export (no forms, no search)."""
        return self.export_depth is not None


class Viewer:
    """The pages over one served path (a file or a folder); sources are found again when asked for."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        if not self.root.exists():
            raise FileNotFoundError(f"{root} does not exist: give a run folder, a rollout JSONL or a tournament.")
        self._lock = threading.Lock()
        self._indexes: dict[Path, EpisodeIndex] = {}
        self._charts: dict[tuple[Any, ...], str] = {}
        self.sources: dict[str, Source] = {}
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("agora.view", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )
        self.env.filters["num"] = _num
        self.rediscover()

    # ------------------------------------------------------------------ sources
    def rediscover(self) -> list[Source]:
        """Finds the sources under the root again."""
        found = discover(self.root)
        with self._lock:
            self.sources = {s.sid: s for s in found}
        return found

    def source(self, sid: str, kind: str) -> Source:
        """The source `sid` of `kind`; NotFound otherwise (ids are looked up, never turned into paths)."""
        found = self.sources.get(sid) or {s.sid: s for s in self.rediscover()}.get(sid)
        if found is None or found.kind != kind:
            raise NotFound(f"no {kind} source {sid!r}")
        return found

    def index(self, path: Path) -> EpisodeIndex:
        """The (refreshed) index of an episode file."""
        with self._lock:
            index = self._indexes.get(path)
            if index is None:
                index = self._indexes[path] = EpisodeIndex(path)
        index.refresh()
        return index

    def episodes_source_of(self, folder: Path, name: str) -> Source | None:
        """The episode source of `folder/name` (a tournament's games, a training run's episodes), if any."""
        path = folder / name
        for source in self.sources.values():
            if source.kind == "episodes" and source.path == path:
                return source
        return None

    def _chart(self, path: Path, draw: Any, variant: tuple[str, ...] = ()) -> str:
        """A chart drawn from the file `path`, drawn again only when the file changed."""
        stat = path.stat()
        key = (path, stat.st_size, stat.st_mtime_ns, variant)
        if key not in self._charts:
            if len(self._charts) > 64:
                self._charts.clear()
            self._charts[key] = draw()
        return self._charts[key]

    def close(self) -> None:
        """Closes every index."""
        for index in self._indexes.values():
            index.close()

    # ------------------------------------------------------------------ rendering
    def render(self, template: str, links: Links, **context: Any) -> str:
        """One page."""
        page = self.env.get_template(template)
        return page.render(url=links, static_copy=links.static_copy, root=self.root.name, **context)

    def runs_page(self, links: Links) -> str:
        """Every source, with counts, env ids, agents, returns and failures of the episode files."""
        runs = []
        for source in self.rediscover():
            entry: dict[str, Any] = {"source": source}
            if source.kind == "episodes":
                index = self.index(source.path)
                envs = index.summary()
                entry.update(
                    envs=envs,
                    agents=index.agents()[:12],
                    episodes=sum(e["episodes"] for e in envs),
                    failed=sum(e["failed"] or 0 for e in envs),
                    infra=sum(e["infra"] or 0 for e in envs),
                    skipped=index.skipped(),
                )
            runs.append(entry)
        episode_sources = [s for s in self.sources.values() if s.kind == "episodes"]
        return self.render("runs.html", links, runs=runs, episode_sources=episode_sources)

    def episodes_page(self, links: Links, sid: str, query: Mapping[str, str], max_pages: int | None = None) -> str:
        """The filtered, sorted, paged table of one episode file (`max_pages`: the last page linked to)."""
        source = self.source(sid, "episodes")
        index = self.index(source.path)
        filters, page = parse_filters(query), _int(query.get("page"), 1, 1, 10**7) or 1
        rows, total = index.query(filters, page=page, per_page=PER_PAGE)
        pages = max(1, math.ceil(total / PER_PAGE))
        pages = min(pages, max_pages) if max_pages else pages
        state = {k: v for k, v in query.items() if k != "page" and v}
        return self.render(
            "episodes.html",
            links,
            source=source,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            filters=filters,
            state=state,
            sorts=list(SORTS),
            envs=index.distinct("env_id"),
            statuses=index.distinct("status"),
            agents=index.agents(),
            skipped=index.skipped(),
        )

    def episode_page(self, links: Links, sid: str, n: int, last: int | None = None) -> str:
        """One episode, turn by turn (`last`: the last episode number linked to)."""
        source = self.source(sid, "episodes")
        index = self.index(source.path)
        row = index.row(n)
        if row is None:
            raise NotFound(f"no episode {n} in {source.name}")
        try:
            episode = episode_view(parse_record(index.read(row)))
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise NotFound(f"episode {n} of {source.name} is not readable: {e}") from None
        others = [s for s in self.sources.values() if s.kind == "episodes" and s.sid != sid]
        return self.render(
            "episode.html",
            links,
            source=source,
            n=n,
            total=min(index.count(), last) if last else index.count(),
            e=episode,
            others=others,
            agent_diff=diff_lines(episode["agent_patch"]),
            bug_diff=diff_lines(episode["bug_patch"]),
        )

    def compare_page(self, links: Links, query: Mapping[str, str]) -> str:
        """Two episode files side by side: per-env success rates, return histograms, one seed's episodes."""
        a = self.source(query.get("a", ""), "episodes")
        b_sid = query.get("b", "")
        b = self.source(b_sid, "episodes") if b_sid else None
        runs = [(a, self.index(a.path))] + ([(b, self.index(b.path))] if b else [])
        env = str(query.get("env", ""))[:MAX_PARAM_CHARS]
        table = _compare_table(runs)
        env = env or (table[0]["env_id"] if table else "")
        hist = charts.histograms(f"returns on {env}", {s.name: index.returns(env) for s, index in runs} if env else {})
        seeds = sorted(set.intersection(*(set(index.seeds(env)) for _, index in runs)))[:200] if env else []
        seed = _int(query.get("seed"), None, -(2**62), 2**62)
        pair = [self._seed_episode(s, index, env, seed) for s, index in runs] if seed is not None else []
        choices = [s for s in self.sources.values() if s.kind == "episodes"]
        return self.render(
            "compare.html",
            links,
            a=a,
            b=b,
            env=env,
            table=table,
            hist=hist,
            seeds=seeds,
            seed=seed,
            pair=pair,
            choices=choices,
        )

    def _seed_episode(self, source: Source, index: EpisodeIndex, env: str, seed: int) -> dict[str, Any]:
        rows, _ = index.query(Filters(env=env, seed=seed), per_page=1)
        if not rows:
            return {"source": source, "n": None, "e": None}
        return {"source": source, "n": rows[0].rowid, "e": episode_view(parse_record(index.read(rows[0])))}

    def tournament_page(self, links: Links, sid: str) -> str:
        """Ratings with intervals, the W/D/L matrix and links to every game."""
        source = self.source(sid, "tournament")
        summary = _read_json(source.path / "results.json")
        if not isinstance(summary, dict):
            raise NotFound(f"{source.name}/results.json is not a tournament summary")
        rows = [r for r in summary.get("ratings", []) if isinstance(r, dict)][:100]
        agents = [str(r.get("agent", "")) for r in rows]
        matrix = summary.get("matrix") if isinstance(summary.get("matrix"), dict) else {}
        games = self.episodes_source_of(source.path, "games.jsonl")
        return self.render(
            "tournament.html",
            links,
            source=source,
            summary=summary,
            rows=rows,
            agents=agents,
            matrix=matrix,
            chart=self._chart(source.path / "results.json", lambda: charts.ratings(rows)) if rows else None,
            games=games,
            game_rows=self.index(games.path).query(Filters(), per_page=200)[0] if games else [],
        )

    def training_page(self, links: Links, sid: str, query: Mapping[str, Any] | None = None) -> str:
        """Learning curves from metrics.jsonl (`query["m"]`: the metrics drawn) and each update's episodes."""
        source = self.source(sid, "training")
        metrics = read_metrics(source.path / "metrics.jsonl")
        keys = sorted({k for row in metrics for k in row if k != "step"})
        asked = [m for m in _list_param(query, "m") if m in keys]
        drawn = asked[:MAX_CURVES] or default_curves(keys)
        series = []
        for key in drawn:
            points = [(row["step"], row[key]) for row in metrics if key in row and row["step"] >= 0]
            if points:
                series.append((key, [p[0] for p in points], [p[1] for p in points]))
        path = source.path / "metrics.jsonl"
        curves = self._chart(path, lambda: charts.curves(series), tuple(drawn)) if series else None
        episodes = self.episodes_source_of(source.path, "episodes.jsonl")
        per_step = self.index(episodes.path).steps() if episodes else {}
        config = _read_json(source.path / "config.json")
        return self.render(
            "training.html",
            links,
            source=source,
            metrics=metrics[-500:],
            keys=drawn,
            all_keys=keys,
            curves=curves,
            episodes=episodes,
            per_step=per_step,
            config=json.dumps(config, indent=1)[:20_000] if config else "",
        )


def default_curves(keys: list[str]) -> list[str]:
    """The metrics drawn by default: those named in `CURVE_PRIORITY` first."""
    ranked = sorted(keys, key=lambda k: next((i for i, p in enumerate(CURVE_PRIORITY) if k.startswith(p)), 99))
    return ranked[:DEFAULT_CURVES]


def _list_param(query: Any, key: str) -> list[str]:
    if query is None:
        return []
    values = query.getlist(key) if hasattr(query, "getlist") else [query.get(key, "")]
    return [str(v)[:MAX_PARAM_CHARS] for v in values[:MAX_CURVES] if v]


def parse_filters(query: Mapping[str, str]) -> Filters:
    """The episodes table's filters from a query string (bad numbers are ignored, texts capped)."""

    def text(key: str) -> str:
        return str(query.get(key, ""))[:MAX_PARAM_CHARS]

    return Filters(
        env=text("env"),
        agent=text("agent"),
        agent2=text("agent2"),
        status=text("status"),
        min_return=_float(query.get("min")),
        max_return=_float(query.get("max")),
        infra=bool(query.get("infra")),
        invalid=bool(query.get("invalid")),
        step=_int(query.get("step"), None, -(2**62), 2**62),
        seed=_int(query.get("seed"), None, -(2**62), 2**62),
        search=text("q"),
        sort=text("sort") if text("sort") in SORTS else "line",
        descending=query.get("order") == "desc",
    )


def read_metrics(path: Path) -> list[dict[str, float]]:
    """The rows of a metrics file with a numeric step (others skipped), at most `MAX_JSON_FILE_BYTES` read."""
    if not path.is_file():
        return []
    rows = []
    with open(path, "rb") as f:
        data = f.read(MAX_JSON_FILE_BYTES)
    for line in data.split(b"\n"):
        try:
            row = json.loads(line)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
        if isinstance(row, dict) and isinstance(row.get("step"), (int, float)):
            rows.append({str(k)[:100]: float(v) for k, v in row.items() if _is_number(v)})
    return rows


def _compare_table(runs: list[tuple[Source, EpisodeIndex]]) -> list[dict[str, Any]]:
    by_env: dict[str, dict[str, Any]] = {}
    for i, (_, index) in enumerate(runs):
        for row in index.summary():
            entry = by_env.setdefault(row["env_id"], {"env_id": row["env_id"], "runs": [None] * len(runs)})
            entry["runs"][i] = row
    return [by_env[k] for k in sorted(by_env)]


def _read_json(path: Path) -> Any:
    if not path.is_file() or path.stat().st_size > MAX_JSON_FILE_BYTES:
        return None
    try:
        return json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _float(value: Any) -> float | None:
    try:
        number = float(str(value)[:40])
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _int(value: Any, default: int | None, low: int, high: int) -> int | None:
    text = str(value)[:20] if value is not None else ""
    try:
        number = int(text)
    except ValueError:
        return default
    return min(max(number, low), high)


def _num(value: Any, digits: int = 3) -> str:
    """A number for a table cell: up to `digits` decimals, blank for None."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:.{digits}f}"
