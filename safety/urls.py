from django.urls import path

from safety import views

app_name = "safety"
urlpatterns = [
    path("", views.safety_detail, name="detail"),
    path("assess/<slug:code>/", views.assessment_new, name="assess"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("steps/<int:step_id>/done/", views.step_done, name="step_done"),
    path("steps/<int:step_id>/remove/", views.step_remove, name="step_remove"),
]
