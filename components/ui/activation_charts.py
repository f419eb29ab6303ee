"""Pure chart builders of the activation page: per-layer statistics in, plotly Figure out.

No Streamlit here: the page passes translated labels, so axes follow ``lang=``.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.ui.theme import BAR, FONT, HIGHLIGHT, LINE


def across_layers_figure(
    stats: pd.DataFrame, selected: str, mean_label: str, zeros_label: str
) -> go.Figure:
    """Mean activation (bars) and % exact zeros (line, right axis) per layer, in order."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    colours = [HIGHLIGHT if name == selected else BAR for name in stats["layer"]]
    fig.add_bar(
        x=stats["layer"], y=stats["mean"], name=mean_label, marker_color=colours,
        hovertemplate="%{x}<br>%{y:.4g}<extra></extra>",
    )  # fmt: skip
    fig.add_scatter(
        x=stats["layer"], y=stats["zeros"], name=zeros_label, mode="lines+markers",
        line={"color": LINE}, hovertemplate="%{x}<br>%{y:.1f} %<extra></extra>",
        secondary_y=True,
    )  # fmt: skip
    fig.update_yaxes(title_text=mean_label, secondary_y=False)
    fig.update_yaxes(
        title_text=zeros_label, range=[0, 100], dtick=25, showgrid=False, secondary_y=True
    )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": 1.12, "x": 0},
        font=FONT,
        xaxis={"tickangle": -45},
    )
    return fig
