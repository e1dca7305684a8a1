"""Rosenblatt's perceptron machine.

    python main.py                 open the machine (a window)
    python main.py train [...]     train on the command line (python main.py train --help)
"""

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "train":
        from simulator.cli import main as train

        return train(argv[1:])
    from simulator.app import main as machine

    return machine(argv)


if __name__ == "__main__":
    sys.exit(main())
