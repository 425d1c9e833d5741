"""The page a request asks for, and the addresses of the other pages of the same list with its filters kept."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from .paging import PAGE_SIZE, BadPage, Page, PastTheEnd, page


def requested_page(total: int, size: int = PAGE_SIZE, name: str = "page") -> Page:
    """The page of `total` rows the address asks for.

    A page after the last (the list shrank, e.g. after confirming a link) sends to the last page, saying so;
    anything that is not a page number is a bad request, with a message saying which pages there are.
    """
    try:
        return page(request.args.get(name), total, size)
    except PastTheEnd as error:
        flash(f"{error} This is the last page.")
        abort(redirect(page_url(error.last, name)))
    except BadPage as error:
        abort(400, str(error))


def page_url(number: int, name: str = "page", anchor: str | None = None) -> str:
    """This address with its query kept (the filters) and `name` set to the page (left out for the first).

    Query keys that url_for would read as its own (`_external`, `endpoint`) or as the path's (`code`) are
    no filter of this page: they are dropped rather than allowed to change the address or fail.
    """
    path = request.view_args or {}
    args = {
        key: request.args.getlist(key)
        for key in request.args
        if key != name and not key.startswith("_") and key != "endpoint" and key not in path
    }
    if number > 1:
        args[name] = str(number)
    return url_for(request.endpoint, **path, **args, _anchor=anchor)
