"""Demo data of this app, a step of `manage.py seed_demo`."""


def seed(*, options: dict, stdout) -> None:
    pass
