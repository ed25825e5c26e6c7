"""Every decision of the app, made by the Session without a terminal: start, continue, pause, stop, reset,
race, save, load, branch, quit with unsaved work, and the thread count. Jobs run inline (recording_shell)."""

from __future__ import annotations

import errno
import os
import stat
import threading
from itertools import islice

import pytest
import torch
from recording_shell import RecordingShell, run_inline

import engine
from engine import devices, presets
from engine.events import StepLogged
from engine.training import Trainer
from tui.reports import TrainerCreated, TrainingEvents, TrainingFailed
from tui.session import Session

HELLO = presets.get("hello").replace(device="cpu", steps=4, precision="fp32")


@pytest.fixture(autouse=True)
def keep_threads(monkeypatch):
    """A Session chooses this process's thread count (the engine's rule): give it back after each test."""
    monkeypatch.setattr(devices, "_chosen", None)
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def new_session(config=HELLO, preset: str | None = "hello", **kwargs) -> tuple[Session, RecordingShell]:
    shell = RecordingShell()
    session = Session(shell, config, preset, threads=1, **kwargs)
    session.start_thread = run_inline
    return session, shell


def trained(config=HELLO) -> tuple[Session, RecordingShell]:
    """A session whose single run trained `config` to its end (nothing saved)."""
    session, shell = new_session(config)
    session.start()
    shell.deliver(session)
    assert session.selected.state.status == "finished"
    return session, shell


def saved_checkpoint(tmp_path, config=HELLO) -> str:
    trainer = Trainer(config)
    list(trainer.run())
    path = str(tmp_path / "hello.safetensors")
    trainer.save(path)
    return path


# -- start and continue -------------------------------------------------------------------------

def test_start_trains_the_single_run_and_says_how_far_it_went():
    session, shell = trained()
    run = session.selected
    assert run.trainable and run.trainer.step == 4 and run.state.step == 4
    assert shell.views == ["train"] and shell.said("Ran 4 steps")
    assert shell.played[-1][0] is run.trainer  # Play answers with the new weights
    assert run.unsaved_steps() == 4


def test_start_with_a_bad_setting_explains_instead_of_training():
    session, shell = new_session()
    session.config = None  # Setup has a bad value
    session.start()
    assert shell.explained == 1 and session.selected.model is None and not shell.reports


def test_start_after_the_last_step_says_how_to_go_on():
    session, shell = trained()
    session.start()
    assert shell.said("raise Steps or Seconds") and not shell.questions and not shell.reports


def test_more_steps_continue_the_same_trainer():
    session, shell = trained()
    trainer = session.selected.trainer
    session.set_config(HELLO.replace(steps=8), "hello")
    session.start()
    shell.deliver(session)
    assert session.selected.trainer is trainer and trainer.step == 8
    assert shell.said("Ran 4 steps (from step 4 to 8)")


def test_new_settings_ask_before_discarding_unsaved_weights():
    session, shell = trained()
    trainer = session.selected.trainer
    session.set_config(HELLO.replace(lr=0.01, steps=8), "hello")
    session.start()
    question = shell.answer(None)  # cancel
    assert "start again with new settings" in question.title and "4 trained steps are not saved" in question.detail
    assert session.selected.trainer is trainer and session.selected.state.status == "finished" and not shell.reports
    session.start()
    shell.answer("discard")
    shell.deliver(session)
    assert session.selected.trainer is not trainer and session.selected.trainer.config.lr == 0.01


def test_a_failed_start_marks_the_setting_and_focuses_it():
    session, shell = new_session()
    session.start_thread = lambda *job: None  # the thread fails below instead
    session.start()
    shell.report(TrainingFailed("device: cuda is not available here", "device", session.selected.gate))
    shell.deliver(session)
    assert session.selected.state.status == "idle" and session.selected.gate is None
    assert shell.marked == {"device": "cuda is not available here"} and shell.focused[-1] == "device"
    assert shell.said("Cannot train")


# -- pause, stop, reset -------------------------------------------------------------------------

def started_not_run() -> tuple[Session, RecordingShell, Trainer]:
    """A run whose thread has built its trainer and reported its first event, then waits (no thread)."""
    session, shell = new_session(HELLO.replace(steps=50))
    session.start_thread = lambda *job: None
    session.start()
    run = session.selected
    trainer = Trainer(session.config)
    shell.report(TrainerCreated(trainer, run.gate))
    shell.report(TrainingEvents((next(trainer.run(stop=run.gate)),)))  # RunStarted
    shell.deliver(session)
    assert run.state.status == "running"
    return session, shell, trainer


def test_pause_blocks_the_run_between_steps_and_resumes_it():
    session, shell, _ = started_not_run()
    run = session.selected
    session.pause(session.selected)
    assert run.gate.paused and run.state.status == "paused"
    session.pause(session.selected)
    assert not run.gate.paused and run.state.status == "running"


def test_stop_cancels_the_run_after_its_step():
    session, _, _ = started_not_run()
    run = session.selected
    gate = run.gate
    session.stop(session.selected)
    assert gate.cancelled.is_set() and run.state.status == "stopping"


def test_events_of_a_replaced_run_are_dropped():
    session, shell, trainer = started_not_run()
    session.stop(session.selected)
    session.reset()  # no step trained: nothing to ask
    stale = TrainingEvents((StepLogged(trainer.run_id, 1, 2.0, 10.0, 0.1),))
    session.receive(stale)
    assert session.selected.state.losses == [] and session.selected.model is None


def test_reset_asks_first_then_discards_the_weights():
    session, shell = trained()
    trainer = session.selected.trainer
    for new_seed in (False, True):  # F8 and F9 both ask; cancelled, nothing is discarded
        session.reset(new_seed=new_seed)
        assert "not saved" in shell.answer(None).detail
        assert session.selected.trainer is trainer and session.selected.state.step == 4
    session.reset()
    shell.answer("discard")
    assert session.selected.model is None and session.selected.state.status == "idle"
    assert shell.said("the next start begins again with the same seed") and shell.played[-1][0] is None


def test_new_seed_puts_a_fresh_seed_in_setup():
    session, shell = trained()
    session.reset(new_seed=True)
    shell.answer("discard")
    seed = int(shell.settings["seed"])
    assert 1 <= seed < 1_000_000 and shell.said(f"seed {seed}")


def test_another_preset_keeps_the_shown_preset_until_the_user_discards():
    session, shell = trained()
    session.pick_preset("caesar")
    assert shell.presets_shown == ["hello"] and not shell.filled
    shell.answer("discard")
    assert shell.filled[-1][1] == "caesar" and session.selected.model is None


def test_reset_can_save_first_then_discards(tmp_path):
    session, shell = trained()
    session.reset()
    shell.answer("save")  # save first: the save dialog opens, named from the preset and the step
    assert shell.paths[-1].path == "hello-step4.safetensors"
    target = tmp_path / "kept.safetensors"
    shell.answer_path(str(target))
    assert session.selected.model is not None  # discarded only once saved
    shell.deliver(session)
    assert session.selected.model is None and target.exists()


def test_a_failed_save_before_a_reset_discards_nothing(tmp_path):
    session, shell = trained()
    trainer = session.selected.trainer
    session.reset()
    shell.answer("save")
    shell.answer_path(str(tmp_path / "missing" / "folder" / "x.safetensors"))
    shell.deliver(session)
    assert session.selected.trainer is trainer and any(severity == "error" for severity, _, _ in shell.toasts)
    assert shell.paths  # asked again, for another path
    shell.answer_path(None)  # cancelled
    assert session.selected.trainer is trainer and session.after_save is None


# -- the race -----------------------------------------------------------------------------------

def test_a_race_trains_each_cell_and_plays_with_the_first():
    session, shell = new_session()
    session.race()
    config, answered = shell.races_asked.pop()
    answered((("rnn", "gru"), None))
    shell.deliver(session)
    race = session.runs.race
    assert [c.label for c in race.contestants] == ["rnn seed 0", "gru seed 0"] and race.finished
    assert session.selected is race.contestants[0].run and shell.views[-1] == "race"
    assert all(c.run.trainer.step == 4 for c in race.contestants) and shell.said("Race over")
    session.choose_contestant(1)
    assert session.selected is race.contestants[1].run and shell.played[-1][0] is race.contestants[1].run.trainer


def test_no_race_while_a_run_trains():
    session, shell, _ = started_not_run()
    session.race()
    assert shell.said("A run is training: stop it (F7) before starting a race.") and not shell.races_asked


def test_a_contestant_that_stopped_early_pauses_and_stops_its_race():
    session, shell = new_session()
    session.start_thread = lambda *job: None
    session.race_chosen(HELLO, ("rnn", "gru"), None)
    race = session.runs.race
    for contestant in race.contestants:
        contestant.run.state.status = "running"
    race.contestants[0].run.state.status = "finished"  # diverged: the race goes on without it
    assert session.race_beyond_selected() is race
    session.pause(session.selected)
    assert race.gate.paused and race.contestants[1].run.state.status == "paused"
    session.stop(session.selected)
    assert race.gate.cancelled.is_set()
    session.reset()  # F8 on the single run would lose the race's keys: it says why instead
    assert shell.said("A race is training")


# -- save and load ------------------------------------------------------------------------------

def test_save_asks_where_then_marks_the_steps_saved(tmp_path):
    session, shell = trained()
    session.save(session.selected)
    asked = shell.paths[-1]
    assert asked.path == "hello-step4.safetensors"
    shell.answer_path(str(tmp_path / "x.safetensors"))
    shell.deliver(session)
    assert session.selected.unsaved_steps() == 0 and (tmp_path / "x.safetensors").stat().st_size > 0
    assert session.last_checkpoint == str(tmp_path / "x.safetensors") and shell.said("Saved step 4")


def test_save_with_nothing_trained_says_so():
    session, shell = new_session()
    session.save(session.selected)
    assert shell.said("Nothing to save yet") and not shell.paths


def test_a_path_that_cannot_be_written_is_asked_again_with_the_reason(tmp_path):
    session, shell = trained()
    session.save(session.selected)
    bad = str(tmp_path / "missing" / "x.safetensors")
    shell.answer_path(bad)
    again = shell.paths[-1]
    assert again.text == bad and again.reason and not shell.reports
    assert session.selected.unsaved_steps() == 4


def test_a_failed_save_discards_nothing(tmp_path, monkeypatch):
    session, shell = trained()
    trainer = session.selected.trainer

    def refuse(path):
        raise OSError("disk full")

    monkeypatch.setattr(trainer, "save", refuse)
    session.quit()
    shell.answer("save")
    shell.answer_path(str(tmp_path / "x.safetensors"))
    shell.deliver(session)
    assert shell.left is None and shell.said("Not saved, so nothing was discarded")
    assert shell.paths[-1].reason.startswith("disk full") and session.selected.trainer is trainer


def test_a_special_file_is_refused_and_asked_again(tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    good = tmp_path / "other.safetensors"
    session, shell = trained()
    session.save(session.selected)
    shell.answer_path(str(fifo))
    asked = shell.paths[-1]
    errors = [text for severity, _, text in shell.toasts if severity == "error"]
    assert errors and "it is a FIFO" in errors[0] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert asked.text == str(fifo) and not shell.reports  # the user edits what they typed; nothing written
    shell.answer_path(str(good))
    shell.deliver(session)
    assert good.exists() and engine.load(str(good)).config.task == "mapping"


def test_a_save_that_fails_while_writing_keeps_the_model_and_asks_again(tmp_path, monkeypatch):
    from engine.storage import output_files

    target = tmp_path / "model.safetensors"
    real_write = output_files.write_atomically
    calls = []

    def disk_full_once(path, data, what="save"):
        calls.append(path)
        if len(calls) == 1:
            raise output_files.OutputError(what, path, f"{os.strerror(errno.ENOSPC)}; the previous file is untouched",
                                           accepted=False)
        return real_write(path, data, what)

    monkeypatch.setattr(output_files, "write_atomically", disk_full_once)
    session, shell = trained()
    trainer = session.selected.trainer
    session.save(session.selected)
    shell.answer_path(str(target))
    shell.deliver(session)
    errors = [text for severity, _, text in shell.toasts if severity == "error"]
    assert errors and "No space left on device" in errors[0] and "the model is kept" in errors[0]
    assert session.selected.trainer is trainer and not target.exists() and shell.paths  # asked again
    shell.answer_path(str(target))
    shell.deliver(session)
    assert target.exists() and engine.load(str(target)).step == trainer.step


def test_load_resumes_a_checkpoint_whose_data_is_at_hand(tmp_path):
    path = saved_checkpoint(tmp_path)
    session, shell = new_session(presets.get("caesar"), "caesar")
    session.load()
    assert shell.paths[-1].title == "Load a checkpoint from"
    shell.answer_path(path)
    shell.deliver(session)
    run = session.selected
    assert run.trainable and run.trainer.step == 4 and run.unsaved_steps() == 0
    assert shell.filled[-1] == (run.trainer.config, "hello") and session.preset == "hello"
    assert shell.said("F5 continues training it") and session.load_suggestion() == path


def test_a_checkpoint_without_its_data_loads_for_prediction_only(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat. " * 40)
    config = presets.get("completion").replace(corpus=str(corpus), steps=2, device="cpu", precision="fp32",
                                               hidden=16, batch_size=4, length=16)
    path = saved_checkpoint(tmp_path, config)
    corpus.unlink()
    session, shell = new_session()
    session.load_from(path)
    shell.deliver(session)
    run = session.selected
    assert run.model is not None and not run.trainable and run.trainer is None
    assert shell.said("for prediction only")
    session.save(session.selected)
    assert shell.said("Nothing to save yet")


def test_a_file_that_is_not_a_checkpoint_is_asked_again(tmp_path):
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not a checkpoint")
    session, shell = new_session()
    session.load_from(str(junk))
    shell.deliver(session)
    assert session.selected.model is None and shell.paths[-1].text == str(junk)
    assert "nothing was loaded" in shell.paths[-1].reason


def test_load_while_training_says_stop_first():
    session, shell, _ = started_not_run()
    session.load()
    assert shell.said("Stop the run first") and not shell.paths


def stopped_checkpoint(tmp_path, config, at: int) -> str:
    trainer, stop = Trainer(config), threading.Event()
    for event in trainer.run(stop):
        if isinstance(event, StepLogged) and event.step == at:
            stop.set()
    path = str(tmp_path / "stopped.safetensors")
    trainer.save(path)
    return path


def test_a_loaded_stopped_run_continues_as_if_it_was_never_stopped(tmp_path):
    """`rnnplay tui --load CKPT` then F5: exactly the weights and last loss of the run never stopped."""
    config = presets.get("caesar").replace(steps=12, log_every=1, seed=4, length=10, batch_size=8, hidden=16,
                                           layers=2, dropout=0.3, schedule="cosine", warmup=0.25, device="cpu")
    path = stopped_checkpoint(tmp_path, config, at=5)
    whole = Trainer(config)
    last = [e.loss for e in whole.run() if isinstance(e, StepLogged)][-1]
    session, shell = new_session()
    session.load_from(path)
    shell.deliver(session)
    assert session.selected.model.step == 5
    session.set_config(shell.filled[-1][0], shell.filled[-1][1])  # what Setup then holds
    session.start()
    shell.deliver(session)
    run = session.selected
    assert run.state.status == "finished" and run.model.step == 12 and run.model.metrics["loss"] == last
    for mine, theirs in zip(run.model.model.parameters(), whole.model.parameters(), strict=True):
        assert torch.equal(mine, theirs)


# -- branches -----------------------------------------------------------------------------------

def test_a_loaded_checkpoint_with_new_settings_trains_a_branch(tmp_path):
    path = saved_checkpoint(tmp_path)
    session, shell = new_session(changes={"lr": 0.01, "steps": 6})
    session.load_from(path)
    shell.deliver(session)
    config = shell.filled[-1][0]
    assert config.lr == 0.01 and shell.said("F5 trains a branch of it: lr 0.05 -> 0.01")
    loaded = session.selected.trainer
    session.set_config(config, None)
    session.start()
    shell.deliver(session)
    run = session.selected
    assert run.trainer is loaded and loaded.step == config.steps > 4 and loaded.parent["step"] == 4
    assert run.state.parent_curve is not None and run.state.parent_curve.step == 4


# -- quitting -----------------------------------------------------------------------------------

def test_quit_with_nothing_unsaved_leaves_at_once():
    session, shell = new_session()
    session.quit()
    assert shell.left == 0 and not shell.questions


def test_quit_with_unsaved_steps_asks_and_saving_first_then_leaves(tmp_path):
    session, shell = trained()
    session.quit()
    question = shell.answer("save")
    assert question.title == "Save the model before you quit?"
    shell.answer_path(str(tmp_path / "kept.safetensors"))
    shell.deliver(session)
    assert shell.left == 0 and (tmp_path / "kept.safetensors").exists()


def test_quit_after_a_race_saves_each_unsaved_contestant_in_turn(tmp_path):
    session, shell = new_session()
    session.race_chosen(HELLO, ("rnn", "gru"), None)
    shell.deliver(session)
    session.quit()
    question = shell.answer("save")
    assert question.title == "Save the models before you quit?" and "rnn seed 0 (4 steps)" in question.detail
    assert shell.paths[-1].path == "hello-rnn-seed0-step4.safetensors"
    shell.answer_path(str(tmp_path / "rnn.safetensors"))
    shell.deliver(session)
    assert shell.left is None  # the gru is still unsaved: asked again
    shell.answer("discard")
    assert shell.left == 0


def test_a_signal_quits_with_its_status_and_stops_the_run():
    session, shell, _ = started_not_run()
    gate = session.selected.gate
    session.exit_status = 143
    session.quit_now()
    assert shell.left == 143 and gate.cancelled.is_set()


# -- threads ------------------------------------------------------------------------------------

def test_runs_train_with_the_thread_count_the_session_chose():
    torch.set_num_threads(3)
    session = Session(RecordingShell(), HELLO, "hello", threads=2)
    session.start_thread = run_inline
    session.start()
    assert session.threads == 2 and torch.get_num_threads() == 2  # applied in the thread that trained


def test_the_default_thread_count_is_the_engine_s_rule():
    assert Session(RecordingShell(), HELLO, "hello").threads == devices.default_threads()


def test_a_loaded_run_continues_with_the_rule_s_thread_count(tmp_path, monkeypatch):
    """F5 after `rnnplay tui --load CKPT` trains with the count `rnnplay train` uses, not torch's default."""
    path = stopped_checkpoint(tmp_path, HELLO.replace(log_every=1), at=2)  # F5 trains the other two steps
    seen = []  # torch's thread count in the thread that trains, at each of its updates
    update = Trainer._update

    def counted(self):
        seen.append(torch.get_num_threads())
        return update(self)

    monkeypatch.setattr(Trainer, "_update", counted)
    torch.set_num_threads(devices.default_threads() + 3)  # torch's default on a machine with more cores
    shell = RecordingShell()
    session = Session(shell, HELLO, "hello")  # the thread count the app is given by default
    session.start_thread = run_inline
    session.load_from(path)
    shell.deliver(session)
    session.set_config(shell.filled[-1][0], shell.filled[-1][1])
    session.start()
    shell.deliver(session)
    assert session.selected.state.status == "finished" and session.selected.model.step == 4
    assert seen and set(seen) == {devices.default_threads()} and session.threads == devices.default_threads()


def test_a_branch_of_a_finished_checkpoint_says_to_raise_steps_first(tmp_path):
    """`tui --load CKPT --lr X` of a run at its last step promised "F5 trains a branch", and F5 refused."""
    path = saved_checkpoint(tmp_path)
    session, shell = new_session(changes={"lr": 0.01})
    session.load_from(path)
    shell.deliver(session)
    assert shell.said("raise Steps above 4 (or Seconds) and F5 trains a branch of it: lr 0.05 -> 0.01")
    session.set_config(shell.filled[-1][0], None)
    session.start()
    assert shell.said("raise Steps or Seconds to continue it")


def test_save_first_holds_a_training_run_still_so_the_question_ends(tmp_path):
    """Saving first let the run train on, so the same question came back after every save."""
    session, shell, trainer = started_not_run()
    run = session.selected
    list(islice(trainer.run(stop=run.gate), 3))  # three more events: steps trained, none saved
    session.quit()
    shell.answer("save")
    assert run.gate.paused and run.state.status == "paused"  # held while its path is asked
    shell.answer_path(None)  # cancelled: it trains on
    assert not run.gate.paused and run.state.status == "running" and shell.left is None
    session.quit()
    shell.answer("save")
    session.start_thread = run_inline
    run.gate.blocked.set()  # its trainer waits between two steps, as the training thread would
    shell.answer_path(str(tmp_path / "kept.safetensors"))
    shell.deliver(session)
    assert shell.left == 0 and not shell.questions  # saved at the step it was held at: nothing left to ask


def test_a_retry_after_a_failed_save_first_goes_on(tmp_path, monkeypatch):
    session, shell = trained()
    trainer = session.selected.trainer
    save = trainer.save
    failures = iter([OSError("another rnnplay is writing this checkpoint")])

    def fails_once(path):
        for error in failures:
            raise error
        save(path)

    monkeypatch.setattr(trainer, "save", fails_once)
    session.quit()
    shell.answer("save")
    shell.answer_path(str(tmp_path / "locked.safetensors"))
    shell.deliver(session)
    assert shell.left is None and shell.paths[-1].reason.startswith("another rnnplay")
    shell.answer_path(str(tmp_path / "good.safetensors"))
    shell.deliver(session)
    assert shell.left == 0 and (tmp_path / "good.safetensors").exists()


def test_one_unsaved_step_is_said_in_the_singular():
    session, shell, trainer = started_not_run()
    run = session.selected
    list(islice(trainer.run(stop=run.gate), 2))  # RunStarted was taken: one step and its log
    session.stop(run)
    session.quit()
    assert shell.questions[-1].detail.startswith("1 trained step is not saved")
