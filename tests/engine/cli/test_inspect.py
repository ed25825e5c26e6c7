"""`rnnplay inspect CKPT TEXT` (engine/cli/inspect.py): what the model is sure of, for people and as JSON."""

import json

from cli_helpers import one_error_line, rnnplay


def test_inspect_for_people_and_as_json(tmp_path):
    ckpt = tmp_path / "c.safetensors"
    trained = rnnplay("train", "--preset", "caesar", "--steps", "60", "--device", "cpu", "--save", str(ckpt))
    assert trained.returncode == 0, trained.stderr
    people = rnnplay("inspect", str(ckpt), "FUVEMVEMNMERPDRF", "--at", "3")
    assert people.returncode == 0, people.stderr
    assert "model       THIS-IS-A-SECRET" in people.stdout and "at 3: E -> S" in people.stdout
    data = json.loads(rnnplay("inspect", str(ckpt), "FUV", "--json").stdout)
    assert data["text"] == "FUV" and len(data["states"]["hidden"][0]) == 3 and data["states"]["cell"] is not None
    assert len(data["top"]) == 3 and data["top"][0][0]["symbol"] == "T"
    assert len(data["connectivity"]) == 3 and data["connectivity"][2][2] > 0
    bad = rnnplay("inspect", str(ckpt), "FUV", "--at", "7")
    assert bad.returncode == 2 and "--at" in one_error_line(bad.stderr)
