"""The look every chart shares: font, colours, plotly toolbar settings. Stated once.

Chart builders import these so a bar means the same colour and a Chinese label
renders in the same CJK font on every page.
"""

from __future__ import annotations

# Noto Sans CJK SC draws the Chinese labels (Debian's fonts-noto-cjk); plotly's default
# font list has no CJK face, so a browser would pick any fallback, or none.
FONT_FAMILY = "Noto Sans, Noto Sans CJK SC, sans-serif"
FONT = {"size": 14, "family": FONT_FAMILY}
# Streamlit's plotly template gives titles a font of its own (Source Sans, no CJK): name ours.
TITLE_FONT = {"family": FONT_FAMILY}

# The toolbar of an interactive chart: no plotly logo, "download as PNG" sharp enough for slides.
PLOT_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
# A chart that is a picker (click a layer, a cell): no toolbar over it.
PICKER_CONFIG = {"displaylogo": False, "displayModeBar": False}

BLUE = "#3b5bdb"
ORANGE = "#e8590c"
GREEN = "#2b8a3e"
GREY = "#868e96"
LIGHT_GREY = "#adb5bd"

HIGHLIGHT = "#e03131"  # the selected layer, on every chart
BAR = BLUE  # plain bars of a single series
LINE = GREEN  # a second series drawn as a line
GRID = "#e9ecef"  # axis grid lines
GUIDE = "#bbbbbb"  # thin dotted reference lines (a limit, a baseline)
