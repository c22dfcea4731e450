"""Serving recordings with byte ranges, which browsers need to seek in audio.

Only through the storage API (size, open, seek, read), so a recording on the local disk, in a
shared folder or in an S3 bucket is served alike.
"""

import mimetypes
import re

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024


def _chunks(handle, length: int):
    with handle:
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data


def _opened(field_file):
    try:
        return field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None


def ranged_file_response(field_file, range_header: str | None) -> HttpResponse:
    """The whole file, or the byte range asked for; 404 when the storage no longer has it (a
    contact whose recording was lost, or a machine that cannot see the others' uploads)."""
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    try:
        size = field_file.size
    except FileNotFoundError:
        raise Http404 from None
    match = RANGE.match(range_header or "")
    if not match or not any(match.groups()):
        response = FileResponse(_opened(field_file), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    if first == "":  # "bytes=-500": the last 500 bytes
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last) if last else size - 1, size - 1)
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = _opened(field_file)
    handle.seek(start)

    response = StreamingHttpResponse(
        _chunks(handle, end - start + 1), status=206, content_type=content_type
    )
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
