"""The API docs pages say their language, and Swagger UI puts no link inside its buttons."""

import pytest


@pytest.mark.parametrize("page", ["/api/docs/", "/api/docs/redoc/"])
def test_the_docs_say_their_language(client, page):
    html = client.get(page).content.decode()
    assert '<html lang="en">' in html


def test_swagger_has_no_deep_links_inside_its_operation_buttons(client):
    html = client.get("/api/docs/").content.decode()
    assert '"deepLinking": false' in html
    assert ".opblock-summary-method" in html  # the WCAG AA theme is in the page
