"""Every run setting carries its facts on its TrainConfig field, and validation, the CLI flags and the
resume and branch rules are read from them: a field without facts, a flag without a field or a range
that lets the next value through fails here by name."""

from __future__ import annotations

import argparse
import dataclasses
import math
from types import SimpleNamespace

import pytest

from engine import branches
from engine.cli.args import UsageError, flag, given_settings, refuse_unresumable
from engine.cli.main import build_parser
from engine.cli.train import train_config
from engine.config import SETTINGS, ConfigError, TrainConfig, format_pairs
from engine.settings import GROUPS, KINDS, Resume, Setting, of

BASE = TrainConfig(task="completion")  # reads a corpus, so every field can take another valid value
RUN_COMMANDS = ("train", "tui", "race", "export-script")
COMMAND_OPTIONS = {"help", "preset", "threads", "resume", "save", "metrics", "json", "nproc", "load", "cells",
                   "seeds", "target", "output", "checkpoint"}  # each command's own, not run settings


def test_every_field_has_its_facts_in_group_order():
    assert list(SETTINGS) == [field.name for field in dataclasses.fields(TrainConfig)]
    groups = [facts.group for facts in SETTINGS.values()]
    assert sorted(groups, key=list(GROUPS).index) == groups  # declared group by group, in GROUPS order
    for name, facts in SETTINGS.items():
        assert isinstance(facts, Setting) and facts.kind in KINDS and facts.label and facts.help, name
        assert isinstance(facts.resume, Resume), name
        assert facts.refusal(getattr(TrainConfig(), name)) == "", name  # its default is accepted
        if facts.kind == "choice":
            assert getattr(TrainConfig(), name) in facts.choices(), name


def test_a_field_declared_without_facts_is_named():
    @dataclasses.dataclass(frozen=True)
    class Partial:
        steps: int = dataclasses.field(default=1, metadata={"setting": SETTINGS["steps"]})
        bare: int = 3

    with pytest.raises(KeyError, match="bare: declared without its facts"):
        of(Partial)


def bounds(facts: Setting):
    """(value just inside, value just past) at each end of a numeric range."""
    if facts.kind == "int":
        return [(facts.low, facts.low - 1), (facts.high, facts.high + 1)]
    low = (math.nextafter(facts.low, math.inf), facts.low) if facts.low_open else \
        (facts.low, math.nextafter(facts.low, -math.inf))
    return [low, (facts.high, math.nextafter(facts.high, math.inf))]


NUMERIC = [name for name, facts in SETTINGS.items() if facts.kind in ("int", "float")]


@pytest.mark.parametrize("name", NUMERIC)
def test_a_range_takes_its_bounds_and_refuses_the_value_just_past_them_by_name(name):
    base = TrainConfig()
    for inside, past in bounds(SETTINGS[name]):
        assert getattr(base.replace(**{name: inside}), name) == inside
        with pytest.raises(ConfigError, match=f"^{name}: .*out of range; accepted: ") as refused:
            base.replace(**{name: past})
        assert refused.value.field == name


@pytest.mark.parametrize("name", [name for name, facts in SETTINGS.items() if facts.kind == "choice"])
def test_a_choice_refuses_what_it_does_not_list_naming_what_it_does(name):
    choices = SETTINGS[name].choices()
    with pytest.raises(ConfigError, match=f"^{name}: 'nope' is not one of {', '.join(choices)}"):
        TrainConfig().replace(**{name: "nope"})


def another_value(name: str, facts: Setting):
    """A valid value for `name` other than BASE's."""
    now = getattr(BASE, name)
    others = {"int": lambda: facts.low if now != facts.low else facts.low + 1,
              "float": lambda: facts.high if now != facts.high else facts.low,
              "bool": lambda: not now, "choice": lambda: next(c for c in facts.choices() if c != now),
              "pairs": lambda: (("ab", "ba"),), "device": lambda: "cpu",
              "text": lambda: {"corpus": "other.txt", "keyword": "ABC"}[name]}
    return others[facts.kind]()


def cli_words(name: str, value) -> list[str]:
    """The command-line words that give `name` the value `value`."""
    if SETTINGS[name].kind == "bool":
        return [flag(name)] if value else []
    return [flag(name), format_pairs(value) if SETTINGS[name].kind == "pairs" else str(value)]


@pytest.mark.parametrize("command", RUN_COMMANDS)
def test_every_run_flag_comes_from_a_field_and_every_field_has_one(command):
    parser = build_parser()._subparsers._group_actions[0].choices[command]
    by_dest = {action.dest: action for action in parser._actions}
    assert set(by_dest) - COMMAND_OPTIONS == set(SETTINGS)
    unlisted = {"race": {"cell", "until"}}.get(command, set())  # refused by race in its own words: not in --help
    for name, facts in SETTINGS.items():
        assert by_dest[name].option_strings == [flag(name)]
        assert by_dest[name].help == argparse.SUPPRESS if name in unlisted else \
            facts.help in by_dest[name].help.replace("%%", "%")
    assert flag("accumulate_grad") == "--no-zero-grad" and flag("batch_size") == "--batch-size"


@pytest.mark.parametrize("name", list(SETTINGS))
def test_each_flag_gives_its_field_the_value_typed(name):
    value = another_value(name, SETTINGS[name])
    args = build_parser().parse_args(["train", *cli_words(name, value)])
    assert given_settings(args) == {name: value}


def test_eval_every_alone_means_exactly_every_n_steps_unless_the_others_are_given_too():
    def config(*argv):
        return train_config(build_parser().parse_args(["train", "--preset", "caesar", *argv]))

    assert (config("--eval-every", "10").eval_budget, config("--eval-every", "10").eval_early) == (0.0, False)
    both = config("--eval-every", "10", "--eval-budget", "0.05", "--eval-early")
    assert (both.eval_every, both.eval_budget, both.eval_early) == (10, 0.05, True)


@pytest.mark.parametrize("name", list(SETTINGS))
def test_train_resume_takes_exactly_the_resumable_settings(name):
    args = build_parser().parse_args(["train", "--resume", "x.safetensors",
                                      *cli_words(name, another_value(name, SETTINGS[name]))])
    if SETTINGS[name].resume.resumable:
        refuse_unresumable(args)
    else:
        with pytest.raises(UsageError, match=f"^{flag(name)}: a resumed run keeps its checkpoint's task"):
            refuse_unresumable(args)


@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_changed_setting_makes_a_branch_exactly_when_its_facts_say(name):
    changed = BASE.replace(**{name: another_value(name, SETTINGS[name])})
    made = branches.changes({"config": BASE.to_dict()}, changed)
    assert (name in made) == SETTINGS[name].resume.makes_branch and set(made) <= {name}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_a_loaded_trainer_takes_in_place_exactly_the_in_place_settings(name):
    loaded = SimpleNamespace(origin={"step": 4}, step=4, config=BASE)  # resumed, not trained since
    changed = BASE.replace(**{name: another_value(name, SETTINGS[name])})
    assert branches.can_branch(loaded, changed) == SETTINGS[name].resume.in_place
    loaded.step = 5  # trained since: the checkpoint's step has passed, no branch of it
    assert not branches.can_branch(loaded, changed)


def test_the_resume_facts_keep_the_lists_they_replace():
    def named(rule):
        return {name for name, facts in SETTINGS.items() if rule(facts.resume)}

    assert named(lambda r: r.resumable) == {"lr", "clip", "steps", "seconds", "schedule", "warmup", "precision",
                                            "log_every", "eval_every", "eval_early", "eval_budget", "until",
                                            "device", "corpus"}
    assert named(lambda r: not r.makes_branch) == {"device", "corpus", "log_every", "eval_every", "eval_early",
                                                   "eval_budget", "until"}
    assert named(lambda r: r.in_place) == named(lambda r: r.resumable) - {"device", "corpus"}
    assert named(lambda r: r.while_paused) == {"steps", "seconds", "log_every", "eval_every", "eval_early",
                                               "eval_budget", "until"}
