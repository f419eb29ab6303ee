"""The UI layer: shared Streamlit widgets, pure chart builders, translations."""
