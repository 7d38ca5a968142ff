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
