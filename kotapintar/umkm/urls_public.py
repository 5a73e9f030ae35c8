"""Routes of /umkm/ (see urls.py): the public e-catalogue, cart and the buyer's orders."""

from django.urls import URLPattern, URLResolver, path

from kotapintar.umkm import views_buyer, views_public

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_public.catalogue, name="catalogue"),
    path("produk/<str:ref>/", views_public.product_detail, name="product"),
    path("penjual/<uuid:public_id>/", views_public.seller_detail, name="seller"),
    path("foto/<uuid:file_id>/<str:size>/", views_public.photo, name="photo"),
    path("keranjang/", views_buyer.cart, name="cart"),
    path("keranjang/tambah/<str:ref>/", views_buyer.cart_add, name="cart_add"),
    path("keranjang/ubah/", views_buyer.cart_update, name="cart_update"),
    path("keranjang/pesan/", views_buyer.checkout, name="checkout"),
    path("akun/nip/", views_buyer.buyer_nip, name="buyer_nip"),
    path("pesanan/", views_buyer.my_orders, name="my_orders"),
    path("pesanan/<str:public_id>/", views_buyer.order_detail, name="order_detail"),
    path(
        "pesanan/<str:public_id>/batal/",
        views_buyer.order_action,
        {"action": "cancel"},
        name="order_cancel",
    ),
    path(
        "pesanan/<str:public_id>/diterima/",
        views_buyer.order_action,
        {"action": "complete"},
        name="order_complete",
    ),
    path(
        "pesanan/<str:public_id>/ulasan/<int:line_id>/",
        views_buyer.review,
        name="review",
    ),
]
