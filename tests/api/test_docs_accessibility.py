"""The API docs pages say their language, and Swagger UI puts no link inside its buttons."""

import pytest


@pytest.mark.parametrize("page", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_say_their_language(client, page):
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html


def test_swagger_has_no_deep_links_inside_its_operation_buttons(client):
    html = client.get("/api/docs/").content.decode()
    assert ".opblock-summary-method" in html  # the WCAG AA theme is in the page
    # Its start-up script is a file of its own (the Content-Security-Policy forbids inline ones).
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert '"deepLinking": false' in script.content.decode()
