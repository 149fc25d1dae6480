"""Types and helpers every layer shares: faces and boxes, images as arrays, CPU counts, onnxruntime sessions."""
