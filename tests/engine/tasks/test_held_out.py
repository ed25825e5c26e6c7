"""Held-out scoring on corpora: window starts that stay inside any accepted size, full context."""

import pytest
import torch

from engine.models import SequenceModel
from engine.tasks import held_out
from engine.tasks.common import loss_of

SIZES = [2**k + d for k in range(24, 30) for d in (-7, -1, 0, 1, 3, 2**20 + 11)]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("length", [2, 64, 1000])
def test_window_starts_stay_inside_the_held_out_tail(size, length):
    count = held_out.WINDOWED_CHARS // length
    starts = held_out.window_starts(size, length, count)
    assert starts.dtype == torch.long and len(starts) == count
    assert starts[0] == 0 and starts[-1] == size - length - 1  # the last window ends on the last character
    assert bool((starts[1:] >= starts[:-1]).all())


def test_the_float32_spacing_this_replaces_ran_past_the_end():
    # the bug: a 165 MiB corpus has a held-out tail past 2**24, where float32 rounds the last start up
    size, length = 17_301_520, 64  # the held-out tail of a ~165 MiB corpus, 512 windows of 64
    last = size - length - 1
    assert int(torch.linspace(0, last, 512).long()[-1]) > last
    assert int(held_out.window_starts(size, length, 512)[-1]) == last


def test_the_fewest_windows_fit_and_a_text_too_short_for_one_is_refused():
    assert held_out.window_starts(10, 9, 1).tolist() == [0]
    assert held_out.window_starts(12, 9, 3).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="no window"):
        held_out.window_starts(5, 9, 1)


def model_and_text(cell, size, seed=0):
    torch.manual_seed(seed)
    model = SequenceModel(7, cell=cell, hidden=12, embedding=4).eval()
    return model, torch.randint(0, 7, (size,), dtype=torch.uint8)


def one_pass(model, text, scored):
    """The definition: one forward over the whole text from a zero state, every target scored."""
    with torch.no_grad():
        logits, _ = model(text[None, :-1].long())
    return loss_of(logits[:, :scored], text[None, 1: scored + 1].long()).item()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnncell"])
def test_one_stream_read_in_chunks_equals_one_pass(cell):
    model, text = model_and_text(cell, 3 * held_out.CHUNK + 57)
    got = held_out.full_context_loss(model, text, streams=1)
    assert got == pytest.approx(one_pass(model, text, len(text) - 1), rel=1e-5)


def test_streams_whose_warm_up_reaches_the_start_equal_one_pass():
    model, text = model_and_text("lstm", 4 * held_out.CHUNK + 1)
    streams, per_stream = held_out.stream_layout(len(text), 4)
    assert (streams, per_stream) == (4, held_out.CHUNK)  # every target scored exactly once
    got = held_out.full_context_loss(model, text, streams=4, warm_up=len(text))
    assert got == pytest.approx(one_pass(model, text, len(text) - 1), rel=1e-5)


def test_full_context_scores_at_most_eval_chars():
    streams, per_stream = held_out.stream_layout(10**7)
    assert streams == held_out.STREAMS and streams * per_stream <= held_out.EVAL_CHARS
    assert held_out.stream_layout(300) == (1, 299)
