"""The retina: 28x28 photocells, each glowing with the light of its pixel."""

from __future__ import annotations

import numpy as np
import pygame

from simulator.theme import Theme
from simulator.view.common import begin, cached, draw_header, draw_plate, mix
from simulator.view.layout import N, retina_grid, retina_header_height

LIGHT_LEVELS = 32  # brightness steps of a photocell

_CELLS: dict[tuple, list[pygame.Surface]] = {}
_POSITIONS: dict[tuple, list[tuple[int, int]]] = {}


def retina_levels(image) -> np.ndarray:
    """(784,) int light levels 0..LIGHT_LEVELS for `image` (28, 28) or (784,) in [0, 1]."""
    img = np.asarray(image, dtype=np.float32)
    if img.shape not in ((N, N), (N * N,)):
        raise ValueError(f"image must be (28, 28) or (784,), got shape {img.shape}")
    light = np.clip(np.nan_to_num(img.reshape(-1), nan=0.0), 0.0, 1.0)
    return np.rint(light * LIGHT_LEVELS).astype(np.intp)


def cell_light(level: int, theme: Theme) -> tuple[int, int, int]:
    """The lens colour of a photocell at `level` (what the probe sees at a cell's centre)."""
    return mix(theme.retina_off, theme.retina_on, level / LIGHT_LEVELS)


def _cell_sprite(cell: int, level: int, theme: Theme) -> pygame.Surface:
    """One photocell: a round lens glowing with its light, its corners catching a little."""
    k = 4
    big = pygame.Surface((cell * k, cell * k))
    light = level / LIGHT_LEVELS
    big.fill(mix(theme.board_bg, theme.retina_on, 0.22 * light))
    c = cell * k / 2
    lens = cell_light(level, theme)
    pygame.draw.circle(big, mix(theme.board_bg, lens, 0.75), (c, c), cell * k * 0.5)
    pygame.draw.circle(big, lens, (c, c), cell * k * 0.42)
    if cell >= 6:  # a faint glint: glass, not paint
        pygame.draw.circle(
            big, mix(lens, (255, 255, 255), 0.35), (c * 0.74, c * 0.7), cell * k * 0.09
        )
    return pygame.transform.smoothscale(big, (cell, cell))


def _cell_sprites(cell: int, theme: Theme) -> list[pygame.Surface]:
    return cached(_CELLS, (cell, theme), lambda: [
        _cell_sprite(cell, lv, theme) for lv in range(LIGHT_LEVELS + 1)], limit=4)


def _positions(x0: int, y0: int, cell: int) -> list[tuple[int, int]]:
    key = (x0, y0, cell)
    if key not in _POSITIONS:
        if len(_POSITIONS) > 64:
            _POSITIONS.clear()
        _POSITIONS[key] = [(x0 + c * cell, y0 + r * cell) for r in range(N) for c in range(N)]
    return _POSITIONS[key]


_LAST: dict[tuple, tuple[bytes, pygame.Surface]] = {}


def _grid_surface(levels: np.ndarray, cell: int, theme: Theme) -> pygame.Surface:
    """The 28x28 photocells as one surface, redrawn only when the picture changes."""
    key = (cell, theme)
    data = levels.tobytes()
    last = _LAST.get(key)
    if last is not None and last[0] == data:
        return last[1]
    grid = last[1] if last is not None else pygame.Surface((N * cell, N * cell))
    sprites = _cell_sprites(cell, theme)
    positions = _positions(0, 0, cell)
    grid.fblits([(sprites[lv], p) for lv, p in zip(levels.tolist(), positions, strict=True)])
    if len(_LAST) > 8:
        _LAST.clear()
    _LAST[key] = (data, grid)
    return grid


def draw_retina(
    surface: pygame.Surface,
    rect: pygame.Rect,
    image,
    theme: Theme,
    *,
    hover: tuple[int, int] | None = None,
) -> None:
    """Draw the retina for `image` (28, 28) light in [0, 1]; hover: (row, col) to ring."""
    rect = pygame.Rect(rect)
    levels = retina_levels(image)
    s = begin(surface, theme)
    x0, y0, cell = retina_grid(rect)
    draw_plate(surface, rect, theme, s, hole=pygame.Rect(x0, y0, N * cell, N * cell))
    draw_header(
        surface,
        rect,
        theme,
        s,
        "Retina",
        "28×28 light sensors",
        header_h=retina_header_height(rect),
    )
    grid = pygame.Rect(x0, y0, N * cell, N * cell)
    surface.blit(_grid_surface(levels, cell, theme), grid)
    pygame.draw.rect(surface, theme.card_border, grid.inflate(2, 2), 1)
    if hover is not None:
        row, col = hover
        if 0 <= row < N and 0 <= col < N:
            cell_rect = pygame.Rect(x0 + col * cell, y0 + row * cell, cell, cell)
            pygame.draw.rect(surface, theme.knob_selected, cell_rect.inflate(2, 2), 1)
