"""Settings for the benchmark only: production settings plus two bench-only changes.

1. The per-address limit on anonymous submissions is lifted: the load generator sends
   every report from 127.0.0.1 (production keeps its default of 10 an hour).
2. The URLconf adds the naive DRF baselines and a minimal intake view (bench/urls.py).

Load it after the `civicworks` package (gunicorn's `civicworks.wsgi`, Celery's `-A civicworks`,
or `import civicworks` before `django.setup()`): that package's Celery app reads settings
while it is imported. manage.py commands of the bench use civicworks.settings.
"""

from civicworks.settings import *  # noqa: F403

FEEDBACK_ANONYMOUS_PER_HOUR = 10**9
ROOT_URLCONF = "bench.urls"
