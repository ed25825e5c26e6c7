"""Branches in the app (issue 15 item 4): a checkpoint loaded and started with a changed setting is a
branch, drawn over its parent's curve up to the branch step; started unchanged, it is one curve."""

from __future__ import annotations

from tui_helpers import set_field, wait_for

import engine
from engine.events import RunStarted, StepLogged

SIZE = (100, 34)


def saved(tmp_path, steps: int = 20) -> tuple[str, str, list[tuple[int, float]]]:
    """A finished run's checkpoint, its run id and the losses it logged."""
    trainer = engine.Trainer(engine.presets.get("hello").replace(steps=steps, log_every=2, device="cpu"))
    logged = [(e.step, e.loss) for e in trainer.run() if isinstance(e, StepLogged)]
    path = str(tmp_path / "parent.safetensors")
    trainer.save(path)
    return path, trainer.run_id, logged


def plot_lines(app) -> list[str]:
    plot = app.query_one("#loss-plot").render()
    return [line for line in getattr(plot, "plain", str(plot)).splitlines() if line.strip()]


async def loaded(pilot, app) -> None:
    await wait_for(pilot, lambda: app.session.selected.model is not None and app.session.selected.state.run_id,
                   timeout=30)
    await pilot.pause()


async def test_a_changed_lr_after_load_is_drawn_over_the_parents_curve(app_factory, tmp_path):
    path, parent_id, logged = saved(tmp_path)
    app = app_factory(None, load=path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        # the checkpoint's own curve
        assert app.session.selected.state.losses == [(s, float(f"{v:.6g}")) for s, v in logged]
        weights = [p.detach().clone() for p in app.session.selected.model.model.parameters()]
        await set_field(pilot, app, "lr", "0.01")
        await set_field(pilot, app, "steps", "30")
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        # the loaded weights went on
        assert app.session.selected.model.step == 30 and app.session.selected.model.parent["run_id"] == parent_id
        assert app.session.selected.model.optimizer.param_groups[0]["lr"] == 0.01
        assert any(not w.equal(p) for w, p in zip(weights, app.session.selected.model.model.parameters(), strict=True))
        curve = app.session.selected.state.parent_curve
        assert curve.run_id == parent_id and curve.step == 20
        assert [s for s, _ in curve.points] == [s for s, _ in logged] and curve.points[-1][0] == 20
        assert [s for s, _ in app.session.selected.state.losses] == [22, 24, 26, 28, 30]
        await pilot.press("f2")
        plot = app.query_one("#loss-plot")
        await wait_for(pilot, lambda: app.tab == "train" and plot.size.width > 0, timeout=60)  # shown, laid out
        app.refresh_plot(force=True)  # not a test of the throttle: draw now
        await pilot.pause()
        legend = plot_lines(app)[0]
        assert f"x parent {parent_id} to step 20" in legend and "⠒ this run " in legend, legend
        header = str(app.query_one("#loss-plot").border_title)
        assert header == f"branch of {parent_id} at step 20: lr 0.05 -> 0.01, steps 20 -> 30", header


async def test_an_unchanged_resume_is_one_curve(app_factory, tmp_path):
    """A stopped run's checkpoint continued with its own settings is the same run: no parent, one curve."""
    trainer = engine.Trainer(engine.presets.get("hello").replace(steps=30, log_every=2, device="cpu"))
    for event in trainer.run():
        if isinstance(event, StepLogged) and event.step == 10:
            break
    path = str(tmp_path / "stopped.safetensors")
    trainer.save(path)
    app = app_factory(None, load=path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.state.run_id == trainer.run_id and app.session.selected.state.parent_curve is None
        assert [s for s, _ in app.session.selected.state.losses] == list(range(2, 31, 2))
        app.refresh_plot(force=True)
        await pilot.pause()
        legend = plot_lines(app)[0]
        assert "parent" not in legend and "this run" not in legend and "⠒ training loss" in legend, legend
        assert app.query_one("#loss-plot").border_title is None


async def test_a_loaded_branch_shows_its_parent_and_a_model_change_is_no_branch(app_factory, tmp_path):
    """A branch's own checkpoint opens split at its branch step; a changed hidden size cannot reuse the
    weights, so F5 starts a fresh run (no parent), as before."""
    path, parent_id, _ = saved(tmp_path)
    branch = engine.Trainer.resume(path, lr=0.01)
    branch.config = branch.config.replace(steps=26)
    list(branch.run())
    branch.save(str(tmp_path / "branch.safetensors"))
    app = app_factory(None, load=str(tmp_path / "branch.safetensors"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        curve = app.session.selected.state.parent_curve
        assert curve.run_id == parent_id and curve.step == 20 and curve.points[-1][0] == 20
        assert [s for s, _ in app.session.selected.state.losses] == [22, 24, 26]
        await set_field(pilot, app, "hidden", "12")
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        run = app.session.selected
        assert run.state.parent_curve is None and run.model.parent is None and run.model.step == 26


async def test_tui_load_with_a_changed_lr_opens_ready_to_branch(app_factory, tmp_path):
    """`rnnplay tui --load CKPT --lr 0.01 --steps 6`: Setup shows the checkpoint's settings with those
    (steps as more steps, as `train --resume` takes them), the toast says F5 branches, and it does."""
    path, parent_id, _ = saved(tmp_path)
    app = app_factory(None, load=path, changes={"lr": 0.01, "steps": 6})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        await wait_for(pilot, lambda: app.session.config is not None and app.session.config.lr == 0.01, timeout=60)
        # applied on F5, not before
        assert app.session.config.steps == 26 and app.session.selected.model.config.lr == 0.05
        assert any("F5 trains a branch of it: lr 0.05 -> 0.01, steps 20 -> 26" in n.message
                   for n in app._notifications)
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.model.step == 26 and app.session.selected.state.parent_curve.run_id == parent_id


async def test_a_setting_that_does_not_fit_is_said_and_the_checkpoint_still_opens(app_factory, tmp_path):
    path, _, _ = saved(tmp_path)
    app = app_factory(None, load=path, changes={"warmup": 7.0})
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot, app)
        await pilot.pause()
        assert any(n.title == "Setting not applied" and "warmup" in n.message for n in app._notifications)
        model = app.session.selected.model
        assert model.step == 20 and app.session.config.warmup == model.config.warmup


def test_a_branch_takes_the_parents_points_up_to_its_step_and_says_what_changed():
    from tui.branch_curve import curve_of, started
    from tui.run_state import RunState

    assert curve_of(None, [(1, 1.0)]) is None  # no parent: no branch
    parent = {"run_id": "p1", "step": 20, "changed": {"lr": [0.05, 0.01]}}
    curve = curve_of(parent, [(10, 2.0), (20, 1.0), (30, 0.5)])
    assert curve.points == ((10, 2.0), (20, 1.0)) and curve.label == "parent p1 to step 20"
    assert curve.line == "branch of p1 at step 20: lr 0.05 -> 0.01"
    assert curve_of({"step": 5}, []).line == "branch of a checkpoint at step 5"
    state = RunState(run_id="p1", losses=[(10, 2.0), (20, 1.0)])
    started(state, RunStarted("b1", "cpu", 1, {}, 20, (), parent={**parent, "changed": {}}))
    assert state.parent_curve.points == ((10, 2.0), (20, 1.0)) and state.losses == []  # its own curve starts
    going_on = RunState(run_id="b1", losses=[(22, 0.9)])
    started(going_on, RunStarted("b1", "cpu", 1, {}, 22, (), parent=parent))  # past its start: goes on
    assert going_on.parent_curve is None and going_on.losses == [(22, 0.9)]
