"""OpenAI through the openai SDK: image generation, photo tracing and prompt moderation."""

from .boundary import Backoff, make_client
from .images import PORTRAIT, RETIRED_MODELS, OpenAIImageGenerator, OpenAIPhotoTracer
from .moderation import KID_LIMITS, OpenAIModerator

__all__ = [
    "KID_LIMITS",
    "PORTRAIT",
    "RETIRED_MODELS",
    "Backoff",
    "OpenAIImageGenerator",
    "OpenAIModerator",
    "OpenAIPhotoTracer",
    "make_client",
]
