from django.urls import path

from documents import views

app_name = "documents"
urlpatterns = [
    path("", views.attachment_list, name="list"),
    path("<int:attachment_id>/download/", views.attachment_download, name="download"),
    path("<int:attachment_id>/remove/", views.attachment_remove, name="remove"),
]
