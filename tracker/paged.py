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
    """This address with its query kept (the filters) and `name` set to the page (left out for the first)."""
    args = {key: value for key, value in request.args.items(multi=True) if key != name}
    args = {key: request.args.getlist(key) for key in args}
    if number > 1:
        args[name] = str(number)
    return url_for(request.endpoint, **(request.view_args or {}), **args, _anchor=anchor)
