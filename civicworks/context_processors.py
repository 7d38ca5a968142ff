from django.conf import settings


def site(request) -> dict:
    return {
        "SITE_NAME": settings.CIVICWORKS_SITE_NAME,
        "care_mode": request.COOKIES.get(settings.CIVICWORKS_CARE_COOKIE) == "1",
    }
