"""ALFWorld games generated offline from the ``alfworld`` wheel: floor plans, domain, grammar, goals.

The wheel ships what an ALFWorld game is made of, but not the games (a web download): the PDDL domain
(``alfworld/data/alfred.pddl``), the text grammar (``alfred.twl2``), the goal library (the PDDL goal
and the task sentence of each task type), ALFRED's object rules (``alfworld.gen.constants``: which
object types each receptacle type holds, which are heatable, coolable, cleanable, toggleable) and the
ALFRED floor plans (``alfworld/gen/layouts/FloorPlanN-objects.json``: the object types of a scene;
``FloorPlanN-openable.json``: its receptacles with the pose the agent interacts from).

`game_spec(split, index, attempt)` draws one game from a seed of its own
(``alfworld/<split>/<index>/<attempt>``). Game ``index`` has task type ``TASK_TYPES[index % 6]``; the
draw picks a scene of the split that supports it (ALFRED's ``GOALS_VALID`` and the scene's
receptacles: ``train`` and ``valid_seen`` use ALFRED's training scenes, ``valid_unseen`` the scenes
ALFRED holds out), the task's objects, and places every pickupable object type of the scene, 1 to 3
instances each, in receptacles that can hold it (never in the goal's receptacle type, so the goal
never holds at the start). `problem_pddl` writes it as a PDDL problem in ALFWorld's own naming, and
`write_game` as the ``game.tw-pddl`` + ``traj_data.json`` pair that ALFWorld's loader and hand-coded
expert read.
"""

from __future__ import annotations

import dataclasses
import json
import random
from functools import cache
from pathlib import Path
from typing import Any

from agora._optional import require

TASK_TYPES = (
    "pick_and_place_simple",
    "look_at_obj_in_light",
    "pick_clean_then_place_in_recep",
    "pick_heat_then_place_in_recep",
    "pick_cool_then_place_in_recep",
    "pick_two_obj_and_place",
)
"""ALFWorld's six task types, in its order (task type ids 1 to 6)."""
SPLITS = {"train": 3553, "valid_seen": 140, "valid_unseen": 134}
"""Each split's number of games: the sizes of ALFWorld's own train, valid_seen and valid_unseen."""
SCENE_TYPES = {
    "Kitchen": range(1, 31),
    "LivingRoom": range(201, 231),
    "Bedroom": range(301, 331),
    "Bathroom": range(401, 431),
}
APPLIANCE = {
    "pick_clean_then_place_in_recep": "SinkBasin",
    "pick_heat_then_place_in_recep": "Microwave",
    "pick_cool_then_place_in_recep": "Fridge",
}
LAMPS = ("DeskLamp", "FloorLamp")
LAMP_SURFACES = ("Desk", "SideTable", "Dresser", "Shelf", "DiningTable", "CoffeeTable", "CounterTop", "TVStand")
"""Where a lamp stands (ALFRED's rules put no lamp in any receptacle; in its scenes lamps stand on these)."""


@dataclasses.dataclass(frozen=True)
class Receptacle:
    """A fixed receptacle of a floor plan: its ALFRED id, type and the location the agent uses it from."""

    id: str
    type: str
    location: str


@dataclasses.dataclass(frozen=True)
class GameSpec:
    """One generated game: scene, task and where every object starts."""

    split: str
    index: int
    floor_plan: int
    task_type: str
    params: dict[str, Any]
    receptacles: tuple[Receptacle, ...]
    objects: tuple[tuple[str, str, str], ...]
    """(object id, object type, receptacle id) for every object."""

    @property
    def name(self) -> str:
        """A file-system name for the game."""
        return f"{self.split}-{self.index:05d}-{self.task_type}-FloorPlan{self.floor_plan}"


def _alfworld() -> Any:
    return require("alfworld", "alfworld")


def constants() -> Any:
    """``alfworld.gen.constants``: ALFRED's object and scene rules."""
    return require("alfworld.gen.constants", "alfworld")


def data_file(name: str) -> Path:
    """A file of the wheel's ``alfworld/data`` (``alfred.pddl``, ``alfred.twl2``)."""
    return Path(_alfworld().__file__).parent / "data" / name


def _layout(floor_plan: int, kind: str) -> Any:
    path = Path(_alfworld().__file__).parent / "gen" / "layouts" / f"FloorPlan{floor_plan}-{kind}.json"
    return json.loads(path.read_text())


def scene_type(floor_plan: int) -> str:
    """``Kitchen``, ``LivingRoom``, ``Bedroom`` or ``Bathroom``."""
    return next(name for name, plans in SCENE_TYPES.items() if floor_plan in plans)


def split_scenes(split: str) -> tuple[int, ...]:
    """The floor plans a split draws from: ALFRED's training scenes, or its held-out scenes for valid_unseen."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    c = constants()
    return tuple(sorted(c.TEST_SCENE_NUMBERS if split == "valid_unseen" else c.TRAIN_SCENE_NUMBERS))


def _receptacle_type(alfred_id: str) -> str:
    parts = alfred_id.split("|")
    return parts[-1] if len(parts) > 4 else parts[0]  # Sink|x|y|z|SinkBasin is a SinkBasin


@cache
def scene_receptacles(floor_plan: int) -> tuple[Receptacle, ...]:
    """The fixed receptacles of a floor plan, each at the grid pose ALFRED interacts with it from."""
    c = constants()
    fixed = set(c.RECEPTACLES) - set(c.MOVABLE_RECEPTACLES)
    receptacles = []
    for alfred_id, (x, z, rotation, horizon) in sorted(_layout(floor_plan, "openable").items()):
        kind = _receptacle_type(alfred_id)
        if kind in fixed:
            location = f"loc|{round(x / 0.25)}|{round(z / 0.25)}|{int(rotation) // 90}|{int(horizon)}"
            receptacles.append(Receptacle(alfred_id, kind, location))
    return tuple(receptacles)


def _holders(object_type: str, receptacles: tuple[Receptacle, ...]) -> list[Receptacle]:
    rules = constants().VAL_RECEPTACLE_OBJECTS
    if object_type in LAMPS:
        return [r for r in receptacles if r.type in LAMP_SURFACES]
    return [r for r in receptacles if object_type in rules.get(r.type, ())]


def scene_objects(floor_plan: int) -> tuple[str, ...]:
    """The object types of a floor plan that a receptacle of the scene can hold (lamps: on a surface)."""
    c = constants()
    fixed = set(c.RECEPTACLES) - set(c.MOVABLE_RECEPTACLES)
    receptacles = scene_receptacles(floor_plan)
    kinds = [k for k in _layout(floor_plan, "objects") if k in c.OBJECTS and k not in fixed]
    return tuple(sorted(k for k in set(kinds) if _holders(k, receptacles)))


@cache
def _task_choices(task_type: str, floor_plan: int) -> list[dict[str, str]]:
    """Every (object, parent, toggle) a task type can use in a floor plan."""
    c = constants()
    receptacles = scene_receptacles(floor_plan)
    present = {r.type for r in receptacles}
    objects = [o for o in scene_objects(floor_plan) if o not in LAMPS]
    if task_type == "look_at_obj_in_light":
        lamps = [lamp for lamp in LAMPS if lamp in scene_objects(floor_plan)]
        return [{"object_target": o, "parent_target": "", "toggle_target": t} for o in objects for t in lamps]
    appliance = APPLIANCE.get(task_type)
    if appliance and appliance not in present:
        return []
    ability = {"SinkBasin": "Cleanable", "Microwave": "Heatable", "Fridge": "Coolable"}.get(appliance)
    choices = []
    for o in objects:
        if ability and o not in c.VAL_ACTION_OBJECTS[ability]:
            continue
        holders = _holders(o, receptacles)
        for parent in sorted({r.type for r in holders} - {appliance}):
            if any(r.type != parent for r in holders):  # somewhere else to start from
                choices.append({"object_target": o, "parent_target": parent, "toggle_target": ""})
    return choices


def task_type_of(index: int) -> str:
    """The task type of game `index` in any split: the six types in turn (index 0 pick and place, ...)."""
    return TASK_TYPES[index % len(TASK_TYPES)]


def game_spec(split: str, index: int, attempt: int = 0) -> GameSpec:
    """The game `index` of `split` (draw `attempt`), drawn from its own seed (see the module docs)."""
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < SPLITS.get(split, 0):
        raise ValueError(f"ALFWorld split {split!r} has games 0..{SPLITS.get(split, 0) - 1}, got {index!r}")
    rng = random.Random(f"alfworld/{split}/{index}/{attempt}")
    task_type = task_type_of(index)
    valid = constants().GOALS_VALID[task_type]
    scenes = [s for s in split_scenes(split) if scene_type(s) in valid and _task_choices(task_type, s)]
    floor_plan = rng.choice(scenes)
    params = {**rng.choice(_task_choices(task_type, floor_plan)), "mrecep_target": "", "object_sliced": False}
    objects = _place_objects(rng, floor_plan, task_type, params)
    return GameSpec(split, index, floor_plan, task_type, params, scene_receptacles(floor_plan), objects)


def _place_objects(rng: random.Random, floor_plan: int, task_type: str, params: dict[str, Any]) -> tuple:
    receptacles = scene_receptacles(floor_plan)
    placed = []
    for kind in scene_objects(floor_plan):
        holders = [r for r in _holders(kind, receptacles) if r.type != params["parent_target"]]
        if not holders:
            continue
        count = rng.randint(1, 3)
        if kind == params["object_target"] and task_type == "pick_two_obj_and_place":
            count = rng.randint(2, 3)
        if kind in LAMPS:
            count = 1
        if kind == params["object_target"] and task_type == "pick_two_obj_and_place":
            # together on an open surface: ALFWorld's expert goes back for the second one where it found the
            # first, and does not open a closed receptacle it has already searched
            surfaces = [r for r in holders if r.type not in constants().OPENABLE_CLASS_LIST] or holders
            spots = [rng.choice(surfaces)] * count
        else:
            spots = [rng.choice(holders) for _ in range(count)]
        for k, receptacle in enumerate(spots):
            placed.append((f"{kind}|{floor_plan}|{k + 1}", kind, receptacle.id))
    return tuple(placed)


def mangle(alfred_id: str) -> str:
    """An ALFRED id as a PDDL name, ALFWorld's way (``Cabinet|+00.68|...`` -> ``Cabinet_bar__plus_00_dot_68...``)."""
    table = {"-": "_minus_", "|": "_bar_", "+": "_plus_", ".": "_dot_", ",": "_comma_"}
    return "".join(table.get(ch, ch) for ch in alfred_id)


def task_description(spec: GameSpec) -> str:
    """The task sentence from ALFWorld's goal library templates (one drawn from the game's seed)."""
    glib = require("alfworld.gen.goal_library", "alfworld")
    rng = random.Random(f"alfworld/{spec.split}/{spec.index}/task")
    template = rng.choice(glib.gdict[spec.task_type]["templates"])
    p = spec.params
    return template.format(
        obj=p["object_target"].lower(),
        recep=p["parent_target"].lower(),
        toggle=p["toggle_target"].lower(),
        mrecep="",
    )


def problem_pddl(spec: GameSpec) -> str:
    """The game's PDDL problem for ALFWorld's ``alfred`` domain, with its goal from the goal library."""
    c = constants()
    glib = require("alfworld.gen.goal_library", "alfworld")
    receptacle_types = sorted(set(c.RECEPTACLES) - set(c.MOVABLE_RECEPTACLES))
    object_types = sorted((set(c.OBJECTS) | set(c.MOVABLE_RECEPTACLES)) - set(receptacle_types))
    locations = sorted({r.location for r in spec.receptacles})
    start = "loc|start"
    declared = [f"{t}Type - otype" for t in object_types] + [f"{t}Type - rtype" for t in receptacle_types]
    declared += [f"{mangle(o)} - object" for o, _, _ in spec.objects]
    declared += [f"{mangle(r.id)} - receptacle" for r in spec.receptacles]
    declared += [f"{mangle(loc)} - location" for loc in [*locations, start]] + ["agent1 - agent"]
    location_of = {r.id: r.location for r in spec.receptacles}
    facts = [f"(atLocation agent1 {mangle(start)})"]
    for r in spec.receptacles:
        facts += [f"(receptacleType {mangle(r.id)} {r.type}Type)"]
        facts += [f"(receptacleAtLocation {mangle(r.id)} {mangle(r.location)})"]
        facts += [f"(openable {mangle(r.id)})"] if r.type in c.OPENABLE_CLASS_LIST else []
    for object_id, kind, receptacle_id in spec.objects:
        name = mangle(object_id)
        facts += [f"(objectType {name} {kind}Type)", f"(inReceptacle {name} {mangle(receptacle_id)})"]
        facts += [f"(objectAtLocation {name} {mangle(location_of[receptacle_id])})"]
        facts += [f"(pickupable {name})"] if kind not in LAMPS else []
        facts += [f"(isReceptacleObject {name})"] if kind in c.MOVABLE_RECEPTACLES else []
        for ability, predicate in (("Cleanable", "cleanable"), ("Heatable", "heatable"), ("Coolable", "coolable")):
            facts += [f"({predicate} {name})"] if kind in c.VAL_ACTION_OBJECTS[ability] else []
        facts += [f"(toggleable {name})"] if kind in LAMPS else []
    for receptacle_type, kinds in sorted(c.VAL_RECEPTACLE_OBJECTS.items()):
        if receptacle_type in receptacle_types:
            facts += [f"(canContain {receptacle_type}Type {k}Type)" for k in sorted(kinds) if k in object_types]
    p = spec.params
    goal = glib.gdict[spec.task_type]["pddl"].format(
        obj=p["object_target"], recep=p["parent_target"], toggle=p["toggle_target"], mrecep=""
    )
    body = "\n        ".join(declared)
    init = "\n        ".join(facts)
    return (
        f"(define (problem {spec.name.replace('-', '_')})\n    (:domain alfred)\n    (:objects\n        {body}\n    )\n"
        f"    (:init\n        {init}\n    )\n{goal.replace('#', '-')}"
    )


def write_game(spec: GameSpec, folder: Path) -> Path:
    """Writes ``game.tw-pddl`` (domain, grammar with the task, problem) and ``traj_data.json`` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    grammar = data_file("alfred.twl2").read_text().replace("UNKNOWN GOAL", task_description(spec))
    game = {
        "pddl_domain": data_file("alfred.pddl").read_text(),
        "grammar": grammar,
        "pddl_problem": problem_pddl(spec),
        "solvable": None,
        "walkthrough": None,
    }
    traj = {
        "task_type": spec.task_type,
        "pddl_params": spec.params,
        "scene": {"floor_plan": f"FloorPlan{spec.floor_plan}", "scene_num": spec.floor_plan},
        "agora": {"split": spec.split, "index": spec.index},
    }
    (folder / "traj_data.json").write_text(json.dumps(traj, indent=1))
    path = folder / "game.tw-pddl"
    path.write_text(json.dumps(game))
    return path
