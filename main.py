"""Rosenblatt's perceptron machine.

    python main.py                 open the machine (a window)
    python main.py train [...]     train on the command line (python main.py train --help)
    python main.py code [...]      print the Keras 3 code for the same switches
"""

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "train":
        from simulator.cli import main as train

        return train(argv[1:])
    if argv and argv[0] == "code":
        from simulator.keras_code import main as code

        return code(argv[1:])
    from simulator.app import main as machine

    return machine(argv)


if __name__ == "__main__":
    sys.exit(main())
