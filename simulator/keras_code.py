"""The Keras code for the machine's current switches. Standard library only.

:func:`keras_code` writes the Keras 3 program a person would write to train the machine's
model on the same data: the same bulb(s), activation, loss, optimizer and learning rate,
batch size, epochs, inputs, training pictures, digit and seed, each read from the
:class:`~simulator.config.Config` (no templates per chapter of the story). The machine's
gradient descent *is* that Keras model re-done in NumPy (see :mod:`simulator.engine`), so
the program is its counterpart line for line:

- one bulb, ``ce``: ``binary_crossentropy``; ten bulbs after a softmax, ``ce``:
  ``categorical_crossentropy`` on one-hot targets (``keras.utils.to_categorical``); ten
  bulbs otherwise: the same one-hot targets, the loss taken per bulb;
- one bulb is lit when its output is above 0.5: ``BinaryAccuracy(threshold=0.5)``; ten
  bulbs: the brightest answers, ``CategoricalAccuracy``;
- Keras's ``Dense`` starts as the machine does: Glorot-uniform weights, zero bias.

The two procedures that Keras does not have get a leading comment that says so, and the
nearest Keras model. Rosenblatt's error-correction procedure becomes plain SGD, one
picture per step, from zero knobs, on the perceptron criterion ``(answer - target) * z``
with the answer held fixed: its gradient is the rule's correction exactly (for ten bulbs,
the true digit's knobs raised and the wrong winner's lowered). The story's trial and error
measures no gradient at all: its nearest Keras model is the same bulb trained by gradient
descent, at gradient descent's own learning rate.

:func:`changed_lines` tells the window which lines a switch changed; :func:`main` is
``python main.py code [the train command's switches]``.
"""

from __future__ import annotations

import argparse
import difflib
import sys
import textwrap

from .config import SWITCHES, Config
from .dims import A_THRESHOLD, CONNECTIONS, N_PHOTOCELLS, PHOTOCELL_ON, WIRING_STREAM, n_units

# The loss names Keras knows these losses by (keras.losses.get accepts each).
_LOSS_NAMES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
               "ce": "binary_crossentropy"}
_GD_LR = 0.001  # gradient descent's own learning rate (simulator.rules.RULES["gd"].lr)
_UNTIL_PAUSED_EPOCHS = 100  # the window's "until paused" (epochs 0) written for Keras


def keras_code(config: Config) -> str:
    """Keras 3 code that trains the machine's model, with these switches, on MNIST.

    Raises ValueError for switches the machine itself refuses (:meth:`Config.validate`).
    The text ends with a newline and parses as Python.
    """
    c = config.validate()
    rule = c.rule
    lines: list[str] = []
    add = lines.append
    for line in _header(c):
        add(line)
    add("import numpy as np")
    add("")
    add("import keras")
    add("from keras import layers")
    add("")
    add(f"# seed {c.seed}: the same seed, the same first knobs and the same picture order")
    add(f"keras.utils.set_random_seed({c.seed})")
    add("")
    add("# MNIST: 60,000 training pictures and 10,000 test pictures, 28x28 pixels of 0..255")
    add("(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()")
    add("")
    if c.wiring == "plugboard":
        for line in _plugboard(c):
            add(line)
    elif c.inputs == "unit":
        add("# inputs scaled: each pixel divided by 255, into 0..1 (the course's next lesson)")
        add('x_train = x_train.astype("float32") / 255.0')
        add('x_test = x_test.astype("float32") / 255.0')
    else:
        add("# inputs raw: pixels 0..255, as the tutorial first fed them (as floats, undivided)")
        add('x_train = x_train.astype("float32")')
        add('x_test = x_test.astype("float32")')
    add("")
    if c.bulbs == 1:
        add(f'# one bulb for the digit {c.digit}: it answers "is it a {c.digit}?" '
            f"(target 1.0 for a {c.digit}, 0.0 otherwise)")
        add(f'y_train = (y_train == {c.digit}).astype("float32")')
        add(f'y_test = (y_test == {c.digit}).astype("float32")')
    else:
        add("# ten bulbs, one per digit: one-hot targets (1.0 for the picture's digit, "
            "else 0.0)")
        add("y_train = keras.utils.to_categorical(y_train, 10)")
        add("y_test = keras.utils.to_categorical(y_test, 10)")
    add("")
    if c.subset:
        add(f"# subset: train on the first {c.subset:,} pictures only "
            "(can it fit them?)")
        add(f"x_train, y_train = x_train[:{c.subset}], y_train[:{c.subset}]")
    else:
        add("# subset off: all 60,000 training pictures")
    add("")
    if rule == "rosenblatt":
        add("")
        for line in _perceptron_criterion(c):
            add(line)
        add("")
        add("")
    add("model = keras.Sequential([")
    units = n_units(c)
    if c.wiring == "plugboard":
        add(f"    keras.Input(shape=({units},)),  # the association units' outputs, 0 or 1")
    else:
        add("    keras.Input(shape=(28, 28)),  # the retina: 28x28 light sensors")
    if c.wiring == "hidden":
        add("    layers.Flatten(),  # 784 inputs")
        add(f'    layers.Dense({units}, activation="relu"),  # the hidden layer: {units} '
            "units, trained too")
    elif c.wiring == "direct":
        add("    layers.Flatten(),  # 784 inputs, each sensor with its own knob")
    add(f"    {_dense(c)}")
    add("])")
    if rule == "rosenblatt":
        add("# the knobs start at zero, as the procedure is stated")
    else:
        add("# Keras's Dense starts as the machine does: Glorot-uniform knobs, bias 0")
    add("")
    add("model.compile(")
    add(f"    optimizer={_optimizer(c)}")
    add(f"    loss={_loss(c)}")
    add(f"    metrics=[{_metric(c)}")
    add(")")
    add("")
    add("model.fit(")
    add("    x_train, y_train,")
    add(f"    {_epochs(c)}")
    if rule == "rosenblatt":
        add("    batch_size=1,  # one picture at a time (slow in Keras: minutes an epoch)")
    else:
        add(f"    batch_size={c.batch_size},  # pictures per gradient step")
    add("    validation_data=(x_test, y_test),  # the test pictures, scored after each epoch")
    add(")")
    add("")
    add("loss, accuracy = model.evaluate(x_test, y_test, verbose=0)")
    if c.bulbs == 1:
        add("never = np.mean(y_test == 0.0)  # the score of a bulb that never lights")
        add(f'print(f"test loss {{loss:.4f}}, test accuracy {{accuracy:.2%}} '
            f'(never a {c.digit}: {{never:.2%}})")')
    else:
        add("commonest = np.bincount(y_test.argmax(axis=1)).max() / len(y_test)")
        add('print(f"test loss {loss:.4f}, test accuracy {accuracy:.2%} "')
        add('      f"(always the commonest digit: {commonest:.2%})")')
    return "\n".join(lines) + "\n"


def _header(c: Config) -> list[str]:
    lines = [
        "# Keras 3 code for the perceptron machine with its current switches. It needs Keras 3",
        "# and a backend: pip install keras tensorflow (or jax or torch, with KERAS_BACKEND set).",
    ]
    if c.rule == "rosenblatt":
        unit = ("a threshold unit (lit when the weighted sum is above 0)" if c.bulbs == 1
                else "ten threshold units (the largest weighted sum answers)")
        note = (
            "Rosenblatt's error-correction procedure has no Keras counterpart: Keras learns "
            "by gradient descent on a loss. The procedure (Principles of Neurodynamics, 1962) "
            f"shows one picture at a time to {unit} and only on a wrong answer moves the "
            f"knobs, by the step times the picture (step {_number(c.lr)}). The nearest Keras "
            "model, below, makes that very move by gradient descent: plain SGD with the "
            "step as its learning rate, one picture per step, knobs starting at zero, on a "
            "loss whose gradient is the rule's correction. Keras shows the pictures in its "
            "own order, so its knobs end "
            "up elsewhere than the machine's."
        )
    elif c.rule == "trial":
        wanted = (f"brighter for a {c.digit}, dimmer for any other digit" if c.bulbs == 1 else
                  "the picture's digit brighter, another bulb dimmer")
        note = (
            "The story's trial and error has no Keras counterpart: it measures no gradient. "
            "For each picture it turns one knob a little and looks at the bulb (wanted: "
            f"{wanted}); it keeps turning while that helps, else tries the other way, then "
            "takes the next knob. The learning-rate switch is that little turn (here "
            f"{_number(c.lr)}), not a learning rate. The nearest Keras model, below, is the "
            "same model on the same pictures trained by gradient descent, with the loss, "
            "optimizer and batch switches (which trial and error ignores) and gradient "
            f"descent's own learning rate, {_number(_GD_LR)}."
        )
    else:
        return lines
    return [*lines, "#", *textwrap.wrap(note, 88, initial_indent="# ", subsequent_indent="# ")]


def _plugboard(c: Config) -> list[str]:
    """NumPy lines that wire the pictures through the Mark I's plugboard, exactly as the
    machine does (:mod:`simulator.wiring`, the same random cords for the same seed)."""
    units = n_units(c)
    note = (f"The Mark I's plugboard is fixed wiring, not trained, so it is made here in "
            f"NumPy before Keras sees the pictures: {N_PHOTOCELLS} photocells (each 28x28 "
            f"picture resampled to 20x20 by area, a photocell lit above half brightness), "
            f"{units} association units, each patched at random to {CONNECTIONS} photocells "
            f"by +1 or -1 cords, firing when its sum reaches {A_THRESHOLD}. The knobs weigh "
            "the units' outputs. These are the machine's own cords for this seed.")
    return [
        *textwrap.wrap(note, 88, initial_indent="# ", subsequent_indent="# "),
        f"cords_rng = np.random.default_rng(({WIRING_STREAM:#x}, {c.seed}))",
        f"cells = cords_rng.integers(0, {N_PHOTOCELLS}, size=({units}, {CONNECTIONS}))",
        f"signs = cords_rng.choice(np.array([-1, 1], np.int8), size=({units}, {CONNECTIONS}))",
        f'cords = np.zeros(({N_PHOTOCELLS}, {units}), "float32")  # photocell -> unit: +1, -1',
        f"np.add.at(cords, (cells, np.arange({units})[:, None]), signs)",
        "# how many fifths of pixel j photocell row i covers (7 fifths a photocell row)",
        'area = np.zeros((20, 28), "float32")',
        "for i in range(20):",
        "    for j in range(28):",
        "        area[i, j] = max(0, min(7 * (i + 1), 5 * (j + 1)) - max(7 * i, 5 * j))",
        "",
        "",
        "def plugboard(pictures):",
        "    \"\"\"Pictures (n, 28, 28) of 0..255 -> the association units' outputs, 0 or 1.\"\"\"",
        '    light = area @ pictures.astype("float32") @ area.T  # 49 x each photocell\'s mean',
        f"    photocells = (light > 49 * {PHOTOCELL_ON}).reshape(len(pictures), {N_PHOTOCELLS})",
        f'    return (photocells.astype("float32") @ cords >= {A_THRESHOLD}).astype("float32")',
        "",
        "",
        "x_train, x_test = plugboard(x_train), plugboard(x_test)",
    ]


def _perceptron_criterion(c: Config) -> list[str]:
    if c.bulbs == 1:
        answer = ["    # the threshold unit's answer: lit (1.0) when the weighted sum is above 0",
                  '    lit = keras.ops.cast(keras.ops.greater(z, 0.0), "float32")']
    else:
        answer = ["    # the brightest bulb answers",
                  "    lit = keras.ops.one_hot(keras.ops.argmax(z, axis=-1), 10)"]
    return [
        "def perceptron_criterion(y_true, z):",
        '    """(answer - target) * weighted sum, with the answer held fixed: 0 for a right',
        "    answer; its gradient takes the picture from the knobs of a bulb lit wrongly and",
        '    adds it to those of a bulb that should have lit: Rosenblatt\'s correction."""',
        *answer,
        "    answer = keras.ops.stop_gradient(lit)",
        "    return keras.ops.sum((answer - y_true) * z, axis=-1)",
    ]


def _dense(c: Config) -> str:
    if c.rule == "rosenblatt":
        return (f'layers.Dense({c.bulbs}, activation=None, kernel_initializer="zeros"),'
                "  # z, the weighted sum")
    activation = "None" if c.activation == "none" else f'"{c.activation}"'
    what = {
        "none": "none: the raw weighted sum, free to leave 0..1",
        "sigmoid": "sigmoid: the weighted sum squashed into 0..1",
        "softmax": "softmax: the ten bulbs share the light",
    }[c.activation]
    return f"layers.Dense({c.bulbs}, activation={activation}),  # {what}"


def _optimizer(c: Config) -> str:
    if c.rule == "rosenblatt":
        return (f"keras.optimizers.SGD(learning_rate={_number(c.lr)}),"
                "  # the step: knobs -= step * gradient")
    lr = _GD_LR if c.rule == "trial" else c.lr
    if c.optimizer == "adam":
        return f"keras.optimizers.Adam(learning_rate={_number(lr)}),  # Adam, the tutorial's"
    return (f"keras.optimizers.SGD(learning_rate={_number(lr)}),"
            "  # plain SGD: knobs -= lr * gradient")


def _loss(c: Config) -> str:
    if c.rule == "rosenblatt":
        return "perceptron_criterion,  # Rosenblatt's correction as a gradient"
    if c.loss == "ce" and c.activation == "softmax":
        return '"categorical_crossentropy",  # ce after softmax: categorical cross-entropy'
    what = {
        "mse": "mse: the mean of (output - target)^2",
        "mae": "mae: the mean of |output - target|",
        "ce": "ce: cross-entropy, bulb by bulb",
    }[c.loss]
    if c.loss == "ce" and c.activation == "none":
        what = "ce: cross-entropy per bulb; outputs outside 0..1 are clipped"
    return f'"{_LOSS_NAMES[c.loss]}",  # {what}'


def _metric(c: Config) -> str:
    if c.bulbs == 10:
        return "keras.metrics.CategoricalAccuracy()],  # the brightest bulb answers"
    if c.rule == "rosenblatt":
        return ("keras.metrics.BinaryAccuracy(threshold=0.0)],"
                "  # lit when the weighted sum is above 0")
    return "keras.metrics.BinaryAccuracy(threshold=0.5)],  # lit when the output is above 0.5"


def _epochs(c: Config) -> str:
    if c.epochs == 0:
        return (f"epochs={_UNTIL_PAUSED_EPOCHS},  # the machine's 'until paused': Keras "
                "needs a number")
    return f"epochs={c.epochs},  # passes over the training pictures"


def _number(value: float) -> str:
    """A float as Python writes it: 0.001, 0.0001, 1.0, 1e-05."""
    return repr(float(value))


def changed_lines(old: str, new: str) -> set[int]:
    """Indices (from 0) of the lines of ``new`` that are not in ``old``: replaced or
    inserted lines, as difflib matches the two texts line by line."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    changed: set[int] = set()
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(j1, j2))
    return changed


# ------------------------------------------------------------------ the command line


def build_parser() -> argparse.ArgumentParser:
    """The train command's parser (the same switch options, from the one table), for
    ``code``: options that are not switches are hidden and refused by :func:`main`."""
    from .cli import build_parser as train_parser

    parser = train_parser()
    parser.prog = "python main.py code"
    parser.description = ("Print the Keras 3 code that trains the machine's model with these "
                          "switches (the same options as python main.py train).")
    parser.epilog = ("Without options: the defaults (sigmoid, inputs scaled to 0..1). The "
                     "tutorial's model as first written: --activation none --inputs raw.")
    for action in parser._actions:
        if action.dest not in SWITCHES and action.dest != "help":
            action.help = argparse.SUPPRESS
    return parser


def main(argv: list[str] | None = None) -> int:
    """``python main.py code [switches]``: print the Keras code; 2 for bad switches."""
    from .cli import make_config

    parser = build_parser()
    args = parser.parse_args(argv)
    not_switches = [action.option_strings[0] for action in parser._actions
                    if action.dest not in SWITCHES and action.option_strings
                    and action.dest != "help"
                    and getattr(args, action.dest) != action.default]
    if not_switches:
        parser.error(f"{', '.join(not_switches)}: an option of train, not a switch; code "
                     "takes the switches only (--rule, --activation, --loss, ...)")
    try:
        config = make_config(args, None)
    except ValueError as exc:
        parser.error(str(exc))
    sys.stdout.write(keras_code(config))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
