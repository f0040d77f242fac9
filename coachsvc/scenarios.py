"""Drill scenarios: YAML files in `training_scenarios/`, one per scenario, validated on load.

A scenario is a virtual customer raising one objection. The schema (marshmallow) checks every
field; a file that fails is reported with its name, the field and the problem, and the others
still load. The IDs (stage, objection category, behaviours) are shared/domain.md's.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from coachsvc.config import REPO_ROOT, STAGES

log = logging.getLogger(__name__)

SCENARIO_DIR = REPO_ROOT / "training_scenarios"

#: Objection categories (shared/domain.md, "客户异议"), in the table's order, with their labels.
CATEGORY_LABELS: dict[str, str] = {
    "price": "价格异议",
    "budget": "预算不足",
    "competitor": "竞品对比",
    "timing": "时机未到",
    "authority": "决策权限",
    "trust": "信任与资质",
    "need": "需求不匹配",
    "delivery": "交付周期",
    "service": "售后服务",
    "terms": "合同与付款条款",
}
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)

#: The 12 radar behaviours (shared/domain.md, "能力雷达"), with their labels.
BEHAVIOUR_LABELS: dict[str, str] = {
    "rapport": "开场破冰",
    "questioning": "提问技巧",
    "needs_discovery": "需求挖掘深度",
    "listening": "倾听与确认",
    "solution_tailoring": "方案定制化程度",
    "value_articulation": "价值与ROI呈现",
    "objection_handling": "异议处理",
    "competitor_handling": "竞品应对",
    "price_negotiation": "价格谈判节奏",
    "decision_mapping": "决策链识别",
    "next_step_commitment": "推进与促成",
    "responsiveness": "响应速度",
}
BEHAVIOURS: tuple[str, ...] = tuple(BEHAVIOUR_LABELS)

_ID = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{1,79}$", error="must be lowercase letters, digits, - or _")
_TEXT = validate.Length(min=2, max=500)


@dataclass(frozen=True)
class KeyPoint:
    """Something a good answer does, with example phrasings and the customer's line if missed."""

    id: str
    description: str
    examples: tuple[str, ...]
    follow_up: str
    weight: float = 1.0


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    industry: str
    persona: str
    stage: str
    category: str
    opening: str
    variants: tuple[str, ...]
    key_points: tuple[KeyPoint, ...]
    course: str
    behaviours: tuple[str, ...]

    @property
    def lines(self) -> tuple[str, ...]:
        """Every way the customer may open: the opening line and its variants."""
        return (self.opening, *self.variants)

    def pick_opening(self, rng: random.Random | None = None) -> str:
        return (rng or random).choice(self.lines)

    def key_point(self, point_id: str) -> KeyPoint:
        return next(p for p in self.key_points if p.id == point_id)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]


class KeyPointSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=_ID)
    description = fields.String(required=True, validate=_TEXT)
    examples = fields.List(
        fields.String(validate=_TEXT),
        required=True,
        validate=validate.Length(min=2, error="needs at least {min} example phrasings"),
    )
    follow_up = fields.String(required=True, validate=_TEXT)
    weight = fields.Float(load_default=1.0, validate=validate.Range(min=0.1, max=5))

    @post_load
    def build(self, data: dict[str, Any], **_kw: Any) -> KeyPoint:
        return KeyPoint(
            id=data["id"],
            description=data["description"],
            examples=tuple(data["examples"]),
            follow_up=data["follow_up"],
            weight=data["weight"],
        )


class ScenarioSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=_ID)
    title = fields.String(required=True, validate=validate.Length(min=2, max=120))
    industry = fields.String(required=True, validate=validate.Length(min=1, max=40))
    persona = fields.String(required=True, validate=_TEXT)
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    opening = fields.String(required=True, validate=_TEXT)
    variants = fields.List(fields.String(validate=_TEXT), load_default=list)
    key_points = fields.List(
        fields.Nested(KeyPointSchema),
        required=True,
        validate=validate.Length(min=2, max=6, error="needs {min} to {max} key points"),
    )
    course = fields.String(required=True, validate=validate.Length(min=2, max=80))
    behaviours = fields.List(
        fields.String(validate=validate.OneOf(BEHAVIOURS)),
        required=True,
        validate=validate.Length(min=1, error="names at least {min} behaviour"),
    )

    @validates_schema
    def unique_key_points(self, data: dict[str, Any], **_kw: Any) -> None:
        ids = [p.id for p in data.get("key_points", [])]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValidationError(f"duplicate key point id: {', '.join(dupes)}", "key_points")

    @post_load
    def build(self, data: dict[str, Any], **_kw: Any) -> Scenario:
        return Scenario(
            id=data["id"],
            title=data["title"],
            industry=data["industry"],
            persona=data["persona"],
            stage=data["stage"],
            category=data["category"],
            opening=data["opening"],
            variants=tuple(data["variants"]),
            key_points=tuple(data["key_points"]),
            course=data["course"],
            behaviours=tuple(dict.fromkeys(data["behaviours"])),
        )


class ScenarioError(Exception):
    """A scenario file that cannot be used: names the file, the field and the problem."""

    def __init__(self, file: str, field_name: str, problem: str) -> None:
        super().__init__(f"{file}: {field_name}: {problem}")
        self.file, self.field, self.problem = file, field_name, problem


@dataclass
class ScenarioSet:
    """The scenarios that loaded, by id, and the errors of the files that did not."""

    scenarios: dict[str, Scenario] = field(default_factory=dict)
    errors: list[ScenarioError] = field(default_factory=list)

    def get(self, scenario_id: str) -> Scenario | None:
        return self.scenarios.get(scenario_id)

    def by_category(self, category: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if s.category == category]

    def __iter__(self):
        return iter(self.scenarios.values())

    def __len__(self) -> int:
        return len(self.scenarios)


def load_scenario(path: Path) -> Scenario:
    """Parse and validate one scenario file; raises ScenarioError naming the field and problem."""
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(name, "(file)", f"not valid UTF-8 at byte {exc.start}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise ScenarioError(name, where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(raw, dict):
        raise ScenarioError(name, "(file)", "must be a YAML mapping of scenario fields")
    try:
        scenario = ScenarioSchema().load(raw)
    except ValidationError as exc:
        field_name, problem = _first_error(exc.messages)
        raise ScenarioError(name, field_name, problem) from exc
    if path.stem != scenario.id:
        raise ScenarioError(name, "id", f"'{scenario.id}' must match the file name '{path.stem}'")
    return scenario


def load_scenarios(directory: Path | str = SCENARIO_DIR) -> ScenarioSet:
    """Load every `*.yaml` file of `directory`; bad files are logged and reported, never fatal."""
    result = ScenarioSet()
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            log.error("scenario rejected: %s", exc)
            result.errors.append(exc)
            continue
        result.scenarios[scenario.id] = scenario
    return result


#: How often (seconds) the folder is checked for added, removed or changed files.
RELOAD_CHECK_SECONDS = 2.0
_cache: dict[str, tuple[tuple[tuple[str, float], ...], ScenarioSet, float]] = {}


def scenario_set(directory: Path | str | None = None) -> ScenarioSet:
    """The scenarios of `directory` (default: the app's DRILL_SCENARIO_DIR or the repo's folder),
    reloaded when a file is added, removed or changed (checked at most every few seconds)."""
    directory = Path(directory or _configured_dir())
    cached = _cache.get(str(directory))
    now = time.monotonic()
    if cached is not None and now - cached[2] < RELOAD_CHECK_SECONDS:
        return cached[1]
    stamp = tuple((p.name, p.stat().st_mtime) for p in sorted(directory.glob("*.yaml")))
    scenarios = cached[1] if cached is not None and cached[0] == stamp else load_scenarios(directory)
    _cache[str(directory)] = (stamp, scenarios, now)
    return scenarios


def _configured_dir() -> Path:
    from flask import current_app, has_app_context

    if has_app_context() and current_app.config.get("DRILL_SCENARIO_DIR"):
        return Path(current_app.config["DRILL_SCENARIO_DIR"])
    return SCENARIO_DIR


def _first_error(messages: Any, prefix: str = "") -> tuple[str, str]:
    """Flatten marshmallow's nested messages to (dotted.field.path, first problem)."""
    if isinstance(messages, dict):
        key = next(iter(messages))
        path = f"{prefix}.{key}" if prefix else str(key)
        return _first_error(messages[key], path)
    if isinstance(messages, list) and messages:
        if all(isinstance(m, str) for m in messages):
            return prefix or "(file)", "; ".join(messages)
        return _first_error(messages[0], prefix)
    return prefix or "(file)", str(messages)
