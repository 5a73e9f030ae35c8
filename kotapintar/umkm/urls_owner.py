"""Routes of /umkm/usaha/ (see urls.py): the owner's businesses, products, orders, coaching."""

from django.urls import URLPattern, URLResolver, path

from kotapintar.umkm import views_owner as v

_B = "<uuid:business_id>/"
_P = _B + "produk/<uuid:product_id>/"
_O = _B + "pesanan/<uuid:order_id>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.home, name="owner_home"),
    path("daftar/", v.business_register, name="owner_register"),
    path("klaim/<int:claim_id>/", v.claim_detail, name="owner_claim"),
    path(_B, v.business_detail, name="owner_business"),
    path(_B + "ubah/", v.business_edit, name="owner_business_edit"),
    path(_B + "dokumen-nib/", v.nib_document_upload, name="owner_nib_document"),
    path(_B + "sertifikat/tambah/", v.certification_add, name="owner_certification_add"),
    path(
        _B + "sertifikat/<int:certification_id>/hapus/",
        v.certification_remove,
        name="owner_certification_remove",
    ),
    path(_B + "produk/", v.product_list, name="owner_products"),
    path(_B + "produk/baru/", v.product_create, name="owner_product_create"),
    path(_P, v.product_edit, name="owner_product"),
    path(_P + "ajukan/", v.product_submit, name="owner_product_submit"),
    path(_P + "turunkan/", v.product_withdraw, name="owner_product_withdraw"),
    path(_P + "hapus/", v.product_delete, name="owner_product_delete"),
    path(_P + "foto/", v.product_photo_add, name="owner_product_photo_add"),
    path(
        _P + "foto/<int:photo_id>/hapus/",
        v.product_photo_remove,
        name="owner_product_photo_remove",
    ),
    path(_B + "pesanan/", v.order_list, name="owner_orders"),
    path(_O, v.order_detail, name="owner_order"),
    path(_O + "<slug:action>/", v.order_action, name="owner_order_action"),
    path(_B + "pembinaan/", v.coaching, name="owner_coaching"),
    path(
        _B + "pembinaan/<int:programme_id>/daftar/",
        v.programme_enrol,
        name="owner_programme_enrol",
    ),
]
