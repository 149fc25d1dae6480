"""Face detectors behind one small interface and a registry (``create_detector``, ``list_detectors``)."""
