from django.contrib.auth import views as auth_views
from django.urls import path

from kotapintar.accounts import views

app_name = "accounts"

urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("daftar/", views.register, name="register"),
    path("daftar/terkirim/", views.confirmation_sent, name="confirmation_sent"),
    # "kirim-ulang" before the token pattern, which would otherwise swallow it.
    path("konfirmasi-email/kirim-ulang/", views.resend_confirmation, name="resend_confirmation"),
    path("konfirmasi-email/<str:token>/", views.confirm_email, name="confirm_email"),
    path("profil/", views.profile, name="profile"),
    path("kata-sandi/ubah/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "kata-sandi/ubah/selesai/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("kata-sandi/lupa/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "kata-sandi/lupa/terkirim/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "kata-sandi/atur/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "kata-sandi/atur/selesai/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
