"""Routes of /umkm/kelola/, the Dinas Koperasi & UKM workspace (see urls.py and views_dinas)."""

from django.urls import URLPattern, URLResolver, path, re_path

from kotapintar.umkm import views_dinas as v

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.dinas_home, name="dinas_home"),
    path("verifikasi/", v.dinas_verification, name="dinas_verification"),
    path("usaha/<uuid:public_id>/", v.dinas_business, name="dinas_business"),
    path(
        "usaha/<uuid:public_id>/verifikasi/",
        v.dinas_business_verify,
        name="dinas_business_verify",
    ),
    path("usaha/<uuid:public_id>/tolak/", v.dinas_business_reject, name="dinas_business_reject"),
    path("usaha/<uuid:public_id>/tahapan/", v.dinas_milestone, name="dinas_milestone"),
    path("klaim/", v.dinas_claims, name="dinas_claims"),
    path("klaim/<int:pk>/", v.dinas_claim_decide, name="dinas_claim_decide"),
    path("sertifikat/", v.dinas_certificates, name="dinas_certificates"),
    path("kurasi/", v.dinas_curation, name="dinas_curation"),
    path("kurasi/<uuid:public_id>/", v.dinas_curate, name="dinas_curate"),
    path("produk/", v.dinas_products, name="dinas_products"),
    path("produk/<uuid:public_id>/turun-tayang/", v.dinas_delist, name="dinas_delist"),
    path(
        "produk/<uuid:public_id>/e-katalog/",
        v.dinas_national_catalogue,
        name="dinas_national_catalogue",
    ),
    path("ulasan/", v.dinas_reviews, name="dinas_reviews"),
    path("ulasan/<int:pk>/", v.dinas_review_moderate, name="dinas_review_moderate"),
    path("program/", v.dinas_programmes, name="dinas_programmes"),
    path("program/baru/", v.dinas_programme_create, name="dinas_programme_create"),
    path("program/<int:pk>/", v.dinas_programme, name="dinas_programme"),
    path("program/<int:pk>/ubah/", v.dinas_programme_edit, name="dinas_programme_edit"),
    path("program/<int:pk>/hapus/", v.dinas_programme_delete, name="dinas_programme_delete"),
    path("program/<int:pk>/peserta/", v.dinas_enrol, name="dinas_enrol"),
    path("peserta/<int:pk>/", v.dinas_enrolment_update, name="dinas_enrolment_update"),
    path("belanja/", v.dinas_purchases, name="dinas_purchases"),
    path("belanja/impor/", v.dinas_purchases_import, name="dinas_purchases_import"),
    path("belanja/laporan/", v.dinas_share_report, name="dinas_share_report"),
    re_path(
        r"^belanja/laporan/(?P<fmt>csv|xlsx)/$", v.dinas_share_export, name="dinas_share_export"
    ),
    re_path(
        r"^ekatalog/(?P<fmt>csv|xlsx)/$", v.dinas_catalogue_export, name="dinas_catalogue_export"
    ),
    path("dasbor/", v.dinas_dashboard, name="dinas_dashboard"),
]
