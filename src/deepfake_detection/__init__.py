"""Deepfake detection as a microservice: find the faces in images and videos and score each one."""

__version__ = "0.1.0"
