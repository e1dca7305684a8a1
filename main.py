"""Rosenblatt's perceptron machine.

    python main.py                 open the machine (a window)
    python main.py train [...]     train on the command line (python main.py train --help)
    python main.py code [...]      print the Keras 3 code for the same switches
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "train":
        # One BLAS thread, as in the window (simulator/launch.py), set before NumPy loads:
        # training's products are small or memory-bound, and a spread of seeds runs one
        # process per core, whose OpenBLAS threads would otherwise fight over the cores
        # (measured when this was set: 10 seeds took 3.7 times one seed's run with them, 2.3
        # without).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        from simulator.cli import main as train

        return train(argv[1:])
    if argv and argv[0] == "code":
        from simulator.keras_code import main as code

        return code(argv[1:])
    from simulator.app import main as machine

    return machine(argv)


if __name__ == "__main__":
    sys.exit(main())
