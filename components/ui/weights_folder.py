"""The operator's weights folder: the only way a server file reaches the activation viewer.

Off unless the operator names a folder (``VGG_EXPLORER_WEIGHTS_DIR`` in the
environment, or ``weights_dir`` in ``.streamlit/secrets.toml``); then its regular
weights files are offered as a list. Nobody can type a path: on a shared server
that would let students probe and read its file system.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from components.keras_side.safe_read import folder_files, in_folder
from components.keras_side.weights import source_suffix

ENV_VAR = "VGG_EXPLORER_WEIGHTS_DIR"
SECRET = "weights_dir"


def weights_folder() -> Path | None:
    """The folder the operator named, or None (then no server file can be chosen)."""
    value = os.environ.get(ENV_VAR, "").strip()
    if not value:
        try:
            value = str(st.secrets.get(SECRET) or "").strip()
        except FileNotFoundError:  # no secrets.toml
            value = ""
    return Path(value) if value else None


def server_file_choice_ui(kind: str) -> Path | None:
    """Sidebar: a list of the folder's ``kind`` files (nothing when no folder is named)."""
    from components.engine.errors import InputError
    from components.ui.activation_views import show_problem
    from components.ui.i18n import t

    folder = weights_folder()
    if folder is None:
        return None
    names = [name for name in folder_files(folder) if source_suffix(name) == kind]
    choice = st.sidebar.selectbox(
        t("act.weights.server_file"),
        names,
        index=None,
        placeholder=t("act.weights.server_pick"),
        key=f"act_wserver_{kind}",
    )
    if choice is None:
        return None
    try:
        return in_folder(folder, choice)
    except InputError as problem:  # removed or replaced since the list was drawn
        show_problem(problem)
        return None
