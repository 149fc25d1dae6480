"""One module per resource, each with a ``router`` that ``create_app`` mounts."""
