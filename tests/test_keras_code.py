"""The Keras code for the machine's switches (simulator.keras_code), checked without Keras.

Neither Keras nor TensorFlow is needed here: the generated programs are parsed, every Keras
name they use is looked up in an allow-list checked against the real package, and each one
is run against a stand-in ``keras`` module that offers exactly that allow-list (and NumPy
for ``keras.ops``), on a few random pictures.
"""

import ast
import dataclasses
import itertools
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from simulator import keras_code as kc
from simulator.config import Config
from simulator.keras_code import changed_lines, keras_code
from simulator.wiring import Plugboard, n_units

ROOT = Path(__file__).resolve().parents[1]

# ---- allow-list start
# The Keras 3 API the generated code uses: each call's path with the keywords it passes.
# Checked against the real package, keras 3.15.1 with the JAX backend, installed in a
# scratch venv (keras is not a dependency of this project): every path resolves by getattr
# from `import keras`, every keyword is a parameter in inspect.signature of that callable
# (of keras.Model's method for MODEL_METHODS), and every string resolves with
# keras.losses.get, keras.activations.get or keras.initializers.get. The same venv ran the
# generated programs on MNIST.
KERAS_CALLS = {
    "keras.Input": {"shape"},
    "keras.Sequential": set(),
    "keras.datasets.mnist.load_data": set(),
    "keras.layers.Dense": {"activation", "kernel_initializer"},
    "keras.layers.Flatten": set(),
    "keras.metrics.BinaryAccuracy": {"threshold"},
    "keras.metrics.CategoricalAccuracy": set(),
    "keras.ops.argmax": {"axis"},
    "keras.ops.cast": set(),
    "keras.ops.greater": set(),
    "keras.ops.one_hot": set(),
    "keras.ops.stop_gradient": set(),
    "keras.ops.sum": {"axis"},
    "keras.optimizers.Adam": {"learning_rate"},
    "keras.optimizers.SGD": {"learning_rate"},
    "keras.utils.set_random_seed": set(),
    "keras.utils.to_categorical": set(),
}
MODEL_METHODS = {
    "compile": {"optimizer", "loss", "metrics"},
    "fit": {"epochs", "batch_size", "validation_data"},
    "evaluate": {"verbose"},
}
KERAS_LOSSES = {"mean_squared_error", "mean_absolute_error", "binary_crossentropy",
                "categorical_crossentropy"}
KERAS_ACTIVATIONS = {"sigmoid", "softmax", "relu"}
KERAS_INITIALIZERS = {"zeros"}
# ---- allow-list end

IMPORTS = {"import numpy as np", "import keras", "from keras import layers"}
NUMPY_CALLS = {"np.mean", "np.bincount", "np.random.default_rng", "np.zeros", "np.add.at",
               "np.arange", "np.array", "np.int8"}
RULE_LR = {"gd": 0.001, "rosenblatt": 1.0, "trial": 0.1}


def _valid(**switches) -> Config | None:
    try:
        return Config(**switches).validate()
    except ValueError:
        return None


# Every activation x loss x optimizer x inputs x rule the machine accepts, for 1 and 10 bulbs.
COMBINATIONS = [c for c in (
    _valid(bulbs=b, activation=a, loss=loss, optimizer=o, inputs=i, rule=r, lr=RULE_LR[r])
    for b, a, loss, o, i, r in itertools.product(
        (1, 10), ("none", "sigmoid", "softmax"), ("mse", "mae", "ce"), ("adam", "sgd"),
        ("raw", "unit"), ("gd", "rosenblatt", "trial"))) if c is not None]
# The open switches' values, one at a time and a few together.
VARIED = [
    Config(subset=20), Config(subset=1000, epochs=100), Config(subset=20, rule="rosenblatt",
                                                              lr=1.0, bulbs=10),
    Config(epochs=0), Config(epochs=1, batch_size=1), Config(batch_size=1024, epochs=3),
    Config(lr=1e-4), Config(lr=10.0, optimizer="sgd"), Config(lr=0.02), Config(seed=123),
    Config(rule="trial", lr=0.5, subset=20, activation="none", inputs="raw"),
    *(Config(digit=d) for d in range(10)),
    Config(wiring="plugboard"), Config(wiring="plugboard", rule="rosenblatt", lr=1.0, bulbs=10,
                                       seed=3, units=64),
    Config(wiring="hidden"), Config(wiring="hidden", bulbs=10, activation="softmax", loss="ce",
                                    units=32, inputs="raw"),
]
CONFIGS = COMBINATIONS + VARIED


def _id(c: Config) -> str:
    default = Config()
    return "-".join(f"{f.name}={getattr(c, f.name)}" for f in dataclasses.fields(c)
                    if getattr(c, f.name) != getattr(default, f.name)) or "defaults"


def test_the_combinations_cover_every_switch_value():
    assert len(COMBINATIONS) > 100
    for name, values in (("bulbs", (1, 10)), ("activation", ("none", "sigmoid", "softmax")),
                         ("loss", ("mse", "mae", "ce")), ("optimizer", ("adam", "sgd")),
                         ("inputs", ("raw", "unit")), ("rule", ("gd", "rosenblatt", "trial"))):
        assert {getattr(c, name) for c in COMBINATIONS} == set(values)


# ------------------------------------------------------------- the code's Keras names


def _dotted(node) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _keras_path(dotted: str) -> str | None:
    """The Keras path a dotted name in the code stands for (``layers.X``: keras.layers.X)."""
    if dotted.startswith("keras."):
        return dotted
    if dotted.startswith("layers."):
        return "keras." + dotted
    return None


@pytest.mark.parametrize("config", CONFIGS, ids=_id)
def test_code_parses_and_uses_only_keras_3_names(config):
    code = keras_code(config)
    assert code.endswith("\n")
    tree = ast.parse(code)
    compile(tree, "<keras code>", "exec")
    imports = {ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)}
    assert imports == IMPORTS
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and id(node) not in inner:
            dotted = _dotted(node)
            if dotted and _keras_path(dotted):
                assert _keras_path(dotted) in KERAS_CALLS, f"{dotted} is not in the allow-list"
            elif dotted and dotted.startswith("np."):
                assert dotted in NUMPY_CALLS
            elif dotted and dotted.startswith("model."):
                assert node.attr in MODEL_METHODS, dotted
        if isinstance(node, ast.Call):
            dotted = _dotted(node.func) or ""
            words = {k.arg for k in node.keywords}
            if _keras_path(dotted):
                assert words <= KERAS_CALLS[_keras_path(dotted)], (dotted, words)
            elif dotted.startswith("model."):
                assert words <= MODEL_METHODS[node.func.attr], (dotted, words)
        if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant):
            value = node.value.value
            if node.arg == "loss":
                assert value in KERAS_LOSSES
            if node.arg == "activation":
                assert value is None or value in KERAS_ACTIVATIONS
            if node.arg == "kernel_initializer":
                assert value in KERAS_INITIALIZERS


# ------------------------------------------------------ a stand-in Keras runs the code


class _Model:
    def __init__(self, layers, calls):
        self.layers, self.calls = layers, calls

    def _record(self, method, args, kwargs):
        assert set(kwargs) <= MODEL_METHODS[method], (method, kwargs)
        self.calls[f"model.{method}"] = (args, kwargs)

    def compile(self, *args, **kwargs):
        self._record("compile", args, kwargs)

    def fit(self, *args, **kwargs):
        self._record("fit", args, kwargs)

    def evaluate(self, *args, **kwargs):
        self._record("evaluate", args, kwargs)
        return [0.25, 0.75]


def _tiny_mnist():
    rng = np.random.default_rng(0)
    return ((rng.integers(0, 256, (50, 28, 28), dtype=np.uint8), np.arange(50) % 10),
            (rng.integers(0, 256, (30, 28, 28), dtype=np.uint8), np.arange(30) % 10))


def _stand_in_keras(calls: dict) -> types.ModuleType:
    """A ``keras`` module with exactly the allow-list's calls, each refusing any other
    keyword; ``keras.ops`` in NumPy, the rest recording what they were given."""
    work = {
        "keras.datasets.mnist.load_data": _tiny_mnist,
        "keras.utils.to_categorical": lambda y, n: np.eye(n, dtype=np.float32)[y],
        "keras.Sequential": lambda layers: _Model(layers, calls),
        "keras.ops.argmax": lambda x, axis=None: np.argmax(x, axis=axis),
        "keras.ops.cast": lambda x, dtype: np.asarray(x).astype(dtype),
        "keras.ops.greater": np.greater,
        "keras.ops.one_hot": lambda x, n: np.eye(n, dtype=np.float32)[x],
        "keras.ops.stop_gradient": lambda x: x,
        "keras.ops.sum": lambda x, axis=None: np.sum(x, axis=axis),
    }

    def stub(path):
        def call(*args, **kwargs):
            assert set(kwargs) <= KERAS_CALLS[path], (path, kwargs)
            calls.setdefault(path, []).append((args, kwargs))
            return work[path](*args, **kwargs) if path in work else (path, args, kwargs)

        return call

    root = types.ModuleType("keras")
    for path in KERAS_CALLS:
        *parents, leaf = path.split(".")[1:]
        node = root
        for part in parents:
            if not hasattr(node, part):
                setattr(node, part, types.SimpleNamespace())
            node = getattr(node, part)
        setattr(node, leaf, stub(path))
    return root


def run_with_stand_in(code: str, monkeypatch) -> tuple[dict, dict]:
    """Run the code against the stand-in Keras; (calls by path, the code's namespace)."""
    calls: dict = {}
    monkeypatch.setitem(sys.modules, "keras", _stand_in_keras(calls))
    namespace = {"__name__": "__main__"}
    exec(compile(code, "<keras code>", "exec"), namespace)
    return calls, namespace


@pytest.mark.parametrize("config", CONFIGS, ids=_id)
def test_code_runs_against_a_stand_in_keras(config, monkeypatch, capsys):
    calls, ns = run_with_stand_in(keras_code(config), monkeypatch)
    c = config
    assert calls["keras.utils.set_random_seed"] == [((c.seed,), {})]
    *hidden, (dense_args, dense_kw) = calls["keras.layers.Dense"]
    assert hidden == ([((n_units(c),), {"activation": "relu"})] if c.wiring == "hidden" else [])
    assert dense_args == (c.bulbs,)
    if c.rule == "rosenblatt":
        assert dense_kw == {"activation": None, "kernel_initializer": "zeros"}
    else:
        assert dense_kw == {"activation": None if c.activation == "none" else c.activation}
    shape = (n_units(c),) if c.wiring == "plugboard" else (28, 28)
    assert calls["keras.Input"] == [((), {"shape": shape})]
    _, compiled = calls["model.compile"]
    optimizer, loss, (metric,) = compiled["optimizer"], compiled["loss"], compiled["metrics"]
    wanted_optimizer = "SGD" if c.rule == "rosenblatt" or c.optimizer == "sgd" else "Adam"
    wanted_lr = {"gd": c.lr, "rosenblatt": c.lr, "trial": 0.001}[c.rule]
    assert optimizer == (f"keras.optimizers.{wanted_optimizer}", (),
                         {"learning_rate": wanted_lr})
    if c.rule == "rosenblatt":
        assert callable(loss) and loss.__name__ == "perceptron_criterion"
    elif c.loss == "ce":
        assert loss == ("categorical_crossentropy" if c.activation == "softmax"
                        else "binary_crossentropy")
    else:
        assert loss == {"mse": "mean_squared_error", "mae": "mean_absolute_error"}[c.loss]
    if c.bulbs == 10:
        assert metric == ("keras.metrics.CategoricalAccuracy", (), {})
    else:
        threshold = 0.0 if c.rule == "rosenblatt" else 0.5
        assert metric == ("keras.metrics.BinaryAccuracy", (), {"threshold": threshold})
    (x, y), fitted = calls["model.fit"]
    n = min(c.subset, 50) if c.subset else 50
    assert x.shape == (n, *shape) and x.dtype == np.float32
    assert y.shape == ((n,) if c.bulbs == 1 else (n, 10)) and y.dtype == np.float32
    pictures = _tiny_mnist()[0][0][:n]
    if c.wiring == "plugboard":  # the code's plugboard fires as the machine's, cord for cord
        wanted = Plugboard(n_units(c), c.seed).fire(pictures).astype(np.float32)
        assert 0 < wanted.mean() < 1
    else:
        pictures = pictures.astype(np.float32)
        wanted = pictures / 255.0 if c.inputs == "unit" else pictures
    np.testing.assert_array_equal(x, wanted)
    labels = np.arange(n) % 10
    np.testing.assert_array_equal(y, labels == c.digit if c.bulbs == 1 else np.eye(10)[labels])
    assert fitted["epochs"] == (c.epochs or 100)
    assert fitted["batch_size"] == (1 if c.rule == "rosenblatt" else c.batch_size)
    x_test, y_test = fitted["validation_data"]
    assert x_test.shape == (30, *shape) and len(y_test) == 30
    out = capsys.readouterr().out
    assert "test loss 0.2500, test accuracy 75.00%" in out
    assert (f"never a {c.digit}: 90.00%" if c.bulbs == 1 else
            "always the commonest digit: 10.00%") in out


@pytest.mark.parametrize("bulbs", [1, 10])
def test_rosenblatts_criterion_is_the_rules_correction(bulbs, monkeypatch):
    """(answer - target) * z: 0 for a right answer; for a wrong one its slope in z, with
    the answer held fixed, is the rule's correction with the sign of a gradient (the
    scratch venv's check: Keras's SGD on it, picture by picture from zero knobs, left the
    knobs equal to the rule's, byte for byte on raw pixels)."""
    _, ns = run_with_stand_in(keras_code(Config(rule="rosenblatt", lr=1.0, bulbs=bulbs)),
                              monkeypatch)
    criterion = ns["perceptron_criterion"]
    if bulbs == 1:
        z = np.array([[2.5], [-1.5], [0.0], [0.0], [3.0], [-2.0]], np.float32)
        y = np.array([[0], [1], [1], [0], [1], [0]], np.float32)
        # false alarm, miss, a miss at exactly 0 (the bulb stays dark), right x 3
        np.testing.assert_array_equal(criterion(y, z), [2.5, 1.5, 0.0, 0.0, 0.0, 0.0])
        answer = (z > 0).astype(np.float32)
        np.testing.assert_array_equal(answer - y, [[1], [-1], [-1], [0], [0], [0]])
    else:
        z = np.zeros((3, 10), np.float32)
        z[0, 3], z[1, 7], z[1, 2] = 2.0, 5.0, 1.0
        y = np.eye(10, dtype=np.float32)[[3, 2, 4]]  # right; wrong (7 won); wrong (0 won, tie)
        np.testing.assert_array_equal(criterion(y, z), [0.0, 4.0, 0.0])


# ---------------------------------------------------------------- the switches' values


def test_the_tutorials_model_as_first_written():
    code = keras_code(Config(activation="none", inputs="raw"))
    assert "layers.Dense(1, activation=None)" in code
    assert "/ 255" not in code and 'x_train = x_train.astype("float32")\n' in code
    assert "# inputs raw: pixels 0..255, as the tutorial first fed them" in code
    assert 'loss="mean_squared_error"' in code
    assert "keras.optimizers.Adam(learning_rate=0.001)" in code
    assert "keras.metrics.BinaryAccuracy(threshold=0.5)" in code
    assert "epochs=10," in code and "batch_size=32," in code
    assert "y_train = (y_train == 5)" in code and "keras.utils.set_random_seed(0)" in code
    assert "validation_data=(x_test, y_test)" in code and "model.evaluate(" in code
    assert "x_train[:" not in code and "counterpart" not in code


def test_the_defaults_scale_the_inputs_and_squash_the_sum():
    code = keras_code(Config())
    assert 'layers.Dense(1, activation="sigmoid")' in code
    assert 'x_train = x_train.astype("float32") / 255.0' in code
    assert 'x_test = x_test.astype("float32") / 255.0' in code
    assert "Glorot-uniform" in code


def test_ten_bulbs_softmax_cross_entropy():
    code = keras_code(Config(bulbs=10, activation="softmax", loss="ce"))
    assert 'layers.Dense(10, activation="softmax")' in code
    assert "keras.utils.to_categorical(y_train, 10)" in code
    assert 'loss="categorical_crossentropy"' in code
    assert "keras.metrics.CategoricalAccuracy()" in code and "BinaryAccuracy" not in code
    assert "== 5" not in code


@pytest.mark.parametrize("activation", ["none", "sigmoid"])
def test_ten_bulbs_without_softmax_take_one_hot_targets_bulb_by_bulb(activation):
    code = keras_code(Config(bulbs=10, activation=activation, loss="ce"))
    assert "keras.utils.to_categorical(y_test, 10)" in code
    assert 'loss="binary_crossentropy"' in code and "categorical_crossentropy" not in code


@pytest.mark.parametrize(("switches", "wanted", "unwanted"), [
    ({"subset": 20}, ["x_train, y_train = x_train[:20], y_train[:20]"], []),
    ({"subset": 10000}, ["x_train[:10000]", "first 10,000 pictures"], []),
    ({"epochs": 100}, ["epochs=100,"], []),
    ({"epochs": 1}, ["epochs=1,"], ["epochs=10"]),
    ({"epochs": 0}, ["epochs=100,", "until paused"], []),
    ({"batch_size": 128}, ["batch_size=128,"], ["batch_size=32"]),
    ({"lr": 0.01}, ["keras.optimizers.Adam(learning_rate=0.01)"], []),
    ({"lr": 1e-4}, ["learning_rate=0.0001)"], []),
    ({"optimizer": "sgd", "lr": 0.1}, ["keras.optimizers.SGD(learning_rate=0.1)"], ["Adam"]),
    ({"loss": "mae"}, ['loss="mean_absolute_error"'], []),
    ({"loss": "ce"}, ['loss="binary_crossentropy"'], []),
    ({"loss": "ce", "activation": "none"}, ['loss="binary_crossentropy"', "clipped"], []),
    ({"digit": 3}, ["(y_train == 3)", "(y_test == 3)", '"is it a 3?"', "never a 3"],
     ["== 5"]),
    ({"seed": 42}, ["keras.utils.set_random_seed(42)"], []),
    ({"inputs": "raw"}, ["as the tutorial first fed them"], ["/ 255"]),
    ({"inputs": "unit"}, ["/ 255.0"], []),
    ({"activation": "none"}, ["activation=None)"], ['activation="sigmoid"']),
])
def test_switch_values_appear(switches, wanted, unwanted):
    code = keras_code(Config(**switches))
    for text in wanted:
        assert text in code
    for text in unwanted:
        assert text not in code


def test_rosenblatt_says_keras_has_no_such_procedure_and_shows_the_nearest_model():
    code = keras_code(Config(rule="rosenblatt", lr=1.0, activation="sigmoid", loss="ce",
                             batch_size=128, inputs="raw"))
    header = code[: code.index("import numpy")]
    assert "Rosenblatt's error-correction procedure has no Keras counterpart" in header
    assert "nearest Keras model" in header
    assert "keras.optimizers.SGD(learning_rate=1.0)" in code
    assert "batch_size=1," in code and "batch_size=128" not in code
    assert 'kernel_initializer="zeros"' in code and "activation=None" in code
    assert "loss=perceptron_criterion" in code and "crossentropy" not in code
    assert "BinaryAccuracy(threshold=0.0)" in code


def test_trial_and_error_says_keras_has_no_such_procedure():
    code = keras_code(Config(rule="trial", lr=0.1))
    header = code[: code.index("import numpy")]
    assert "trial and error has no Keras counterpart" in header
    assert "(here 0.1)" in header and "nearest Keras model" in header
    assert "keras.optimizers.Adam(learning_rate=0.001)" in code  # not the turn of 0.1
    assert 'layers.Dense(1, activation="sigmoid")' in code


def test_switches_the_machine_refuses_are_refused():
    with pytest.raises(ValueError, match="softmax needs ten bulbs"):
        keras_code(Config(activation="softmax"))
    with pytest.raises(ValueError, match="trial"):
        keras_code(Config(rule="trial", bulbs=10, activation="softmax"))


# ----------------------------------------------------------------- the window's highlight


def _lines_with(text: str, *tokens: str) -> set[int]:
    return {i for i, line in enumerate(text.splitlines()) if any(t in line for t in tokens)}


@pytest.mark.parametrize(("switch", "value", "tokens"), [
    ("epochs", 20, ["epochs=20"]),
    ("batch_size", 128, ["batch_size=128"]),
    ("lr", 0.01, ["learning_rate=0.01"]),
    ("optimizer", "sgd", ["keras.optimizers.SGD("]),
    ("loss", "mae", ['"mean_absolute_error"']),
    ("activation", "none", ["activation=None"]),
    ("inputs", "raw", ["# inputs raw", "x_train = x_train.astype", "x_test = x_test.astype"]),
    ("subset", 20, ["# subset", "x_train[:20]"]),
    ("seed", 3, ["seed 3", "set_random_seed(3)"]),
    ("digit", 3, ["digit 3", "== 3)", "never a 3"]),
    ("bulbs", 10, ["ten bulbs", "to_categorical", "Dense(10", "CategoricalAccuracy",
                   "commonest", 'print(f"test loss']),
])
def test_changed_lines_marks_exactly_what_one_switch_changed(switch, value, tokens):
    old = keras_code(Config())
    new = keras_code(dataclasses.replace(Config(), **{switch: value}))
    assert changed_lines(old, new) == _lines_with(new, *tokens)
    assert changed_lines(old, old) == set()


@pytest.mark.parametrize("new_config", [Config(rule="rosenblatt", lr=1.0),
                                        Config(rule="trial", lr=0.1, bulbs=10),
                                        Config(bulbs=10, activation="softmax", loss="ce")])
def test_the_unmarked_lines_are_the_old_ones_in_order(new_config):
    old, new = keras_code(Config()), keras_code(new_config)
    marked = changed_lines(old, new)
    assert marked
    kept = iter(old.splitlines())
    for i, line in enumerate(new.splitlines()):
        if i not in marked:
            assert line in kept  # consumes the old lines up to it: an ordered subsequence


def test_changed_lines_on_plain_text():
    assert changed_lines("a\nb\n", "a\nx\nb\n") == {1}
    assert changed_lines("a\nb\nc\n", "a\nc\n") == set()  # a removal marks nothing
    assert changed_lines("a\nb\n", "a\nB\n") == {1}
    assert changed_lines("", "a\nb") == {0, 1}


# ----------------------------------------------------------------------- the command


def test_main_prints_the_code(capsys):
    assert kc.main(["--activation", "none", "--inputs", "raw"]) == 0
    assert capsys.readouterr().out == keras_code(Config(activation="none", inputs="raw"))


def test_main_gives_a_rule_its_own_step(capsys):
    assert kc.main(["--rule", "rosenblatt"]) == 0
    assert "keras.optimizers.SGD(learning_rate=1.0)" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--activation", "softmax"], ["--lr", "0"],
                                  ["--loss", "hinge"], ["--seeds", "0-3"],
                                  ["--save", "knobs.npz"], ["--bulbs", "3"]])
def test_main_refuses_bad_switches(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        kc.main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_python_main_py_code():
    done = subprocess.run([sys.executable, "main.py", "code", "--activation", "none",
                           "--inputs", "raw"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == keras_code(Config(activation="none", inputs="raw"))
    ast.parse(done.stdout)


def test_the_module_is_standard_library_only():
    done = subprocess.run([sys.executable, "-c", "import sys, simulator.keras_code; "
                           "print(sorted(m for m in ('numpy', 'pygame', 'keras') "
                           "if m in sys.modules))"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
