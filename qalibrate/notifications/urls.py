from django.urls import path

from qalibrate.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification_list"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read/", views.notification_read_all, name="notification_read_all"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("email/", views.email_choices, name="email_choices"),
    path("calendar/renew/", views.feed_token_renew, name="feed_token_renew"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
