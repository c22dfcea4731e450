"""The API's one parser: JSON, with a limit on nesting (qalibrate.core.jsonsafe)."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from qalibrate.core import jsonsafe


def _no_constant(name: str):
    raise ValueError(_("%(name)s is not a JSON value.") % {"name": name})


class JSONParser(BaseParser):
    """Not a subclass of DRF's JSONParser on purpose: DRF reads a body for its own parsers
    through Django's request.body, which refuses anything over DATA_UPLOAD_MAX_MEMORY_SIZE
    with an HTML page. The views check the size themselves (ApiViewMixin), up to 10 MB for
    contacts/bulk/, and this reads the stream."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        context = parser_context if parser_context is not None else {}
        body = stream.read()
        encoding = context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return jsonsafe.loads(body.decode(encoding), parse_constant=_no_constant)
        except jsonsafe.JSONTooDeep as error:
            raise ParseError(str(error)) from None
        except ValueError as error:  # also UnicodeDecodeError
            raise ParseError(
                _("The request body is not valid JSON: %(error)s") % {"error": error}
            ) from None
