"""Speech recognition: visit recordings to speaker-attributed utterances, offline, with faster-whisper.

Public API (drills and jobs call these):
- `transcribe_path(path, language="zh", on_progress=None, ...) -> list[Utterance]`
- `get_model()`: the process's loaded Whisper model; `preload(app)`: the worker's preload hook.
- `AudioInputError` (the recording cannot be transcribed; its message is the reason) and
  `ModelUnavailable` (the model is missing or corrupt).
"""

from coachsvc.asr.audio import AudioInputError
from coachsvc.asr.model import ModelUnavailable, get_model, preload
from coachsvc.asr.transcribe import SPEAKER_NAMES, transcribe_path

__all__ = ["SPEAKER_NAMES", "AudioInputError", "ModelUnavailable", "get_model", "preload", "transcribe_path"]
