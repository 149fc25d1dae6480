"""``GET /model``: the served model's card as a page for people: what it is for, what it cannot
judge, how it scored on validation data under each degradation, and what it was trained on.

Everything comes from the card that ships beside the ``.onnx``; the training run's settings and the
file paths of the machine it was trained on are left out (a name is kept, its folders are not).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from deepfake_detection.analysis.wording import LIMITS, LIMITS_TITLE
from deepfake_detection.classifiers.model_card import ModelCard

INTENDED_USE = (
    "To flag faces in photos and video clips that may have been swapped or re-enacted, for a "
    "person who then looks further: at the file's origin, at other copies, at what else is known. "
    "Not to declare a file genuine on its own, and not for files without faces."
)
# The validation conditions the card measures, in words; an unknown one is shown by its name.
CONDITIONS = {
    "clean": "as recorded, no degradation added",
    "h264_crf40": "video compression (H.264, CRF 40)",
    "half_h264_crf40": "half size, then video compression (H.264, CRF 40)",
    "half_jpeg35": "half size, then JPEG at quality 35",
    "self_blend": "real faces against self-blended copies of them (a face blended onto itself)",
}
_PATH = re.compile(r"(?:\.{0,2}/)?(?:[\w.-]+/)+([\w.-]+)")

_STYLE = """
body{font-family:system-ui,sans-serif;color:#1b1f24;max-width:52rem;margin:auto;padding:1rem;
line-height:1.5}table{border-collapse:collapse;margin:.5rem 0}caption{text-align:left;
font-weight:600}td,th{border-bottom:1px solid #c5ccd6;padding:.25rem .6rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}a{color:#0b57d0}
.limits{border-left:4px solid #8a5300;background:#fff6e5;padding:.5rem 1rem}
"""


def without_paths(text: str) -> str:
    """``text`` with every file path cut to its last part (``runs/v2/m.onnx`` -> ``m.onnx``)."""
    return _PATH.sub(lambda match: match.group(1), text)


def render_model_page(card: ModelCard, threshold: float) -> str:
    """The page, self-contained (inline style, no script)."""
    title = f"{card.name} {card.version}"
    parts = [
        f"<h1>The model: {html.escape(title)}</h1>",
        f"<p>{html.escape(card.architecture)}, scoring face crops of {card.input_size} px. "
        f"A face is called fake at a score of {threshold:.2f} or more.</p>",
        "<h2>Intended use</h2>",
        f"<p>{html.escape(INTENDED_USE)}</p>",
        f'<h2>Limitations</h2><div class="limits" data-testid="model-limits">'
        f"<p><strong>{html.escape(LIMITS_TITLE)}</strong></p><ul>"
        + "".join(f"<li>{html.escape(line)}</li>" for line in LIMITS)
        + "</ul></div>",
        _quality(card),
        "<h2>Validation</h2>",
        _validation(card.metrics),
        "<h2>Training data</h2>",
        _training(card),
        '<p><a href="/">Back to the page</a> · <a href="/docs">API documentation</a></p>',
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Model {html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(parts)
        + "</body></html>\n"
    )


def _quality(card: ModelCard) -> str:
    lines = [
        f"Faces smaller than {card.quality.min_face_px:g} px are not judged: they are answered "
        "uncertain (face_too_small).",
    ]
    if card.quality.min_sharpness > 0:
        lines.append(
            "Faces blurrier or more compressed than the inputs the model was shown reliable on "
            "are not judged: they are answered uncertain (low_quality)."
        )
    if card.uncertain_band is not None:
        band = card.uncertain_band
        lines.append(
            f"Scores from {band.low:.2f} up to {band.high:.2f} are answered uncertain "
            "(borderline): on validation data the model was wrong too often there."
        )
    return "<ul>" + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>"


def _number(value: object, percent: bool = False) -> str:
    if not isinstance(value, int | float):
        return ""
    return f"{100 * value:.1f}%" if percent else f"{value:.3f}"


def _validation(metrics: Mapping[str, object]) -> str:
    parts: list[str] = []
    validation = metrics.get("validation")
    if isinstance(validation, Mapping):
        whole = validation.get("whole")
        if isinstance(whole, Mapping):
            rows = [
                (
                    "items (real / fake)",
                    f"{whole.get('items')} ({whole.get('real')} / {whole.get('fake')})",
                ),
                ("accuracy", _number(whole.get("accuracy"), True)),
                ("fakes caught (recall)", _number(whole.get("recall"), True)),
                (
                    "reals passed (true negative rate)",
                    _number(whole.get("true_negative_rate"), True),
                ),
                ("called fake and fake (precision)", _number(whole.get("precision"), True)),
                ("ROC AUC", _number(validation.get("roc_auc"))),
                ("equal error rate", _number(validation.get("eer"), True)),
            ]
            cells = "".join(
                f'<tr><th scope="row">{html.escape(k)}</th><td class="num">{html.escape(v)}</td></tr>'
                for k, v in rows
            )
            parts.append(
                "<table><caption>Held-out validation faces, clean, at the threshold"
                f"</caption>{cells}</table>"
            )
    table = metrics.get("validation_table_roc_auc")
    if isinstance(table, Mapping):
        calibration = metrics.get("expected_calibration_error")
        ece = calibration if isinstance(calibration, Mapping) else {}
        rows_html = "".join(
            f'<tr><td>{html.escape(CONDITIONS.get(str(name), str(name)))}</td><td class="num">'
            f'{_number(auc)}</td><td class="num">{_number(ece.get(name))}</td></tr>'
            for name, auc in table.items()
        )
        parts.append(
            '<table data-testid="model-degradations"><caption>Under each degradation: ROC AUC '
            "(1 is perfect, 0.5 is chance) and calibration error</caption><thead><tr>"
            '<th scope="col">validation faces</th><th scope="col">ROC AUC</th>'
            f'<th scope="col">calibration error</th></tr></thead><tbody>{rows_html}</tbody></table>'
        )
    if not parts:
        return "<p>The card records no validation figures.</p>"
    return "".join(parts)


def _training(card: ModelCard) -> str:
    training = card.training
    if training is None:
        return "<p>The card records no training data.</p>"
    rows = [
        ("data", training.data),
        ("split", training.split),
        (
            "faces",
            f"{training.train_items} for training, {training.validation_items} for validation",
        ),
        ("augmentations", ", ".join(training.augmentations)),
    ]
    if training.weights:
        rows.append(("weights", training.weights))
    cells = "".join(
        f'<tr><th scope="row">{html.escape(k)}</th><td>{html.escape(without_paths(v))}</td></tr>'
        for k, v in rows
    )
    return f"<table>{cells}</table>"
