"""``dfd scan --report FILE``: one self-contained HTML page for a scan (no outside file, script or
font). A header says what checked the files and how (tool and model versions, threshold, date,
settings); per file its SHA-256, verdict, provenance (C2PA and the metadata that declares how it
was made), an annotated thumbnail, its faces, and per person in a
video a chart of the score over time with the threshold line. Persons are named as on the
thumbnail (P1, P2, ...) everywhere on the page. Each verdict reads as a sentence, each reason with
its meaning and what to do next, and the model's limits stand in one box: the words are
``analysis.wording``'s, as on the service's page."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image

from deepfake_detection.analysis import wording
from deepfake_detection.analysis.persons import Person, person_name
from deepfake_detection.cli.scanner import FileResult
from deepfake_detection.schemas.provenance import ProvenanceOut
from deepfake_detection.shared.images import RGBImage

THUMBNAIL_SIDE = 480


@dataclass(frozen=True)
class ReportHeader:
    """What a report records about the scan itself, so that it can stand as a record."""

    tool: str
    model: str
    threshold: float
    uncertain_band: tuple[float, float]
    created: str
    """ISO 8601, UTC."""
    settings: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ReportEntry:
    result: FileResult
    thumbnail: RGBImage | None
    persons: tuple[Person, ...] = ()
    threshold: float | None = None
    duration_s: float | None = None
    sha256: str | None = None


def thumbnail_uri(image: RGBImage) -> str:
    """``image`` shrunk to fit ``THUMBNAIL_SIDE``, as a JPEG ``data:`` URI."""
    picture = Image.fromarray(image)
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def person_chart(person: Person, threshold: float, duration_s: float) -> str:
    """An inline SVG of the person's fake probability over time, with the threshold line."""
    width, height, left, right, top, bottom = 480, 140, 36, 8, 8, 22
    span = max(duration_s, 1e-6)

    def x(t: float) -> float:
        return left + (width - left - right) * t / span

    def y(p: float) -> float:
        return top + (height - top - bottom) * (1 - p)

    points = " ".join(
        f"{x(s.timestamp_s):.1f},{y(s.fake_probability):.1f}" for s in person.timeline
    )
    dots = "".join(
        f'<circle cx="{x(s.timestamp_s):.1f}" cy="{y(s.fake_probability):.1f}" r="3" '
        f'fill="{"#b3261e" if s.fake_probability >= threshold else "#0f6b2f"}">'
        f"<title>{s.timestamp_s:.2f} s: {s.fake_probability:.3f}</title></circle>"
        for s in person.timeline
    )
    label = f"Fake probability of {person_name(person.id)} over time"
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f'<rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}" fill="#f3f5f8" stroke="#c5ccd6"/>'
        f'<text x="{left - 4}" y="{y(1) + 4}" text-anchor="end" font-size="10">1</text>'
        f'<text x="{left - 4}" y="{y(0) + 4}" text-anchor="end" font-size="10">0</text>'
        f'<text x="{x(0)}" y="{height - 6}" font-size="10">0 s</text>'
        f'<text x="{x(span)}" y="{height - 6}" text-anchor="end" font-size="10">{span:.1f} s</text>'
        f'<line x1="{left}" x2="{width - right}" y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
        f'stroke="#b3261e" stroke-dasharray="5 3"/>'
        f'<polyline points="{points}" fill="none" stroke="#1b1f24" stroke-width="1.5"/>{dots}</svg>'
    )


def judged(result: FileResult) -> list[wording.Judged]:
    """The file's faces (1, 2, ...) or persons (P1, P2, ...), as the verdict's sentence needs them."""
    video = result.kind == "video"
    return [
        wording.Judged(
            name=person_name(face["id"]) if video else str(n),
            label=face["label"],
            fake_probability=face["fake_probability"],
            reason=face.get("reason"),
            decisive=bool(face.get("decisive", True)),
        )
        for n, face in enumerate(result.faces, start=1)
    ]


def deciding(result: FileResult) -> int | None:
    """The index of the face or person that decided the file's verdict."""
    if result.verdict is None:
        return None
    return wording.decider(result.verdict, result.line.verdict_reason, judged(result))


def _faces_table(result: FileResult) -> str:
    """One row per face (numbered as on the thumbnail: 1, 2, ...) or person (P1, P2, ...); the one
    that decided the verdict says so, and a video's comes first."""
    if not result.faces:
        return ""
    video = result.kind == "video"
    decider = deciding(result)
    numbered = list(enumerate(result.faces))
    if video and decider is not None:
        numbered.insert(0, numbered.pop(decider))
    rows = "".join(
        "<tr>"
        + f"<td>{person_name(face['id']) if video else n + 1}"
        + (" (decided the verdict)" if n == decider else "")
        + "</td>"
        + "".join(
            f"<td>{html.escape(_cell(face.get(key)))}</td>"
            for key in ("label", "fake_probability", "reason", "box", "frames")
        )
        + "</tr>"
        for n, face in numbered
    )
    first = "person" if video else "face"
    head = "".join(f"<th>{h}</th>" for h in (first, "label", "P(fake)", "reason", "box", "frames"))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(str(round(v)) for v in value.values())
    if isinstance(value, list):
        return ", ".join(str(round(v)) for v in value)
    return str(value)


def _entry(entry: ReportEntry) -> str:
    result = entry.result
    verdict = result.label or "error"
    known = verdict if verdict in ("real", "fake", "uncertain") else "other"
    parts = [
        f"<h2>{html.escape(str(result.path))}</h2>",
        f'<p>Verdict: <strong class="label label-{known}">{html.escape(verdict)}</strong>',
    ]
    if result.fake_probability is not None:
        parts.append(f" · highest fake probability {result.fake_probability:.3f}")
    parts.append(f" · {html.escape(result.kind or 'unknown kind')}</p>")
    if result.verdict is not None:
        parts.append(_plain_words(result, result.verdict))
    if entry.sha256 is not None:
        parts.append(f'<p class="hash">SHA-256 <code>{entry.sha256}</code></p>')
    if result.error:
        parts.append(f'<p class="error">[{html.escape(result.error)}] ')
        parts.append(f"{html.escape(result.message or '')}</p>")
    if result.line.provenance is not None:
        parts.append(_provenance(result.line.provenance))
    if entry.thumbnail is not None:
        alt = html.escape(f"{result.path.name} with the faces found")
        parts.append(f'<img src="{thumbnail_uri(entry.thumbnail)}" alt="{alt}">')
    parts.append(_faces_table(result))
    if entry.threshold is not None and entry.duration_s is not None:
        decider = deciding(result)
        first = result.faces[decider]["id"] if decider is not None else None
        for person in sorted(entry.persons, key=lambda p: p.id != first):
            parts.append(f"<h3>{person_name(person.id)}: {html.escape(person.label)} ")
            parts.append(f"{person.score:.3f}")
            parts.append(" (decided the verdict)</h3>" if person.id == first else "</h3>")
            parts.append(person_chart(person, entry.threshold, entry.duration_s))
    return '<section class="file">' + "".join(parts) + "</section>"


def _plain_words(result: FileResult, verdict: str) -> str:
    """The verdict as a sentence, and what each reason in it means and what to do next."""
    sentence = wording.verdict_sentence(
        result.kind or "image",
        verdict,
        result.fake_probability,
        result.line.verdict_reason,
        judged(result),
    )
    codes = ["no_face"] if verdict == "no_face" else []
    codes += [
        r for r in [result.line.verdict_reason, *(f.get("reason") for f in result.faces)] if r
    ]
    items = []
    for code in dict.fromkeys(codes):
        meaning = wording.NO_FACE if code == "no_face" else wording.REASONS.get(code)
        if meaning is not None:
            items.append(
                f"<dt>{html.escape(code.replace('_', ' '))}</dt><dd>{html.escape(meaning.meaning)} "
                f"<strong>What to do:</strong> {html.escape(meaning.next_step)}</dd>"
            )
    help_list = f'<dl class="reasons">{"".join(items)}</dl>' if items else ""
    return (
        f'<p class="sentence" data-testid="verdict-sentence">{html.escape(sentence)}</p>{help_list}'
    )


def _limits() -> str:
    lines = "".join(f"<li>{html.escape(line)}</li>" for line in wording.LIMITS)
    return (
        f'<aside class="limits" data-testid="model-limits"><strong>'
        f"{html.escape(wording.LIMITS_TITLE)}</strong><ul>{lines}</ul></aside>"
    )


_DECLARED = {True: "yes", False: "no", None: "not declared"}


def _provenance(provenance: ProvenanceOut) -> str:
    """What the file says about its origin, beside (not part of) the verdict."""
    declared = _DECLARED[provenance.declared_ai_generated]
    parts = [f"<p>Declared AI-generated: <strong>{declared}</strong></p>"]
    c2pa = provenance.c2pa
    if c2pa is None:
        parts.append("<p>C2PA: no manifest</p>")
    else:
        facts = [f"C2PA: <strong>{html.escape(c2pa.message)}</strong>"]
        if c2pa.claim_generator:
            facts.append(f"made with {html.escape(c2pa.claim_generator)}")
        if c2pa.signer is not None:
            who = " / ".join(n for n in (c2pa.signer.common_name, c2pa.signer.issuer) if n)
            facts.append(f"signer {html.escape(who)}")
        if c2pa.actions:
            facts.append(f"actions {html.escape(', '.join(c2pa.actions))}")
        if c2pa.digital_source_types:
            facts.append(f"source {html.escape(', '.join(c2pa.digital_source_types))}")
        parts.append(f"<p>{' · '.join(facts)}</p>")
    if provenance.signals:
        items = "".join(
            f"<li>{html.escape(s.source)} {html.escape(s.name)}: {html.escape(s.value)}</li>"
            for s in provenance.signals
        )
        parts.append(f"<ul>{items}</ul>")
    return '<div class="provenance" data-testid="provenance">' + "".join(parts) + "</div>"


_STYLE = """
body{font-family:system-ui,sans-serif;color:#1b1f24;max-width:60rem;margin:auto;padding:1rem}
.file{border-bottom:1px solid #c5ccd6;padding:1rem 0}img{max-width:100%;display:block}
.label{color:#fff;background:#3d4652;padding:0 .4rem;border-radius:.25rem}
.label-real{background:#0f6b2f}.label-fake{background:#b3261e}.label-uncertain{background:#8a5300}
.error{color:#7a1712}table{border-collapse:collapse;margin:.5rem 0}
td,th{border-bottom:1px solid #c5ccd6;padding:.2rem .5rem;text-align:left}.chart{width:100%;max-width:480px}
.header th{font-weight:normal;color:#3d4652}.hash code{word-break:break-all}
.sentence{font-size:1.1rem}.reasons dt{font-weight:600}.reasons dd{margin:0 0 .4rem 1rem}
.limits{border-left:4px solid #8a5300;background:#fff6e5;padding:.4rem 1rem;margin:1rem 0}
"""


def _header(header: ReportHeader) -> str:
    low, high = header.uncertain_band
    rows = [
        ("tool", header.tool),
        ("model", header.model),
        ("threshold", f"{header.threshold:g} (fake at or above)"),
        ("uncertain band", f"[{low:g}, {high:g})"),
        ("date", header.created),
        *header.settings,
    ]
    cells = "".join(
        f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>"
        for name, value in rows
    )
    return f'<table class="header">{cells}</table>'


def render_report(
    entries: Sequence[ReportEntry], header: ReportHeader, *, title: str = "dfd scan report"
) -> str:
    counts: dict[str, int] = {}
    for entry in entries:
        key = entry.result.label or "error"
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{n} {html.escape(k)}" for k, n in sorted(counts.items()))
    body = "".join(_entry(e) for e in entries)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{_header(header)}{_limits()}"
        f"<p>{len(entries)} file(s): {summary or 'none'}.</p>"
        f"{body}</body></html>\n"
    )
