"""Trial and error: the story's way of turning the knobs, knob after knob. NumPy only.

The procedure, as the tutorial tells the story of the knobs (before it writes any code):
show the machine a picture. Take a knob and turn it a little. If the bulb got brighter
(for a picture of the target digit; dimmer for any other picture), keep the turn and turn
it some more, as long as it keeps getting brighter. If the first turn made it worse, undo
it and try the other direction. Then the next knob; after all the knobs, the next picture.
After every picture has been shown once, that is an epoch.

That story is not Rosenblatt's procedure (his error-correction rule moves the knobs only
when the answer is wrong: :class:`simulator.engine.RosenblattTrainer`), nor gradient
descent; it is the tutorial's picture of learning, and here it is run as told, with these
precise choices:

- The pictures come in a random order, a fresh permutation of the training pictures every
  epoch, drawn from ``np.random.default_rng(config.seed)`` (as :class:`engine.Trainer`).
- For each picture the knobs tried are the ones its picture lights (pixel > 0; an unlit
  sensor's knob cannot change the bulb), in index order, then the bias knob (index 784,
  input the constant 1) last.
- "A little" is one turn of ``turn = lr / (255 * scale)``: ``lr`` for inputs scaled to
  0..1, ``lr / 255`` for raw pixels 0..255, so that a turn of a pixel's knob moves the
  weighted sum by the same amount for the same picture in both input modes (the bias's
  input is 1 in both, so a bias turn moves it 255 times less on raw inputs).
- The first direction tried is up (+turn), so the order of the trials is deterministic.
- A turn is kept only if the bulb's output changed strictly the wanted way, compared in
  float32; at most :data:`TURNS_CAP` turns are kept per knob and picture. If the first
  turn up made it worse it is undone and the knob is tried down the same way. A turn that
  changes nothing (a sigmoid saturated in float32, or a weighted sum too large for the
  turn to register) is not kept and the knob is left as it was.
- The bulb's output is :func:`engine.activate` of the weighted sum (none: z itself;
  sigmoid: 1 / (1 + exp(-z))), in float32. The weighted sum ``z = x @ w`` is computed once
  per picture and bulb, then tracked turn by turn, ``z += x_j * turn``, in float32.
- Ten bulbs: for each picture, the bulb of its true digit is made brighter, then one other
  bulb, drawn at random (uniformly among the nine, from the same generator: all of an
  epoch's draws are made when its order is drawn), is made dimmer.

Because every input is >= 0 and the activations are monotone, the story reduces to a
simple rule whenever nothing saturates: every lit knob turns :data:`TURNS_CAP` times up
for a target picture and down for any other (the same for a faint pixel as for a bright
one). That is what makes it fast: the weighted sum's trajectory over a whole picture is
then one float32 cumulative sum (NumPy's accumulate is sequential, with the same roundings
as the loop), checked turn by turn afterwards; only where a check fails is one knob redone
step by step. The knobs come out exactly, byte for byte, as a naive loop over knobs and
turns would leave them (``tests/test_trial.py`` holds that loop). Once a sigmoid bulb's
output is exactly 1.0 (the first turn, up, can never change it) or exactly 0.0 while it
should get dimmer, no knob can change it any more and the rest of the picture is skipped.

What it learns: without an activation nothing stops the turns. Every picture of another
digit turns its lit knobs down, there are nine of them for each 5, and the knobs drift
down until the bulb is dark for every picture (91.08% on "is it a 5?", the base rate).
With a sigmoid, float32's limits do the stopping: a bulb at exactly 0.0 (z below about
-88.72) that should be dimmer, or at exactly 1.0 (z above about 16.64), moves no knob. The
other digits stop pulling once they are dark enough, the 5s keep pushing until they are
lit, and the bulb answers well (96-97%). A 5 whose bulb is at exactly 0.0 moves a knob
only if one turn alone brings z above the limit, so small turns can leave it frozen dark.

With ``activation="softmax"`` one bulb's brightness depends on all ten, so the story's
single bulb has no meaning: it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import (
    N_INPUTS,
    N_PIXELS,
    Config,
    EpochBookkeeping,
    check_params,
    init_knobs,
    training_set,
)

TURNS_CAP = 4  # at most this many turns kept per knob and picture (see TrialAndError)
BRIGHTER, DIMMER = "brighter", "dimmer"
_MIN_WINDOW = 16  # knobs checked at once after a failed check (then doubled while clean)
_ONE = np.float32(1.0)


def _identity(z):
    return z


def _sigmoid(z):  # engine.activate's expression, for float32 arrays and scalars alike
    return _ONE / (_ONE + np.exp(-z))


def _first_false(flags: np.ndarray, n: int) -> int:
    """The index of the first False in a bool array, or n if there is none."""
    if not flags.size:
        return n
    i = int(flags.argmin())  # (NumPy's all() is several times slower than argmin())
    return n if flags[i] else i


# The bulb's output: engine.activate's values (tests/test_trial.py checks it), without its
# copy and its error-state context (the callers here hold one), for arrays and np.float32.
BULBS = {"none": _identity, "sigmoid": _sigmoid}


@dataclass(frozen=True)
class KnobTry:
    """What one knob's trial did (:meth:`TrialAndError.step_knob`)."""

    picture: int  # index of the picture shown (into the training pictures)
    label: int  # its true digit
    bulb: int  # the bulb watched (0 for a lone bulb, else its digit)
    knob: int  # the knob tried: 0..783 a sensor's (row * 28 + col), 784 the bias
    turns: int  # turns kept, signed: +2 = two turns up, -1 = one down, 0 = left as it was
    z_before: float  # the bulb's weighted sum before the trial
    z_after: float
    output_before: float  # the bulb's output (brightness) before the trial
    output_after: float
    wanted: str  # "brighter" (a picture of the bulb's digit) or "dimmer"
    picture_done: bool  # this was the picture's last knob (for every bulb it works on)
    epoch_done: bool  # ... and the epoch's last picture


class _Task:
    """One bulb's part of one picture: its knobs, the turn sizes, and how far it got."""

    __slots__ = ("picture", "bulb", "sign", "knobs", "dz", "m", "z", "out")

    def __init__(self, picture, bulb, sign, knobs, dz, z, out):
        self.picture, self.bulb, self.sign = picture, bulb, sign
        self.knobs = knobs  # (L,) int64 the lit knobs, then the bias (784); None: not yet
        self.dz = dz  # (L,) float32 the change of z per turn up: x_j * turn
        self.m = 0  # knobs done
        self.z, self.out = z, out  # np.float32 the tracked weighted sum and the output


class TrialAndError(EpochBookkeeping):
    """The story's trial-and-error procedure, with :class:`engine.Trainer`'s interface.

    Turns the knobs ``params`` (785, k) float32 in place, a few pictures at a time
    (:meth:`step`, :meth:`run_epoch`), or one knob at a time in slow motion
    (:meth:`step_knob`); the two can be mixed freely and give the same knobs. See the
    module's docstring for the procedure.

    ``lr`` (the size of one turn on inputs 0..1) defaults to :attr:`lr` = 0.1, among the
    best measured for one epoch on the full MNIST with a sigmoid on unit inputs: 96.1-96.5%
    on the test set for seeds 0..3 (0.07 as good, 0.04-0.05 a little lower; at 0.03 and
    below the first epoch leaves the bulb dark for nearly every picture, 91.1-92%, and only
    later epochs recover). An epoch of the full MNIST takes about a second with a sigmoid,
    2-5 s without activation (one core).

    Parameters
    ----------
    config : the switches; it reads activation (none or sigmoid), lr, inputs, subset,
        digit, bulbs and seed.
    images : (n, 28, 28) or (n, 784) uint8 training pictures (pixel values 0..255).
    labels : (n,) digit labels.
    params : (785, k) float32 knobs, shared and modified in place; None for fresh
        random knobs (:func:`engine.init_knobs` from ``config.seed``).
    """

    name = "trial"
    label = "Trial and error"
    lr = 0.1  # default turn size for inputs 0..1 (see the class docstring)
    tooltip = ("The story's procedure: for each picture, knob after knob, turn a little and "
               "keep turning while the bulb gets brighter for the digit (dimmer for others); "
               "if the first turn makes it worse, try the other way.")
    per_picture = True  # steps are pictures, not batches

    def __init__(self, config: Config, images: np.ndarray, labels: np.ndarray, params=None):
        self.config = config.validate()
        if config.activation not in ("none", "sigmoid"):
            raise ValueError("trial and error watches one bulb at a time: activation must be "
                             f"none or sigmoid, got {config.activation!r}")
        images, self.labels = training_set(images, labels, config)
        n = len(images)
        self.pixels = images.reshape(n, N_PIXELS)  # (n, 784) uint8, not copied
        self.rng = np.random.default_rng(config.seed)
        if params is None:
            params = self.fresh_knobs(config, self.rng)
        self.params = check_params(params, config.bulbs)
        self.epoch = 0  # finished epochs
        self.position = 0  # pictures done in the epoch under way
        self.order = None  # this epoch's shuffled picture order, (n,) int64
        self.others = None  # ten bulbs: this epoch's bulb to dim for each place in order
        self.last_batch = np.arange(0)  # (1,) the index of the picture shown last
        self.steps = 0  # pictures done, all epochs
        self._tasks: list[_Task] = []  # the picture under way: its bulbs' tasks left
        self._scale = np.float32(config.scale)
        self._turn = np.float32(config.lr / round(255 * config.scale))
        self._x = np.empty(N_INPUTS, np.float32)  # (785,) the picture's inputs
        self._x[N_PIXELS] = 1.0
        self._bulb = BULBS[config.activation]

    @staticmethod
    def fresh_knobs(config: Config, rng: np.random.Generator) -> np.ndarray:
        return init_knobs(config, rng)

    @property
    def batch_size(self) -> int:
        return 1  # one picture at a time

    @property
    def turn(self) -> float:
        """One turn of a knob (the learning rate, per unit of input: see the module)."""
        return float(self._turn)

    # ------------------------------------------------------------------ public steps

    def step(self, max_steps: int = 1) -> int:
        """Show up to ``max_steps`` pictures, never past the end of the epoch.

        A picture begun knob by knob (:meth:`step_knob`) is finished first and counts as
        one. Returns the number of pictures done; when the epoch ends, ``epoch`` goes up
        and ``position`` returns to 0.
        """
        if max_steps < 1:
            return 0
        self._begin_epoch()
        order, n = self.order, self.n_train
        start = self.position
        stop = min(n, start + max_steps)
        with np.errstate(over="ignore"):
            for p in range(start, stop):
                if not self._tasks:
                    self._begin_picture(p)
                for task in self._tasks:
                    if not self._stuck(task.out, task.sign):
                        self._run(task, N_INPUTS)
                self._tasks = []
        self.position, self.steps = stop, self.steps + (stop - start)
        self.last_batch = order[stop - 1 : stop]
        if stop >= n:
            self._end_epoch()
        return stop - start

    def step_knob(self) -> KnobTry:
        """Slow motion: try one knob of the picture under way, with all of its turns.

        Begins the next picture if none is under way, and returns the facts of the trial.
        A bulb's part of a picture ends after its last knob, or as soon as the bulb sits at
        a limit where no turn can change it (see the module): the rest of its knobs would
        all be left as they are.
        """
        self._begin_epoch()
        with np.errstate(over="ignore"):
            if not self._tasks:
                self._begin_picture(self.position)
            task = self._tasks[0]
            self._lit(task)
            j, z0, out0 = task.m, task.z, task.out
            turns = 0
            if not self._stuck(task.out, task.sign):
                turns = self._run(task, 1)
            if self._stuck(task.out, task.sign) or task.m >= len(task.knobs):
                self._tasks.pop(0)
        picture_done = not self._tasks
        epoch_done = False
        if picture_done:
            p = self.position
            self.position, self.steps = p + 1, self.steps + 1
            self.last_batch = self.order[p : p + 1]
            if self.position >= self.n_train:
                self._end_epoch()
                epoch_done = True
        return KnobTry(
            picture=int(task.picture), label=int(self.labels[task.picture]),
            bulb=int(task.bulb), knob=int(task.knobs[j]), turns=turns,
            z_before=float(z0), z_after=float(task.z),
            output_before=float(out0), output_after=float(task.out),
            wanted=BRIGHTER if task.sign > 0 else DIMMER,
            picture_done=picture_done, epoch_done=epoch_done)

    # -------------------------------------------------------------- epochs, pictures

    def _begin_epoch(self) -> None:
        if self.order is not None:
            return
        self.order = self.rng.permutation(self.n_train)
        if self.config.bulbs == 10:  # for each place in the order, the other bulb to dim
            shift = self.rng.integers(1, 10, size=self.n_train)
            self.others = (self.labels[self.order].astype(np.int64) + shift) % 10

    def _end_epoch(self) -> None:
        self.epoch, self.position, self.order, self.others = self.epoch + 1, 0, None, None

    def _begin_picture(self, p: int) -> None:
        """Show the picture at place ``p`` of the order: one task per bulb it works on."""
        i = int(self.order[p])
        x = self._x
        np.multiply(self.pixels[i], self._scale, out=x[:N_PIXELS])  # as prepare_inputs
        label = int(self.labels[i])
        if self.config.bulbs == 10:
            jobs = ((label, 1), (int(self.others[p]), -1))
        else:
            jobs = ((0, 1 if label == self.config.digit else -1),)
        bulb_of = self._bulb
        for bulb, sign in jobs:
            z = x @ self.params[:, bulb]  # np.float32
            self._tasks.append(_Task(i, bulb, sign, None, None, z, bulb_of(z)))

    def _lit(self, task: _Task) -> None:
        """Find the task's knobs (while its picture is in the input buffer)."""
        if task.knobs is None:
            x = self._x
            task.knobs = x.nonzero()[0]  # the lit sensors' knobs, then the bias (input 1)
            task.dz = x[task.knobs] * self._turn  # (L,) float32: z's change per turn up
            for other in self._tasks:  # the other bulb's task shares them
                if other.knobs is None:
                    other.knobs, other.dz = task.knobs, task.dz

    # ------------------------------------------------------------------ the knobs

    def _stuck(self, out, sign) -> bool:
        """True when no turn of any knob can change the bulb: a sigmoid at exactly 1.0
        (the first turn, up, leaves it there, so every knob is left), or at exactly 0.0
        when it should get dimmer (up is worse, down leaves it at 0.0)."""
        return self.config.activation == "sigmoid" and (out == 1.0 or (sign < 0 and out == 0.0))

    def _run(self, task: _Task, limit: int) -> int:
        """Try up to ``limit`` knobs of the task and turn them; return the turns kept
        (signed) by the first knob tried.

        Speculate, then check. From the current weighted sum, a knob whose first turn (up)
        changes the bulb is predicted to keep all TURNS_CAP turns the wanted way, any other
        to be left as it is. The trajectory of z under that prediction is one cumulative
        sum, and the outputs along it check every prediction. The knobs up to the first
        failed check are taken as predicted, that one is redone turn by turn
        (:meth:`_try_knob`), and the rest is speculated again from there, in a window that
        shrinks when checks fail often (and grows again while they pass).
        """
        self._lit(task)
        knobs, dz, s, bulb = task.knobs, task.dz, task.sign, self._bulb
        m0 = m = task.m
        end = min(len(knobs), m0 + limit)
        z, out = task.z, task.out
        full, partial = [], []  # knobs that kept all their turns; (knob, turns) the others
        first = None  # the turns of the first knob tried
        window = end - m
        while m < end:
            if self._stuck(out, s):
                m = len(knobs)  # every knob left would be left as it is
                break
            w = min(window, end - m)
            d = dz[m : m + w]
            moves = bulb(z + d) != out  # (w,) the first turn (up) from here changes the bulb
            movers = np.count_nonzero(moves)  # (NumPy's all() and any() are slower)
            if movers == w:
                f, z, out = self._all_kept(z, d, s)
                full.append(knobs[m : m + f])
            elif not movers:  # each knob is left as it is, so z never moves: all true
                f = w
            else:
                f, z, out = self._predicted(z, d, s, moves)
                full.append(knobs[m : m + f][moves[:f]])
            if first is None and f:
                first = s * TURNS_CAP if moves[0] else 0
            m += f
            if f == w:
                window = 2 * window
                continue
            turns, z, out = self._try_knob(z, out, dz[m], s)
            if turns:
                partial.append((int(knobs[m]), turns))
            if first is None:
                first = turns
            m += 1
            window = max(_MIN_WINDOW, 2 * (f + 1))
        self._apply(task.bulb, full, partial, s)
        task.m, task.z, task.out = m, z, out
        return first or 0

    def _all_kept(self, z, d, s) -> tuple[int, np.float32, np.float32]:
        """Every knob predicted to keep all its turns: check the trajectory. Returns the
        number of knobs that did (from the first), and z and the output after them."""
        bulb, cap, n = self._bulb, TURNS_CAP, len(d)
        traj, outs, better = self._trajectory(z, d, s)
        if s < 0:  # each knob's first turn, up, must have made it worse (and was undone)
            better.reshape(n, cap)[:, 0] &= bulb(traj[:-1:cap] + d) > outs[:-1:cap]
        f = _first_false(better, n * cap) // cap  # the first knob that failed, or n
        return f, traj[f * cap], outs[f * cap]

    def _trajectory(self, z, d, s):
        """z and the output before and after each turn, (T+1,) each, if every knob keeps
        all its turns the ``s`` way; and (T,) whether each turn made the bulb better."""
        cap = TURNS_CAP
        traj = np.empty(len(d) * cap + 1, np.float32)  # z before and after each turn
        traj[0] = z
        traj[1:].reshape(-1, cap)[...] = (d if s > 0 else -d)[:, None]
        np.add.accumulate(traj, out=traj)  # sequential float32: the loop's roundings
        outs = self._bulb(traj)
        return traj, outs, outs[1:] > outs[:-1] if s > 0 else outs[1:] < outs[:-1]

    def _predicted(self, z, d, s, moves) -> tuple[int, np.float32, np.float32]:
        """Some knobs predicted to keep all their turns (``moves``), the others to be left:
        check the trajectory. Returns the number of knobs that went as predicted (from
        the first), and z and the output after them."""
        cap, w = TURNS_CAP, len(d)
        movers = moves.nonzero()[0]  # (M,) their places in the window
        traj, outs, better = self._trajectory(z, d[movers], s)  # the movers' turns in a row
        # Each knob's first turn, up, from where it really starts (after the movers before
        # it): a mover's must be worse when it should get dimmer (then it is undone; one
        # that should get brighter has it checked in ``better``), a knob left's must
        # change nothing.
        at = np.zeros(w + 1, np.intp)  # (w+1,) movers before each knob
        np.add.accumulate(moves, dtype=np.intp, out=at[1:])
        at = at[:-1]
        z_at, out_at = traj[::cap][at], outs[::cap][at]  # (w,) where each knob starts
        up = self._bulb(z_at + d)
        if s < 0:
            ok = np.where(moves, up > out_at, up == out_at)
        else:
            ok = np.logical_or(moves, up == out_at)
        f = _first_false(ok, w)
        bad = _first_false(better, len(better))
        if bad < len(better):
            f = min(f, int(movers[bad // cap]))
        if f == w:
            return f, traj[-1], outs[-1]
        return f, z_at[f], out_at[f]

    def _try_knob(self, z, out, dz, sign) -> tuple[int, np.float32, np.float32]:
        """One knob, turn by turn, exactly as the story goes: (turns kept, z, output)."""
        for direction, change in ((1, dz), (-1, -dz)):
            kept = 0
            while kept < TURNS_CAP:
                z_new = z + change
                out_new = self._bulb(z_new)
                if not (out_new > out if sign > 0 else out_new < out):
                    break
                z, out, kept = z_new, out_new, kept + 1
            if kept or out_new == out:  # kept turns, or the turn changed nothing: leave it
                return direction * kept, z, out
        return 0, z, out  # worse both ways

    def _apply(self, bulb: int, full: list, partial: list, sign: int) -> None:
        """Turn the knobs by the turns kept, one turn at a time (float32, as the loop):
        ``full`` arrays of knobs that kept TURNS_CAP turns the ``sign`` way, ``partial``
        (knob, signed turns) pairs."""
        column = self.params[:, bulb]
        idx = full[0] if len(full) == 1 else np.concatenate(full) if full else None
        if idx is not None and len(idx):
            w = column[idx]  # (n,) float32
            turn = self._turn if sign > 0 else -self._turn
            for _ in range(TURNS_CAP):
                w += turn
            column[idx] = w
        for knob, turns in partial:
            turn = self._turn if turns > 0 else -self._turn
            for _ in range(abs(turns)):
                column[knob] += turn
