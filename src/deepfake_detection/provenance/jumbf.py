"""The shape of a C2PA manifest store (JUMBF: boxes in boxes), checked before the C2PA library
parses it: a store nested deeper or holding more boxes than any real one is refused unparsed."""

from __future__ import annotations

from deepfake_detection.provenance.limits import ProvenanceLimits

_SUPERBOX = b"jumb"


def jumbf_problem(data: bytes, limits: ProvenanceLimits) -> str | None:
    """Why the store ``data`` is not handed to the parser (``None``: it may be): too deep, too many
    boxes, or a box that does not fit in its parent. Walked without recursion."""
    boxes = 0
    # (end of the superbox's content, depth) of each superbox being walked, innermost last
    open_boxes: list[tuple[int, int]] = [(len(data), 0)]
    position = 0
    while open_boxes:
        end, depth = open_boxes[-1]
        if position >= end:
            open_boxes.pop()
            continue
        if end - position < 8:
            return "a box of the manifest store does not fit in its parent"
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        header = 8
        if size == 1:
            if end - position < 16:
                return "a box of the manifest store does not fit in its parent"
            size, header = int.from_bytes(data[position + 8 : position + 16], "big"), 16
        elif size == 0:
            size = end - position
        if size < header or position + size > end:
            return "a box of the manifest store does not fit in its parent"
        boxes += 1
        if boxes > limits.max_jumbf_boxes:
            return f"the manifest store has more than {limits.max_jumbf_boxes:,} boxes"
        if kind == _SUPERBOX:
            if depth + 1 > limits.max_jumbf_depth:
                return f"the manifest store nests more than {limits.max_jumbf_depth} boxes deep"
            open_boxes.append((position + size, depth + 1))
            position += header
        else:
            position += size
    return None
