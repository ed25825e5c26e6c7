"""The cell registry: one name per cell, an unknown name is a ConfigError naming it, and a cell registered
at runtime is accepted by every check that lists cells."""

import re
from pathlib import Path

import pytest

from engine import cells, models, racing
from engine.cells.gru import GRU
from engine.cells.lstm import LSTM
from engine.config import CELLS, ConfigError, TrainConfig, unused_settings

ROOT = Path(__file__).resolve().parents[3]


class ToyGRU(GRU):
    name = "toygru"
    summary = "a GRU under another name, registered by a test"


@pytest.fixture
def toy():
    cells.register(ToyGRU)
    try:
        yield ToyGRU.name
    finally:
        cells.unregister(ToyGRU.name)


def test_a_second_cell_with_a_taken_name_is_refused():
    class Again(GRU):
        summary = "another gru"

    with pytest.raises(ValueError, match="a cell named 'gru' is registered already"):
        cells.register(Again)
    assert type(cells.get("gru")) is GRU


@pytest.mark.parametrize("name", ["nope", "LSTM", "", ["lstm"], None])
def test_an_unknown_cell_is_a_config_error_naming_it(name):
    with pytest.raises(ConfigError, match=re.escape(f"'{name}' is not a registered cell")) as caught:
        cells.get(name)
    assert caught.value.field == "cell"
    with pytest.raises(ConfigError) as caught:
        TrainConfig.from_dict({"cell": name})
    assert caught.value.field == "cell" and f"'{name}' is not one of {', '.join(cells.names())}" in str(caught.value)


def test_a_cell_registered_at_runtime_is_accepted_everywhere_cells_are_listed(toy):
    config = TrainConfig(cell=toy)
    assert toy in CELLS and CELLS[-1] == toy
    assert racing.parse_cells(f"lstm,{toy}") == ("lstm", toy)
    assert toy in racing.cells_accepted()
    assert unused_settings(config)["forget_bias"] == LSTM.options["forget_bias"]
    model = models.build(config, 9)  # its core is the toy's: a GRU's
    assert model.cell is cells.get(toy) and models.check_size(config, 9) == sum(p.numel() for p in model.parameters())


def test_a_removed_cell_is_refused_again(toy):
    cells.unregister(toy)
    try:
        with pytest.raises(ConfigError, match="is not one of"):
            TrainConfig(cell=toy)
        with pytest.raises(ValueError, match="is not a cell"):
            racing.parse_cells(toy)
    finally:
        cells.register(ToyGRU)  # the fixture removes it


def test_only_the_lstm_reads_the_forget_bias():
    assert cells.ignored_settings("lstm") == {}
    line = "only an LSTM has a forget gate (use it with --cell lstm)"
    for name in ("rnncell", "rnn", "gru"):
        assert cells.ignored_settings(name) == {"forget_bias": line}


def test_each_cells_name_is_quoted_in_at_most_three_source_files():
    """Its module, the presets, and one more (config's default, the race's lineup): no dispatch on names."""
    sources = [p for folder in ("engine", "tui") for p in (ROOT / folder).rglob("*.py")]
    for name in cells.names():
        quoted = re.compile(rf"[\"']{re.escape(name)}[\"']")
        files = sorted(str(p.relative_to(ROOT)) for p in sources if quoted.search(p.read_text(encoding="utf-8")))
        assert len(files) <= 3, (name, files)
