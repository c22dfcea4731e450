"""The request being answered, for the audit trail: services and signal receivers record who
acted and from which address without every call passing the request down."""

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("qalibrate_audit_request", default=None)


def request_current():
    """The request this thread or task is answering; None in jobs and commands."""
    return _current_request.get()


class AuditRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)
