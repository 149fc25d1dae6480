"""A Python client for the service (httpx; sync ``Client`` and async ``AsyncClient``).

```python
from deepfake_detection.client import Client

with Client("http://127.0.0.1:8080", api_key="dfd_...") as client:
    print(client.analyze_image("photo.jpg").verdict)
    job = client.wait(client.submit_job("clip.mp4").id, progress=print)
```
"""

from deepfake_detection.client.async_client import AsyncClient
from deepfake_detection.client.errors import ApiError
from deepfake_detection.client.provenance import C2pa, Provenance, Signal
from deepfake_detection.client.results import (
    Box,
    Face,
    FaceSample,
    ImageResult,
    Job,
    JobPage,
    JobSummary,
    Person,
    ResultSummary,
    VideoResult,
)
from deepfake_detection.client.sync_client import Client

__all__ = [
    "ApiError",
    "AsyncClient",
    "Box",
    "C2pa",
    "Client",
    "Face",
    "FaceSample",
    "ImageResult",
    "Job",
    "JobPage",
    "JobSummary",
    "Person",
    "Provenance",
    "ResultSummary",
    "Signal",
    "VideoResult",
]
