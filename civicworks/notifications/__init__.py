"""Residents hear back: one small framework every app uses to tell people what happened.

An app registers the kinds it sends (`kinds.register` in its `AppConfig.ready()`), and when
something happens it calls `services.notify(kind=..., key=..., to=[...], context={...})`.
Each recipient gets one `Notification` (the in-app list) per event key, and one `Delivery`
row per channel they take (e-mail, SMS), sent by Celery; see docs/notifications.md.
"""
