"""A new task and a new cell are one module plus one registration call each (issue 21): the test-only
`successor` task and `leaky` cell (tests/toys.py) go through every engine surface as a user would: train,
save, load, predict, inspect, resume, race and export-script, from Python and from the command line, and a
toy missing any interface method is refused by name. The app's surfaces: tests/tui/test_extensions_app.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import toys

import engine
from engine import cells, tasks
from engine.cells.base import HIDDEN, Cell
from engine.cli.main import main
from engine.events import Evaluated, RaceFinished
from engine.racing import contestants
from engine.tasks.base import Task

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--hidden", "16", "--embedding", "8", "--length", "8", "--batch-size", "16", "--lr", "0.03",
        "--precision", "fp32", "--device", "cpu", "--seed", "4"]
TOYS = ["--task", "successor", "--cell", "leaky"]
CHANCE = 0.1  # ten digits


@pytest.fixture(autouse=True)
def registered_toys():
    with toys.registered():
        yield


def tiny(task: str, cell: str, **changes) -> engine.TrainConfig:
    settings = dict(task=task, cell=cell, hidden=16, embedding=8, length=8, batch_size=16, lr=0.03, steps=150,
                    log_every=10, eval_every=50, precision="fp32", device="cpu", seed=4)
    return engine.TrainConfig(**{**settings, **changes})


def rnnplay_with_toys(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`rnnplay ARGS` in a new process that registers the toys first (a registration here is not seen there)."""
    code = ("import sys, toys; toys.register_toys(); from engine.cli.main import main; "
            "raise SystemExit(main(sys.argv[1:]))")
    path = os.pathsep.join([str(ROOT / "tests"), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": path})


def rnnplay(capsys, *args: str) -> tuple[int, str, str]:
    """`rnnplay ARGS` in this process, where the toys are registered: (status, stdout, stderr)."""
    capsys.readouterr()
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def step_losses(lines: str) -> dict[int, float]:
    events = [json.loads(line) for line in lines.splitlines() if line.strip()]
    return {e["step"]: e["loss"] for e in events if e["event"] == "step"}


def last_accuracy(trainer) -> float:
    return [e for e in trainer.run() if isinstance(e, Evaluated)][-1].accuracy


# -- train ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("task, cell", [("successor", "gru"), ("caesar", "leaky"), ("successor", "leaky")])
def test_the_toy_task_learns_with_a_real_cell_and_the_toy_cell_learns_a_real_task(task, cell):
    accuracy = last_accuracy(engine.Trainer(tiny(task, cell)))
    assert accuracy > 0.9, (task, cell, accuracy)  # chance: 10 % of digits, 1/27 of caesar's letters


def test_rnnplay_train_saves_a_toy_model_that_loads_predicts_and_inspects(tmp_path):
    ckpt = tmp_path / "toy.safetensors"
    done = rnnplay_with_toys("train", *TOYS, *TINY, "--steps", "150", "--json", "--save", str(ckpt), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1] == {"event": "note", "message": f"saved {ckpt}"}
    finished = next(e for e in events if e["event"] == "finished")
    assert finished["reason"] == "completed" and finished["metrics"]["accuracy"] > 0.9
    model = engine.load(str(ckpt))
    assert (model.config.task, model.config.cell) == ("successor", "leaky")
    assert model.predict("0123456789") == toys.successor("0123456789") == "1234567890"
    inside = model.inspect("2908")
    assert inside.parts == (HIDDEN,) and inside.target == "3019"
    assert len(inside.hidden) == 1 and len(inside.hidden[0]) == 4 and len(inside.hidden[0][0]) == 16
    assert all(-1 < unit < 1 for position in inside.hidden[0] for unit in position)  # a blend of tanh values


def test_rnnplay_predict_and_inspect_answer_from_a_toy_checkpoint(tmp_path, capsys):
    ckpt = str(tmp_path / "toy.safetensors")
    assert rnnplay(capsys, "train", *TOYS, *TINY, "--steps", "150", "--layers", "2", "--save", ckpt)[0] == 0
    assert rnnplay(capsys, "predict", ckpt, "98765")[:2] == (0, "09876\n")
    status, _, err = rnnplay(capsys, "predict", ckpt, "12x4")
    assert status == 2 and err == "rnnplay: error: TEXT: 'x' not accepted: type digits 0-9\n"
    status, out, _ = rnnplay(capsys, "inspect", ckpt, "0519", "--json")
    inside = json.loads(out)
    assert status == 0 and inside["target"] == "1620" and list(inside["states"]) == ["hidden"]
    assert len(inside["states"]["hidden"]) == 2  # one list per layer of the toy cell
    assert "".join(top[0]["symbol"] for top in inside["top"]) == "1620"


def test_train_resume_continues_a_toy_run_exactly(tmp_path, capsys):
    run = [*TOYS, *TINY, "--log-every", "1", "--dropout", "0.2", "--layers", "2", "--json"]
    status, whole, _ = rnnplay(capsys, "train", *run, "--steps", "12")
    assert status == 0
    ckpt = str(tmp_path / "half.safetensors")
    status, first, _ = rnnplay(capsys, "train", *run, "--steps", "6", "--save", ckpt)
    assert status == 0
    status, rest, _ = rnnplay(capsys, "train", "--resume", ckpt, "--steps", "6", "--json", "--log-every", "1")
    assert status == 0
    expected = step_losses(whole)
    assert sorted(step_losses(rest)) == list(range(7, 13))
    assert {**step_losses(first), **step_losses(rest)} == expected  # bit for bit, dropout masks included


# -- race -------------------------------------------------------------------------------------------

def test_engine_race_runs_the_toy_cell_against_a_real_one_on_the_toy_task():
    events = list(engine.race(contestants(tiny("successor", "leaky", steps=120), ["leaky", "gru"])))
    assert isinstance(events[-1], RaceFinished)
    results = {r["cell"]: r for r in events[-1].results}
    assert set(results) == {"leaky", "gru"}
    assert all(r["reason"] == "completed" and r["accuracy"] > 0.9 for r in results.values())
    assert results["leaky"]["parameters"] == cells.get("leaky").parameter_count(8, 16, 1) + 10 * 8 + 16 * 10 + 10


def test_rnnplay_race_takes_the_toy_cell_in_its_list(capsys):
    status, out, err = rnnplay(capsys, "race", "--task", "successor", "--cells", "leaky,gru", *TINY,
                               "--steps", "20", "--json")
    assert status == 0, err
    results = [json.loads(line) for line in out.splitlines()][-1]["results"]
    assert [r["cell"] for r in results] == ["leaky", "gru"] and all(r["steps"] == 20 for r in results)


# -- export-script ----------------------------------------------------------------------------------

EXPORTED = {
    "toy-task-real-cell": ["--task", "successor", "--cell", "gru", "--hidden", "16", "--steps", "8"],
    "real-task-toy-cell": ["--task", "caesar", "--cell", "leaky", "--layers", "2", "--hidden", "16", "--steps", "8"],
    "toy-task-toy-cell-one-hot": [*TOYS, "--embedding", "0", "--hidden", "12", "--steps", "8", "--clip", "0.5"],
}


def script_losses(path: Path) -> dict[int, float]:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=path.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    losses = {}
    for line in done.stdout.splitlines():
        if line.startswith("step "):
            _, step, _, loss = line.split()
            losses[int(step)] = float(loss)
    return losses


@pytest.mark.parametrize("flags", EXPORTED.values(), ids=EXPORTED.keys())
def test_an_exported_script_prints_the_engines_losses_for_the_toys(tmp_path, capsys, flags):
    run = [*flags, "--log-every", "2", "--seed", "3", "--precision", "fp32", "--device", "cpu"]
    script = tmp_path / "train.py"
    assert rnnplay(capsys, "export-script", *run, "-o", str(script))[0] == 0
    status, out, _ = rnnplay(capsys, "train", *run, "--json")
    expected = step_losses(out)
    assert status == 0 and expected and script_losses(script) == expected


def test_an_exported_script_holds_the_toys_own_sections_and_no_other(tmp_path, capsys):
    script = tmp_path / "toys.py"
    assert rnnplay(capsys, "export-script", *TOYS, *TINY, "--layers", "2", "-o", str(script))[0] == 0
    text = script.read_text(encoding="utf-8")
    config = tiny("successor", "leaky", layers=2)
    task_sections = [line for line in text.splitlines() if line.startswith("# ---- the task:")]
    assert task_sections == ["# ---- the task: answer each digit of a random stream with the next digit (9 wraps to 0) "
                             "------------"]
    assert toys.SuccessorTask.export_section(config) in text
    for name in cells.names():  # every other cell's modules are absent: nothing fell back to another cell
        for line in cells.get(name).export_init(config, config.embedding):
            assert (line in text) == (name == "leaky"), (name, line)
    assert "on the successor task" in text.splitlines()[0]


# -- the interfaces refuse a half-defined toy -------------------------------------------------------

def without(cls: type, base: type, member: str) -> type:
    """`cls`'s own definition with `member` left out, on `base` (where it is abstract)."""
    namespace = {key: value for key, value in vars(cls).items() if key not in (member, "__dict__", "__weakref__")}
    return type(f"Incomplete{base.__name__}", (base,), namespace)


MEMBERS = ([(toys.SuccessorTask, Task, name) for name in sorted(Task.__abstractmethods__)]
           + [(toys.LeakyCell, Cell, name) for name in sorted(Cell.__abstractmethods__)])


@pytest.mark.parametrize("cls, base, member", MEMBERS, ids=[f"{c.name}-{m}" for c, _, m in MEMBERS])
def test_a_toy_missing_one_interface_method_is_refused_by_its_name(cls, base, member):
    assert member in vars(cls)  # the toy defines it itself: leaving it out really leaves it out
    register = tasks.register if base is Task else cells.register
    tasks_before, cells_before = dict(tasks.REGISTRY), cells.names()
    with pytest.raises(TypeError, match=rf"\b{member}\b"):
        register(without(cls, base, member))
    assert tasks.REGISTRY == tasks_before and cells.names() == cells_before


# -- nothing under engine/ or tui/ knows the toys ---------------------------------------------------

def test_registering_and_configuring_the_toys_loads_no_torch(tmp_path):
    """The toy cell's module is defined on first use, as the real cells' are: configs stay cheap."""
    code = ("import sys, toys; toys.register_toys(); import engine; "
            "engine.TrainConfig(task='successor', cell='leaky'); print('torch' in sys.modules)")
    path = os.pathsep.join([str(ROOT / "tests"), str(ROOT)])
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": path})
    assert done.returncode == 0 and done.stdout == "False\n", done.stderr


def test_no_engine_or_app_source_names_the_toys():
    """The toys reach every surface through their registration alone: no module special-cases them."""
    sources = [p for folder in ("engine", "tui") for p in (ROOT / folder).rglob("*.py")]
    for name in (toys.SuccessorTask.name, toys.LeakyCell.name):
        word = re.compile(rf"\b{name}\b")
        assert not [p for p in sources if word.search(p.read_text(encoding="utf-8"))], name
