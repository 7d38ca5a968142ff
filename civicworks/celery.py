import os
from importlib import import_module

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicworks.settings")

app = Celery("civicworks")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

for _app_name in ("projects", "feedback", "evaluation", "participation"):
    app.conf.beat_schedule.update(import_module(f"{_app_name}.schedule").BEAT_SCHEDULE)
