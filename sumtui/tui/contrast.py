"""Readable theme text colours: a theme's text colours (`$text-warning`, `$text-success`, the footer's
keys…) are darkened on light themes, lightened on dark ones, until they read on the theme's panels —
in truecolor and in the 256-colour palette a terminal without truecolor shows instead.

Textual's light theme gives `$text-success` a 3.2:1 contrast on `$panel`, 2.4:1 once a 256-colour
terminal picks its nearest colour: a green check mark that is hard to see. The same guard serves every
theme an operator may choose (`theme` in the config file)."""

from __future__ import annotations

from rich.color import ColorSystem
from textual.color import Color

# The colours text is written in (theme variables); backgrounds it is written on.
TEXT_VARIABLES = ("text-primary", "text-secondary", "text-accent", "text-warning", "text-error", "text-success",
                  "footer-key-foreground")
BACKGROUNDS = ("background", "surface", "panel")
MIN_CONTRAST = 4.5  # WCAG AA for text; leaves room for the slight tints of focused widgets
STEP = 0.04  # lightness per step (Textual's Color.darken / lighten)
MAX_STEPS = 25


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG contrast of two colours (1 to 21)."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def in_256(color: Color) -> tuple[int, int, int]:
    """The colour a 256-colour terminal shows for `color`."""
    return tuple(color.rich_color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor())


def worst_contrast(color: Color, backgrounds: list[Color]) -> float:
    return min(min(contrast_ratio(color.rgb, bg.rgb), contrast_ratio(in_256(color), in_256(bg)))
               for bg in backgrounds)


def _parse(value: str | None) -> Color | None:
    try:
        return Color.parse(value) if value else None
    except Exception:  # "auto 87%", a variable Textual resolves itself: not ours to change
        return None


def readable_variables(variables: dict[str, str], *, dark: bool) -> dict[str, str]:
    """`variables` with each text colour moved until it reads on every background (or as far as it goes)."""
    backgrounds = [bg for bg in (_parse(variables.get(name)) for name in BACKGROUNDS) if bg is not None and bg.a == 1]
    if not backgrounds:
        return variables
    fixed = dict(variables)
    for name in TEXT_VARIABLES:
        color = _parse(variables.get(name))
        if color is None or color.a != 1 or worst_contrast(color, backgrounds) >= MIN_CONTRAST:
            continue
        for _ in range(MAX_STEPS):
            color = color.lighten(STEP) if dark else color.darken(STEP)
            if worst_contrast(color, backgrounds) >= MIN_CONTRAST:
                break
        fixed[name] = color.hex
    return fixed
