"""/api/v1/umkm/…: the public catalogue, the owner's businesses, products and sales, the
buyer's orders (see ``umkm.api``)."""

from django.urls import URLPattern, URLResolver, path

from kotapintar.umkm import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("umkm/products/", api.ProductSearchView.as_view(), name="api-umkm-products"),
    path(
        "umkm/products/<str:public_id>/",
        api.ProductDetailView.as_view(),
        name="api-umkm-product",
    ),
    path("umkm/my/businesses/", api.MyBusinessesView.as_view(), name="api-umkm-my-businesses"),
    path("umkm/my/products/", api.MyProductsView.as_view(), name="api-umkm-my-products"),
    path(
        "umkm/my/products/<str:public_id>/",
        api.MyProductView.as_view(),
        name="api-umkm-my-product",
    ),
    path(
        "umkm/my/products/<str:public_id>/price/",
        api.MyProductPriceView.as_view(),
        name="api-umkm-my-product-price",
    ),
    path(
        "umkm/my/products/<str:public_id>/stock/",
        api.MyProductStockView.as_view(),
        name="api-umkm-my-product-stock",
    ),
    path("umkm/my/sales/", api.MySalesView.as_view(), name="api-umkm-my-sales"),
    path("umkm/my/sales/<str:public_id>/", api.MySaleView.as_view(), name="api-umkm-my-sale"),
    path(
        "umkm/my/sales/<str:public_id>/<slug:action>/",
        api.MySaleActionView.as_view(),
        name="api-umkm-my-sale-action",
    ),
    path("umkm/my/orders/", api.MyOrdersView.as_view(), name="api-umkm-my-orders"),
    path("umkm/my/orders/<str:public_id>/", api.MyOrderView.as_view(), name="api-umkm-my-order"),
]
