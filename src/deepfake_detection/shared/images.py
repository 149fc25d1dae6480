"""Images as arrays: what decoders return and detectors, crops and classifiers take."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

RGBImage = npt.NDArray[np.uint8]
"""An image as an (H, W, 3) uint8 array in RGB order."""
