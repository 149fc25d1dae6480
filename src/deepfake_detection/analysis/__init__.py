"""Analysis of an image or a video: faces detected, cropped, classified, linked into persons, a verdict."""
