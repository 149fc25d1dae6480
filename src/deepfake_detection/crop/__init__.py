"""Face crops framed the way the classifier was trained: the crop recipe and the cropping."""
