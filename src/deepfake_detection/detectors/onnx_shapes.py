"""Rewrite the declared input/output shapes of an ONNX model, without the ``onnx`` package.

CenterFace's ONNX file declares a fixed 10x3x32x32 input, and onnxruntime refuses any other shape.
The network is fully convolutional, so any size that is a multiple of 32 works once the declared
dimensions are symbolic. Serving does not depend on ``onnx`` (a large package), so this module edits
the few protobuf fields involved directly, following the ONNX schema (onnx.proto3):

- ModelProto.graph = 7; GraphProto.initializer = 5, .input = 11, .output = 12
- ValueInfoProto.name = 1, .type = 2; TypeProto.tensor_type = 1
- TypeProto.Tensor.elem_type = 1, .shape = 2; TensorShapeProto.dim = 1
- Dimension.dim_value = 1, .dim_param = 2; TensorProto.name = 8
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5
_FLOAT = 1  # TensorProto.DataType.FLOAT

Dim = int | str


def with_shapes(model: bytes, shapes: Mapping[str, Sequence[Dim]]) -> bytes:
    """``model`` with the float tensors named in ``shapes`` declared with those dimensions
    (an ``int`` is fixed, a ``str`` is symbolic). Graph inputs that are really initializers (weights
    listed as inputs by old exporters) are dropped, so onnxruntime can fold them as constants."""
    out = bytearray()
    for number, wire, value, raw in _fields(model):
        if number == 7 and wire == _LEN and isinstance(value, bytes):
            out += _field_len(7, _rewrite_graph(value, shapes))
        else:
            out += raw
    return bytes(out)


def _rewrite_graph(graph: bytes, shapes: Mapping[str, Sequence[Dim]]) -> bytes:
    fields = list(_fields(graph))
    weights = {
        _name(v, 8) for n, w, v, _ in fields if n == 5 and w == _LEN and isinstance(v, bytes)
    }
    out = bytearray()
    for number, wire, value, raw in fields:
        if number in (11, 12) and wire == _LEN and isinstance(value, bytes):
            name = _name(value, 1)
            if number == 11 and name in weights:
                continue
            if name in shapes:
                info = _field_len(1, name.encode()) + _field_len(2, _tensor_type(shapes[name]))
                out += _field_len(number, info)
                continue
        out += raw
    return bytes(out)


def _tensor_type(dims: Sequence[Dim]) -> bytes:
    shape = b"".join(
        _field_len(
            1, _field_len(2, d.encode()) if isinstance(d, str) else _key(1, _VARINT) + _varint(d)
        )
        for d in dims
    )
    tensor = _key(1, _VARINT) + _varint(_FLOAT) + _field_len(2, shape)
    return _field_len(1, tensor)


def _name(message: bytes, number: int) -> str:
    for n, wire, value, _ in _fields(message):
        if n == number and wire == _LEN and isinstance(value, bytes):
            return value.decode("utf-8", "replace")
    return ""


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes, bytes]]:
    """(field number, wire type, value, raw bytes of the whole field) for each top-level field."""
    pos = 0
    while pos < len(buf):
        start = pos
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == _VARINT:
            value, pos = _read_varint(buf, pos)
        elif wire == _I64:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == _I32:
            value, pos = buf[pos : pos + 4], pos + 4
        elif wire == _LEN:
            length, pos = _read_varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > len(buf):
            raise ValueError("truncated protobuf message")
        yield number, wire, value, buf[start:pos]


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated protobuf varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _field_len(number: int, payload: bytes) -> bytes:
    return _key(number, _LEN) + _varint(len(payload)) + payload
