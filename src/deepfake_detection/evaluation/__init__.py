"""Evaluating the classifier: the original's table plus the field's standard metrics."""
