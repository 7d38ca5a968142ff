from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes lock-out for log-ins over HTTP.

    Lock-out is about requests from an address; `authenticate()` without a request (the
    test client, management commands) has none, so it is left to the next backend.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_name(request, credentials: dict | None) -> str | None:
    """The name axes locks out: what was typed in the site's log-in form (`login`, a username
    or an e-mail address) or the console's (`username`), in the same case whichever is used."""
    sources = [credentials or {}, getattr(request, "POST", {})]
    for source in sources:
        for field in ("login", "username", "email"):
            if value := source.get(field):
                return str(value).strip().lower()
    return None
