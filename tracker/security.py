"""Security headers on every response, error responses included; requests carrying NUL refused."""

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        # Nothing from other hosts: the vendored NHS.UK stylesheet uses system fonts (scripts/vendor_nhsuk_frontend.sh).
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if not app.debug:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype in ("text/html", "application/json"):
            # Pages may show data a user must not leave in a shared browser's cache.
            h.setdefault("Cache-Control", "no-store")
        return response


NUL_REFUSED = "The request contains a NUL character, which no address, search or form field may hold."


def _holds_nul(*texts: str | None) -> bool:
    # A multipart part with a malformed header comes through with no name (None).
    return any(text and "\x00" in text for text in texts)


def _texts(multidict) -> list[str]:
    return [text for pair in multidict.items(multi=True) for text in pair]


def refuse_nul() -> None:
    """400 for a NUL in the path, the query string or a form field (names, values, file names).

    PostgreSQL cannot store or compare text holding NUL, so such a request would fail in the
    database. Uploaded files' contents are their importer's to judge; JSON bodies are checked by
    the API field by field (tracker.api.writes.text_field), which names the field.
    """
    if _holds_nul(request.path, *_texts(request.args)):
        abort(400, NUL_REFUSED)
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
        return  # the API reads JSON whatever the Content-Type: parsing a form here would eat its body
    files = request.files.items(multi=True)
    if _holds_nul(*_texts(request.form), *(text for name, file in files for text in (name, file.filename))):
        abort(400, NUL_REFUSED)


def register_input_checks(app: Flask) -> None:
    """Registered before sign-in and the access rules, so nothing reads a NUL from the request first."""
    app.before_request(refuse_nul)
