"""Training the face-crop classifier (needs the ``[train]`` extra: torch)."""
