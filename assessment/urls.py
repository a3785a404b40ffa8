from django.urls import path

from assessment import views

app_name = "assessment"
urlpatterns = [
    path("accueil/examens/", views.sessions, name="sessions"),
    path("accueil/examens/creer/", views.create_sessions, name="create_sessions"),
    path(
        "accueil/examens/<int:pk>/epreuves/",
        views.generate_exam_timetable,
        name="generate_exam_timetable",
    ),
    path(
        "accueil/examens/epreuves/<int:pk>/",
        views.exam_timetable_detail,
        name="exam_timetable",
    ),
    path(
        "accueil/examens/epreuves/deplacer/<int:pk>/",
        views.move_exam_paper,
        name="move_exam_paper",
    ),
    path(
        "accueil/examens/epreuves/<int:pk>/publication/",
        views.publish_exam_timetable,
        name="publish_exam_timetable",
    ),
    path(
        "accueil/examens/<int:pk>/proces-verbaux/",
        views.session_jury_records,
        name="session_jury_records",
    ),
    path("accueil/examens/<int:pk>/ue/<slug:code>/", views.unit_exam, name="unit_exam"),
    path("accueil/examens/<int:pk>/ue/<slug:code>/jury/", views.jury_action, name="jury_action"),
    path("accueil/examens/<int:pk>/ue/<slug:code>/pv.pdf", views.jury_record, name="jury_record"),
    path("examens/<int:pk>/ue/<slug:code>/notes/", views.marks_entry, name="marks_entry"),
    path("examens/<int:pk>/ue/<slug:code>/import/", views.marks_import, name="marks_import"),
    path(
        "examens/<int:pk>/ue/<slug:code>/notes.<slug:fmt>",
        views.marks_export,
        name="marks_export",
    ),
    path("espace/examens/", views.my_exams, name="mine"),
    path("espace/examens/<int:pk>/convocation.pdf", views.convocation_pdf, name="convocation_pdf"),
]
