"""Face classifiers: the interface, the model card that travels with the weights, the onnxruntime classifier."""
