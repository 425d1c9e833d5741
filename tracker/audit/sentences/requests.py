"""What a refused request tried to do, in words, by the endpoint it asked for."""

from __future__ import annotations

from .rows import Names

# What a refused request asked for, by endpoint: (reading with GET, sending a form or API write).
PAGES: dict[str, tuple[str, str]] = {
    "admin.users": ("open the list of accounts", "change the accounts"),
    "admin.new_user": ("open the form for a new account", "create an account"),
    "admin.edit_user": ("open an account", "change an account"),
    "admin.set_password": ("open the form to set an account's password", "set an account's password"),
    "admin_tokens.api_tokens": ("open the list of API tokens", "open the list of API tokens"),
    "admin_tokens.new_token": ("open the form for a new API token", "create an API token"),
    "admin_tokens.revoke_token": ("open the page to revoke an API token", "revoke an API token"),
    "admin.reset_mfa": ("reset an account's MFA", "reset an account's MFA"),
    "audit.events": ("open the audit log", "open the audit log"),
    "adoption.log": ("open the log form for {ods} × {code}", "log a stage for {ods} × {code}"),
    "adoption.history": ("open the history of {ods} × {code}", "open the history of {ods} × {code}"),
    "adoption.matrix": ("open the adoption records of {ods}", "open the adoption records of {ods}"),
    "adoption.start": ("open the start of logging", "open the start of logging"),
    "leads.record_lead": ("open the form for the lead of {ods} × {code}", "name the lead of {ods} × {code}"),
    "leads.organisation_lead": ("open the form for the QI lead of {ods}", "name the QI lead of {ods}"),
    "auth.change_password": ("open the form to change their password", "change their password"),
    "catalogue.new_package": ("open the form for a new change package", "create a change package"),
    "catalogue.edit_package": ("open the form to edit change package {code}", "edit change package {code}"),
    "catalogue.set_package_status": ("publish or withdraw change package {code}", "publish or withdraw {code}"),
    "catalogue.package": ("open change package {code}", "open change package {code}"),
    "catalogue.new_idea": ("open the form for a new change idea", "add a change idea to package {code}"),
    "catalogue.edit_idea": ("open the form to edit change idea {code}", "edit change idea {code}"),
    "catalogue.move_idea": ("move change idea {code}", "move change idea {code}"),
    "catalogue.idea": ("open change idea {code}", "open change idea {code}"),
    "catalogue.new_driver": ("open the form for a new driver", "add a driver to package {code}"),
    "catalogue.edit_driver": ("open the form to edit a driver", "edit a driver"),
    "catalogue.move_driver": ("move a driver", "move a driver"),
    "catalogue.delete_driver": ("open the form to delete a driver", "delete a driver"),
    "links.links": ("open the learning links", "open the learning links"),
    "links.new_link": ("open the form for a new learning link", "add a learning link"),
    "links.edit_link": ("open the form to edit a learning link", "edit a learning link"),
    "links.delete_link": ("open the form to delete a learning link", "delete a learning link"),
    "links.confirm_link": ("confirm a learning link", "confirm a learning link"),
    "organisations.new_organisation": ("open the form for a new organisation", "add an organisation"),
    "organisations.edit_organisation": ("open the form to edit organisation {ods}", "edit organisation {ods}"),
    "organisations.close_organisation": ("open the form to close organisation {ods}", "close organisation {ods}"),
    "organisations.reopen_organisation": ("reopen organisation {ods}", "reopen organisation {ods}"),
    "organisations.new_network": ("open the form for a new network", "add a network"),
    "organisations.edit_network": ("open the form to edit network {code}", "edit network {code}"),
    "spreadsheets.import_upload": ("open the spreadsheet import", "check a spreadsheet to import"),
    "spreadsheets.import_confirm": ("import a spreadsheet", "import a spreadsheet"),
    "spreadsheets.export": ("open the spreadsheets", "open the spreadsheets"),
    "spreadsheets.events_file": ("download the adoption entries", "download the adoption entries"),
    "spreadsheets.records_file": ("download the adoption records", "download the adoption records"),
    "reports.coverage": ("open the coverage report", "open the coverage report"),
    "reports.download": ("download a coverage table", "download a coverage table"),
    "maps.spread_map": ("open the spread map", "open the spread map"),
    "api.log_adoption": ("log a stage through the API", "log a stage through the API"),
    "api.create_link": ("add a learning link through the API", "add a learning link through the API"),
    "api.delete_link": ("delete a learning link through the API", "delete a learning link through the API"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def asked_for(request: str, names: Names) -> str:
    """What a request ("GET /admin/audit") tried to do, in words."""
    method, _, path = request.partition(" ")
    found = names.requests.get(request)
    if found is not None:
        endpoint, args = found
        if endpoint in PAGES:
            reading, writing = PAGES[endpoint]
            return (reading if method == "GET" else writing).format_map(_Blank(args))
        if endpoint.startswith("api."):
            return f"read {path.partition('?')[0]} from the API" if method == "GET" else f"write to {path} in the API"
    address = path.partition("?")[0] or "/"
    return f"open {address}" if method == "GET" else f"send {method} {address}"
