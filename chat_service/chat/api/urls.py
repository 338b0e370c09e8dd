from django.urls import path

from . import views

urlpatterns = [
    path("api/chat/conversations/", views.ConversationListView.as_view()),
    path("api/chat/conversations/<uuid:conversation_id>/", views.ConversationDetailView.as_view()),
    path(
        "api/chat/conversations/<uuid:conversation_id>/messages/", views.MessageListView.as_view()
    ),
    path("api/chat/conversations/<uuid:conversation_id>/read/", views.ReadView.as_view()),
    path("api/chat/messages/<int:message_id>/", views.MessageDetailView.as_view()),
    path("api/chat/attachments/", views.AttachmentUploadView.as_view()),
    path("api/chat/attachments/<uuid:attachment_id>/", views.AttachmentDetailView.as_view()),
    path("api/chat/blocks/", views.BlockListView.as_view()),
    path("api/chat/blocks/<str:user_id>/", views.BlockDetailView.as_view()),
    path("api/chat/reports/", views.ReportListView.as_view()),
    path("api/chat/reports/<uuid:report_id>/close/", views.ReportCloseView.as_view()),
]
