"""The one place that wires the core from ``Settings``: models, analyzers, options and limits."""
