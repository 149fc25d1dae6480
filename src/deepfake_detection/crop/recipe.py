"""The crop recipe: how a detector's face box becomes the classifier's input. It travels in the model
card, so the service frames faces the way the training crops were framed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BoxFraming(BaseModel):
    """A detector's own ``box_scale`` and ``shift_y``, where its box convention differs."""

    model_config = ConfigDict(frozen=True)

    box_scale: float = Field(gt=0.5, le=3.0)
    shift_y: float = Field(0.0, ge=-0.5, le=0.5)


class CropRecipe(BaseModel):
    """How a face box from a detector becomes the classifier's input (what training crops look like).

    The box is scaled about its centre by ``box_scale`` (and shifted down by ``shift_y`` box heights),
    made square on its longer side if ``square``, clipped or padded at the image border, then resized
    to the model's ``input_size``.
    """

    model_config = ConfigDict(frozen=True)

    box_scale: float = Field(1.0, gt=0.5, le=3.0)
    shift_y: float = Field(0.0, ge=-0.5, le=0.5)
    square: bool = True
    # Detector name -> framing for that detector's boxes; detectors not listed use the fields above.
    by_detector: dict[str, BoxFraming] = Field(default_factory=dict)

    def for_detector(self, detector: str) -> CropRecipe:
        """This recipe with ``detector``'s own framing, where the card has one."""
        framing = self.by_detector.get(detector)
        if framing is None:
            return self
        return CropRecipe(box_scale=framing.box_scale, shift_y=framing.shift_y, square=self.square)
