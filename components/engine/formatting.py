"""Numbers, sizes and shapes as text: the one place every page and the CLI format them.

Pure Python; no language in here (units are SI or binary symbols), so the same
text is right on English and Chinese pages.
"""

from __future__ import annotations

SI_UNITS = (("G", 10**9), ("M", 10**6), ("k", 10**3))
BINARY_UNITS = (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024))


def count_text(n: int | float) -> str:
    """Thousands separators, as Keras' summary prints them (138,357,544); floats to 4 figures."""
    return f"{n:,}" if isinstance(n, int) else f"{n:,.4g}"


def pair_text(pair: tuple[int, int] | None, sep: str = "×") -> str:
    """(3, 3) → '3', (3, 5) → '3×5', None → '' (a square window is named by one side)."""
    if pair is None:
        return ""
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}{sep}{pair[1]}"


def shape_text(shape: tuple[int, ...]) -> str:
    """(224, 224, 64) → '224×224×64'; (25088,) → '25,088'."""
    return "×".join(f"{d:,}" for d in shape)


def size_text(shape: tuple[int, int, int]) -> str:
    """(224, 224, 3) → '224x224x3': the inverse of ``choice.parse_input_size``."""
    return "x".join(str(d) for d in shape)


def short_count(n: int | float) -> str:
    """Headline figures: 4161798144 → '4.16 G', 138357544 → '138.4 M', 156 → '156'."""
    for unit, size in SI_UNITS:
        if abs(n) >= size:
            value = n / size
            return f"{value:.2f} {unit}" if abs(value) < 10 else f"{value:.1f} {unit}"
    return f"{n:,}" if isinstance(n, int) else f"{n:.3g}"


def byte_text(n: int | float, decimals: int = 2) -> str:
    """Binary units, as Keras' summary shows them: 553,430,176 bytes → '527.79 MB'."""
    for unit, size in BINARY_UNITS:
        if abs(n) >= size:
            return f"{n / size:.{decimals}f} {unit}"
    return f"{n:.0f} B"


def signed(n: int) -> str:
    """+5,309,696 / −1,024 / ±0 (a real minus sign)."""
    return f"+{n:,}" if n > 0 else f"−{-n:,}" if n < 0 else "±0"


def signed_short(n: int) -> str:
    """+4.16 G / −1.2 M / ±0: a headline difference."""
    return f"+{short_count(n)}" if n > 0 else f"−{short_count(-n)}" if n < 0 else "±0"
