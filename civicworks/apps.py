from django.contrib.admin.apps import AdminConfig


class ConsoleConfig(AdminConfig):
    """Installed in place of `django.contrib.admin`, so `admin.site` is the console's site (civicworks.admin)."""

    default_site = "civicworks.admin.ConsoleSite"
