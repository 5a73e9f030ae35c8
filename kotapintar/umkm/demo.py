"""Demo UMKM data: ~100 businesses and ~500 products at ``--scale small``; ~30,000 businesses
and ~150,000 products with five years of orders, coaching and OPD purchases at ``medan-5y``.

Deterministic for a seed and idempotent per scale: the owner accounts of a scale are
``umkm.<scale>.<n>@demo...``; when businesses of such owners exist the scale is complete and
nothing is added. Products carry realistic Medan names (bika ambon, bolu meranti, ulos, songket,
sirup markisa, kopi sidikalang/gayo, keripik, teri, dodol, batik, kerajinan, …) built from a
base, a variant, a size and sometimes the seller's name, so that searches return a meaningful
spread. The reference's Medan specialities (``SPECIALITIES``, acceptance test 14) are always
there. NIKs are synthetic (kecamatan prefix, birth date, serial) and encrypted with the field's
own helper, with their blind index. No photos.

The search text of every product is computed with the same normalisation as the services
(``search.normalize_text`` with the synonyms), and on PostgreSQL the weighted ``tsvector`` is
filled in SQL per batch exactly as ``search.product_index_update`` does (A name, B category and
tags, C description). PostgreSQL rows are written with ``COPY`` (ids reserved from the
sequences first); SQLite uses ``bulk_create``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import cache
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.models import DateTimeField, JSONField, Model
from django.utils import timezone
from psycopg import sql

from kotapintar.accounts.models import ModuleRoleGrant, User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency, AgencyKind
from kotapintar.core.demo.names import person_name
from kotapintar.core.demo.registry import (
    DemoContext,
    DemoDataError,
    register_generator,
)
from kotapintar.core.fields import EncryptedTextField
from kotapintar.core.personal_data import identity_blind_index
from kotapintar.core.reference_numbers import ALPHABET, BODY_LENGTH, GROUP_LENGTH
from kotapintar.regions.models import District, Village
from kotapintar.umkm import rules
from kotapintar.umkm.models import (
    JOURNEY_ORDER,
    UMK_SCALES,
    Business,
    BusinessScaleChange,
    BuyerProfile,
    Certification,
    CertificationType,
    Enrolment,
    EnrolmentStatus,
    GovernmentPurchase,
    JourneyMilestone,
    Market,
    Order,
    OrderLine,
    OrderStatus,
    Product,
    ProductCategory,
    ProductStatus,
    Programme,
    ProgrammeType,
    PurchaseKind,
    Review,
    ReviewStatus,
    Scale,
    ScaleThreshold,
    VerificationStatus,
)
from kotapintar.umkm.registration import DINAS_ROLE
from kotapintar.umkm.search import (
    NAME_WORDS_CONFIG,
    SEARCH_CONFIG,
    normalize_text,
    synonym_map,
)

GENERATOR_NAME = "umkm"
OWNER_PREFIX = "umkm"
BUYER_PREFIX = "pembeli"
DINAS_AGENCY_CODE = "dkukmpp"
WIB = dt_timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Size:
    businesses: int
    products: int
    orders: int
    buyers: int
    programmes: int
    enrolments: int
    purchases: int


SIZES = {
    "small": Size(100, 500, 160, 20, 6, 60, 60),
    "medan-5y": Size(30_000, 150_000, 60_000, 5_000, 150, 20_000, 15_000),
}


def _size(ctx: DemoContext) -> Size:
    if ctx.scale in SIZES:
        return SIZES[ctx.scale]
    n = max(100, ctx.size.citizens // 2)
    return Size(n, 5 * n, n * 2, max(20, n // 6), 6, n // 2, n // 2)


# --- Catalogue texts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A kind of product: bases with their variants, sizes, price range and typical papers."""

    category: str  # ProductCategory slug
    sector: str
    kbli: str
    bases: tuple[tuple[str, tuple[str, ...]], ...]
    sizes: tuple[tuple[str, str, int, float], ...]  # (label, unit, grams, price factor)
    price: tuple[int, int]
    shops: tuple[str, ...]  # business name templates ({name} = the owner's short name)
    certs: tuple[str, ...] = ()
    tags: str = ""
    weight: float = 1.0


FOOD_SHOPS = ("Dapur {name}", "Kedai {name}", "Rumah Kue {name}", "Oleh-oleh {name}")
PACK = (("250 g", "bungkus", 250, 1.0), ("500 g", "bungkus", 500, 1.8), ("1 kg", "kg", 1000, 3.4))
BOX = (("", "kotak", 800, 1.0), ("Isi 10", "kotak", 600, 1.0), ("Isi 20", "kotak", 1200, 1.9))
PIECE = (("", "pcs", 300, 1.0),)
CLOTH = (("", "lembar", 600, 1.0), ("Ukuran Besar", "lembar", 900, 1.4))

LINES: tuple[Line, ...] = (
    Line(
        "kue-roti",
        "kuliner",
        "10710",
        (
            ("Bika Ambon", ("Original", "Pandan", "Keju", "Durian", "Cokelat", "Mini")),
            ("Bolu Meranti", ("Keju", "Cokelat", "Pandan", "Original", "Blueberry", "Moka")),
            ("Pancake Durian", ("Original", "Premium", "Mini", "Keju")),
            ("Bolu Gulung", ("Keju", "Srikaya", "Cokelat", "Pandan")),
            ("Lapis Legit", ("Original", "Prunes", "Keju")),
            ("Bakpia Medan", ("Kacang Hijau", "Cokelat", "Durian")),
            ("Kue Bangkit", ("Santan", "Pandan")),
            ("Roti Ketawa", ("Wijen", "Original")),
            ("Dodol", ("Durian", "Ketan Hitam", "Nanas", "Pulut")),
            ("Lemang", ("Ketan Putih", "Ketan Hitam")),
            ("Kue Kembang Loyang", ("Original", "Wijen")),
        ),
        (("", "kotak", 1000, 1.0), ("1 kg", "kotak", 1000, 1.0), ("2 kg", "kotak", 2000, 1.9)),
        (30_000, 150_000),
        ("Bika Ambon {name}", "Bolu {name}", *FOOD_SHOPS),
        ("pirt", "halal"),
        "oleh-oleh khas medan",
        3.0,
    ),
    Line(
        "keripik-camilan",
        "kuliner",
        "10794",
        (
            ("Keripik Ubi", ("Pedas", "Original", "Balado", "Manis", "Sambal")),
            ("Keripik Pisang", ("Manis", "Asin", "Cokelat", "Keju")),
            ("Keripik Tempe", ("Original", "Pedas")),
            ("Kerupuk Udang", ("Original", "Pedas")),
            ("Rempeyek Kacang", ("Original", "Teri")),
            ("Kacang Sihobuk", ("Original", "Bawang")),
            ("Emping Melinjo", ("Manis", "Pedas", "Original")),
            ("Kue Bawang", ("Original", "Seledri")),
        ),
        PACK,
        (10_000, 45_000),
        ("Camilan {name}", "Keripik {name}", *FOOD_SHOPS),
        ("pirt", "halal"),
        "camilan, oleh-oleh",
        2.0,
    ),
    Line(
        "minuman-sirup",
        "kuliner",
        "11040",
        (
            ("Sirup Markisa", ("Original", "Kuning", "Ungu", "Premium", "Pekat")),
            ("Sirup Terong Belanda", ("Original", "Premium")),
            ("Sari Markisa", ("Asli", "Tanpa Gula")),
            ("Minuman Jahe Merah", ("Instan", "Serbuk")),
            ("Teh Tarik", ("Sachet", "Serbuk")),
            ("Jus Sirsak", ("Botol", "Segar")),
        ),
        (
            ("620 ml", "botol", 900, 1.0),
            ("1 liter", "botol", 1300, 1.5),
            ("Paket 2 Botol", "paket", 1800, 1.9),
        ),
        (25_000, 85_000),
        ("Sirup {name}", "Minuman {name}", *FOOD_SHOPS),
        ("pirt", "halal", "bpom_md"),
        "minuman, oleh-oleh khas medan",
        1.5,
    ),
    Line(
        "kopi",
        "kuliner",
        "10761",
        (
            ("Kopi Sidikalang", ("Robusta", "Arabika", "Bubuk", "Biji Sangrai")),
            ("Kopi Gayo", ("Arabika", "Wine", "Honey", "Natural")),
            ("Kopi Mandailing", ("Arabika", "Bubuk")),
            ("Kopi Lintong", ("Arabika", "Biji Sangrai")),
            ("Kopi Susu Literan", ("Aren", "Original")),
        ),
        PACK,
        (35_000, 180_000),
        ("Kopi {name}", "Kedai Kopi {name}", "Roastery {name}"),
        ("pirt", "halal"),
        "kopi sumatera",
        1.5,
    ),
    Line(
        "bumbu-sambal",
        "kuliner",
        "10772",
        (
            ("Sambal Andaliman", ("Original", "Pedas")),
            ("Sambal Teri", ("Kacang", "Pedas", "Balado")),
            ("Bumbu Rendang", ("Instan", "Kering")),
            ("Bumbu Arsik", ("Instan",)),
            ("Bumbu Soto Medan", ("Instan",)),
            ("Sambal Tuktuk", ("Original",)),
        ),
        (("Botol 200 g", "botol", 250, 1.0), ("Botol 350 g", "botol", 400, 1.6)),
        (20_000, 60_000),
        ("Sambal {name}", *FOOD_SHOPS),
        ("pirt", "halal"),
        "sambal, bumbu",
    ),
    Line(
        "olahan-ikan",
        "kuliner",
        "10213",
        (
            ("Teri Medan", ("Goreng", "Kacang", "Kering", "Sambal", "Balado", "Nasi")),
            ("Ikan Asin Jambal", ("Roti", "Kering")),
            ("Abon Ikan Tuna", ("Original", "Pedas")),
            ("Kerupuk Ikan Tenggiri", ("Original",)),
            ("Ikan Asap", ("Tongkol", "Lele")),
        ),
        PACK,
        (25_000, 160_000),
        ("Teri {name}", "Olahan Ikan {name}", *FOOD_SHOPS),
        ("pirt", "halal"),
        "oleh-oleh khas medan",
        1.5,
    ),
    Line(
        "makanan-siap-saji",
        "kuliner",
        "56101",
        (
            ("Soto Medan", ("Ayam", "Daging", "Udang")),
            ("Mie Gomak", ("Goreng", "Kuah")),
            ("Lontong Medan", ("Sayur", "Komplit")),
            ("Bihun Bebek", ("Kuah", "Goreng")),
            ("Martabak Mesir", ("Daging", "Telur")),
            ("Rendang Daging", ("Sapi", "Pedas")),
            ("Arsik Ikan Mas", ("Original",)),
            ("Nasi Kuning", ("Komplit", "Ayam")),
        ),
        (("", "porsi", 400, 1.0), ("Paket Keluarga", "paket", 1500, 3.5)),
        (15_000, 60_000),
        ("Warung {name}", "Rumah Makan {name}", "Kedai {name}"),
        ("halal",),
        "kuliner medan",
        1.5,
    ),
    Line(
        "daging-beku",
        "kuliner",
        "10130",
        (
            ("Nugget Ayam", ("Original", "Stik")),
            ("Bakso Sapi Beku", ("Halus", "Urat")),
            ("Dimsum Frozen", ("Ayam", "Udang")),
            ("Rendang Beku", ("Sapi",)),
        ),
        (("500 g", "bungkus", 500, 1.0), ("1 kg", "bungkus", 1000, 1.9)),
        (30_000, 120_000),
        ("Frozen Food {name}",),
        ("halal", "bpom_md"),
        "frozen food",
        0.5,
    ),
    Line(
        "ulos",
        "fesyen",
        "13122",
        (
            ("Ulos Ragi Hotang", ("Tenun Tangan", "Premium", "Motif Klasik")),
            ("Ulos Sadum", ("Tenun Tangan", "Warna Cerah", "Premium")),
            ("Ulos Ragidup", ("Tenun Tangan", "Premium")),
            ("Ulos Mangiring", ("Tenun Tangan", "Motif Modern")),
            ("Ulos Sibolang", ("Tenun Tangan", "Biru")),
            ("Ulos Bintang Maratur", ("Premium", "Tenun Mesin")),
            ("Selendang Ulos", ("Sadum", "Ragi Hotang")),
            ("Kain Ulos", ("Tenun Mesin", "Motif Modern")),
        ),
        CLOTH,
        (150_000, 1_500_000),
        ("Ulos {name}", "Tenun {name}", "Galeri Ulos {name}"),
        (),
        "kain tradisional batak, tenun",
        1.5,
    ),
    Line(
        "songket",
        "fesyen",
        "13122",
        (
            ("Songket Melayu Deli", ("Benang Emas", "Benang Perak", "Motif Pucuk Rebung")),
            ("Songket Batubara", ("Benang Emas", "Premium")),
            ("Selendang Songket", ("Benang Emas", "Motif Bunga")),
            ("Tanjak Songket", ("Melayu", "Premium")),
        ),
        CLOTH,
        (200_000, 3_000_000),
        ("Songket {name}", "Tenun {name}"),
        (),
        "kain tradisional melayu, tenun",
    ),
    Line(
        "batik",
        "fesyen",
        "13134",
        (
            ("Batik Medan", ("Motif Pakis", "Motif Gorga", "Motif Tembakau Deli")),
            ("Kemeja Batik Medan", ("Lengan Panjang", "Lengan Pendek")),
            ("Batik Tulis", ("Motif Pakis", "Motif Bunga")),
            ("Daster Batik", ("Motif Bunga", "Jumbo")),
        ),
        (("", "lembar", 300, 1.0), ("Ukuran XL", "lembar", 350, 1.1)),
        (90_000, 850_000),
        ("Batik {name}", "Galeri Batik {name}"),
        ("sni",),
        "batik",
    ),
    Line(
        "pakaian",
        "fesyen",
        "14111",
        (
            ("Kaos Oblong Medan", ("Hitam", "Putih", "Sablon Horas")),
            ("Kemeja Kombinasi Ulos", ("Pria", "Wanita")),
            ("Seragam Sekolah", ("SD", "SMP", "SMA")),
            ("Seragam Dinas PDH", ("Khaki", "Pria", "Wanita")),
            ("Gamis Muslimah", ("Polos", "Motif")),
            ("Kebaya Modern", ("Brokat", "Songket")),
        ),
        (("M", "pcs", 250, 1.0), ("L", "pcs", 270, 1.0), ("XL", "pcs", 300, 1.1)),
        (60_000, 450_000),
        ("Konveksi {name}", "Butik {name}", "Busana {name}"),
        (),
        "pakaian",
        1.5,
    ),
    Line(
        "alas-kaki",
        "fesyen",
        "15201",
        (
            ("Sepatu Pantofel Kulit", ("Pria", "Wanita")),
            ("Sepatu Sekolah", ("Hitam", "Putih")),
            ("Sandal Kulit", ("Pria", "Wanita")),
            ("Sepatu Boots Kerja", ("Kulit", "Safety")),
        ),
        (("No. 40", "pasang", 900, 1.0), ("No. 42", "pasang", 950, 1.0)),
        (120_000, 650_000),
        ("Sepatu {name}", "Kulit {name}"),
        ("sni",),
        "sepatu kulit",
    ),
    Line(
        "tas-aksesori",
        "fesyen",
        "15121",
        (
            ("Tas Motif Ulos", ("Selempang", "Jinjing")),
            ("Dompet Kulit", ("Pria", "Wanita")),
            ("Tas Rajut", ("Kecil", "Besar")),
            ("Gelang Manik-manik", ("Batak", "Warna-warni")),
        ),
        PIECE,
        (35_000, 400_000),
        ("Aksesori {name}", "Tas {name}"),
        (),
        "aksesori",
    ),
    Line(
        "anyaman",
        "kriya",
        "16291",
        (
            ("Tikar Pandan", ("Motif", "Polos")),
            ("Keranjang Rotan", ("Kecil", "Besar")),
            ("Tas Purun", ("Alami", "Warna")),
            ("Bakul Bambu", ("Kecil", "Besar")),
        ),
        PIECE,
        (25_000, 350_000),
        ("Anyaman {name}", "Kerajinan {name}"),
        (),
        "kerajinan tangan",
    ),
    Line(
        "ukiran-kayu",
        "kriya",
        "16292",
        (
            ("Ukiran Gorga Batak", ("Hiasan Dinding", "Papan Nama")),
            ("Miniatur Rumah Bolon", ("Kecil", "Besar")),
            ("Patung Sigale-gale", ("Kayu", "Mini")),
        ),
        PIECE,
        (75_000, 1_200_000),
        ("Ukiran {name}", "Kerajinan Kayu {name}"),
        (),
        "kerajinan kayu, suvenir",
    ),
    Line(
        "suvenir",
        "kriya",
        "32909",
        (
            ("Gantungan Kunci Ulos", ("Isi 10", "Satuan")),
            ("Miniatur Istana Maimun", ("Kayu", "Resin")),
            ("Magnet Kulkas Medan", ("Isi 5", "Satuan")),
        ),
        PIECE,
        (10_000, 150_000),
        ("Suvenir {name}", "Cendera Mata {name}"),
        (),
        "suvenir, oleh-oleh khas medan",
    ),
    Line(
        "perawatan-kulit",
        "kecantikan",
        "20232",
        (
            ("Sabun Sereh Wangi", ("Batang", "Cair")),
            ("Lulur Tradisional", ("Kunyit", "Bengkoang")),
            ("Minyak Kemiri", ("Murni", "Lidah Buaya")),
        ),
        (("100 ml", "botol", 150, 1.0), ("250 ml", "botol", 300, 2.0)),
        (15_000, 90_000),
        ("Herbal {name}", "Cantik {name}"),
        ("halal", "bpom_md"),
        "perawatan alami",
        0.8,
    ),
    Line(
        "jamu-herbal",
        "kecantikan",
        "21022",
        (
            ("Jamu Kunyit Asam", ("Botol", "Serbuk")),
            ("Minyak Urut Karo", ("Asli", "Hangat")),
            ("Teh Daun Kelor", ("Celup", "Serbuk")),
        ),
        (("100 ml", "botol", 150, 1.0), ("250 ml", "botol", 300, 2.0)),
        (15_000, 80_000),
        ("Jamu {name}", "Herbal {name}"),
        ("pirt", "halal"),
        "herbal",
        0.8,
    ),
    Line(
        "sayur-buah",
        "pertanian",
        "01139",
        (
            ("Durian Medan", ("Montong", "Ucok", "Kupas")),
            ("Jeruk Berastagi", ("Manis", "Super")),
            ("Markisa Segar", ("Ungu", "Kuning")),
            ("Terong Belanda", ("Segar",)),
            ("Alpukat Mentega", ("Super",)),
        ),
        (("1 kg", "kg", 1000, 1.0), ("5 kg", "kg", 5000, 4.5)),
        (15_000, 250_000),
        ("Tani {name}", "Buah {name}"),
        (),
        "buah segar",
    ),
    Line(
        "ikan-segar",
        "pertanian",
        "03111",
        (
            ("Ikan Kembung Segar", ("Belawan",)),
            ("Udang Windu", ("Besar", "Sedang")),
            ("Kepiting Bakau", ("Jantan", "Telur")),
            ("Cumi Segar", ("Belawan",)),
        ),
        (("1 kg", "kg", 1000, 1.0),),
        (35_000, 250_000),
        ("Nelayan {name}", "Ikan Segar {name}"),
        (),
        "hasil laut belawan",
        0.6,
    ),
    Line(
        "perlengkapan-kantor",
        "perdagangan",
        "47611",
        (
            ("Map Batik", ("Folio", "Kuarto")),
            ("Buku Agenda Motif Ulos", ("A5", "B5")),
            ("Stempel Kayu", ("Bulat", "Kotak")),
            ("Amplop Kop Surat", ("Isi 100", "Isi 500")),
        ),
        PIECE,
        (10_000, 250_000),
        ("ATK {name}", "Toko {name}"),
        (),
        "atk kantor",
        0.8,
    ),
    Line(
        "katering",
        "jasa",
        "56210",
        (
            ("Nasi Kotak Rapat", ("Ayam Gulai", "Rendang", "Ikan Arsik")),
            ("Snack Box Rapat", ("Isi 3", "Isi 5")),
            ("Paket Prasmanan", ("50 Orang", "100 Orang")),
            ("Tumpeng Mini", ("Nasi Kuning", "Nasi Uduk")),
        ),
        (("", "kotak", 500, 1.0),),
        (15_000, 95_000),
        ("Katering {name}", "Catering {name}"),
        ("halal",),
        "katering kantor",
        1.2,
    ),
    Line(
        "percetakan",
        "jasa",
        "18111",
        (
            ("Cetak Spanduk", ("Flexi", "Korea")),
            ("Sablon Kaos", ("Satu Warna", "Full Color")),
            ("Cetak Undangan", ("Hardcover", "Softcover")),
        ),
        (("", "paket", 200, 1.0),),
        (25_000, 500_000),
        ("Percetakan {name}", "Sablon {name}"),
        (),
        "percetakan",
        0.6,
    ),
    Line(
        "penjahit",
        "jasa",
        "14111",
        (
            ("Jahit Seragam Dinas", ("PDH", "PDL")),
            ("Jahit Kebaya", ("Modern", "Klasik")),
            ("Konveksi Kaos Polo", ("Bordir", "Sablon")),
        ),
        (("", "pcs", 300, 1.0),),
        (75_000, 450_000),
        ("Penjahit {name}", "Konveksi {name}"),
        (),
        "jasa jahit",
        0.6,
    ),
)

DESCRIPTIONS = (
    "{base} buatan {shop}, dibuat setiap hari dari bahan pilihan.",
    "{base} khas Medan, cocok untuk oleh-oleh keluarga.",
    "{base} tanpa pengawet, tahan {days} hari di suhu ruang.",
    "Produk UMKM binaan Dinas Koperasi dan UKM Kota Medan. {base} kualitas terbaik.",
    "{base} dengan resep turun-temurun dari {district}.",
    "Pesan {base} untuk acara kantor, arisan atau hajatan; bisa kirim se-Kota Medan.",
)

#: Acceptance test 14's Medan specialities: (category, product name, price, unit), sold by the
#: first businesses of every scale; "Kaos Oblong Medan" is there so that ``ulos`` provably does
#: not find it, and a non-spicy keripik for ``-pedas``.
SPECIALITIES: tuple[tuple[str, str, int, str], ...] = (
    ("kue-roti", "Bika Ambon Zulaikha Original 2 kg", 145_000, "kotak"),
    ("kue-roti", "Bolu Meranti Keju", 95_000, "kotak"),
    ("ulos", "Kain Ulos Ragi Hotang", 850_000, "lembar"),
    ("ulos", "Ulos Sadum", 450_000, "lembar"),
    ("minuman-sirup", "Sirup Markisa", 45_000, "botol"),
    ("keripik-camilan", "Keripik Ubi Pedas", 18_000, "bungkus"),
    ("keripik-camilan", "Keripik Ubi Original", 17_000, "bungkus"),
    ("olahan-ikan", "Teri Medan", 65_000, "bungkus"),
    ("kue-roti", "Pancake Durian", 85_000, "kotak"),
    ("pakaian", "Kaos Oblong Medan", 75_000, "pcs"),
)
SPECIALITY_SHOPS = (
    "Dapur Bika Kak Ros",
    "Bolu Meranti Bu Lina",
    "Tenun Ulos Boru Sinaga",
    "Galeri Ulos Opung Rumiris",
    "Sirup Markisa Pak Tigor",
    "Keripik Ubi Mak Ani",
    "Camilan Mak Ani",
    "Teri Medan Wak Udin",
    "Pancake Durian Kak Mei",
    "Konveksi Horas Jaya",
)

SUPPLIERS_NOT_UMK = (
    "PT Sumber Makmur Abadi",
    "PT Medan Sarana Niaga",
    "CV Karya Besar Nusantara",
    "PT Deli Jaya Perkasa",
    "PT Prima Pangan Indonesia",
)
PROGRAMME_NAMES: dict[str, tuple[str, ...]] = {
    ProgrammeType.TRAINING: (
        "Pelatihan Pengemasan Produk",
        "Pelatihan Pembukuan Sederhana",
        "Pelatihan Foto Produk dengan Ponsel",
    ),
    ProgrammeType.MENTORING: ("Pendampingan Manajemen Usaha", "Klinik Bisnis UMKM"),
    ProgrammeType.FINANCE: ("Temu Bank dan Akses KUR", "Pendampingan Pengajuan KUR"),
    ProgrammeType.CERTIFICATION: (
        "Fasilitasi Sertifikat Halal Gratis",
        "Pendampingan SPP-IRT",
        "Fasilitasi Merek (HAKI)",
    ),
    ProgrammeType.MARKETING: (
        "Pameran UMKM Lapangan Merdeka",
        "Medan Expo UMKM",
        "Pelatihan Pemasaran Digital dan Marketplace",
    ),
    ProgrammeType.EXPORT: ("Kelas Kesiapan Ekspor", "Kurasi Produk Ekspor"),
}
#: The journey stage a completed programme of each type moves a business to.
STAGE_OF: dict[str, str] = {
    ProgrammeType.FINANCE: "modal",
    ProgrammeType.TRAINING: "produksi",
    ProgrammeType.MENTORING: "produksi",
    ProgrammeType.CERTIFICATION: "legalitas",
    ProgrammeType.MARKETING: "pemasaran_digital",
    ProgrammeType.EXPORT: "ekspor",
}
REVIEW_TEXTS = (
    "Enak, pengiriman cepat.",
    "Sesuai pesanan, terima kasih.",
    "Kualitas bagus, akan pesan lagi.",
    "Kemasan rapi, rasanya mantap.",
    "Agak terlambat tapi barangnya bagus.",
    "Cukup baik.",
)


# --- Settings of one run ----------------------------------------------------------------------


@dataclass
class Place:
    district_id: str
    district_name: str
    village_id: str | None
    nik_prefix: str


@dataclass
class Setting:
    places: list[Place]
    categories: dict[str, ProductCategory]
    parent_names: dict[int, str]
    cert_types: dict[str, int]
    thresholds: list[ScaleThreshold]
    synonyms: dict[str, str]
    agencies: list[int]
    dinas_officer: int | None


def _setting() -> Setting:
    districts = list(
        District.objects.filter(regency_id=settings.KOTAPINTAR_REGION_CODE).order_by("code")
    )
    if not districts:
        raise DemoDataError(
            "No kecamatan for the deployment city: run `python manage.py load_reference_data`."
        )
    villages: dict[str, list[str]] = {}
    for code, district_id in Village.objects.filter(district__in=districts).values_list(
        "code", "district_id"
    ):
        villages.setdefault(district_id, []).append(code)
    places = []
    for d in districts:
        options: list[str | None] = [*villages.get(d.code, [])] or [None]
        for village in options:
            places.append(Place(d.code, d.name, village, d.nik_prefix))
    if not ScaleThreshold.objects.exists() or not ProductCategory.objects.exists():
        call_command("load_umkm_reference", verbosity=0)
    categories = {c.slug: c for c in ProductCategory.objects.all()}
    missing = {line.category for line in LINES} - set(categories)
    if missing:
        raise DemoDataError(
            f"Product categories missing: {', '.join(sorted(missing))}. "
            "Run `python manage.py load_umkm_reference`."
        )
    return Setting(
        places=places,
        categories=categories,
        parent_names={c.pk: c.name for c in categories.values()},
        cert_types=dict(CertificationType.objects.values_list("code", "pk")),
        thresholds=list(ScaleThreshold.objects.order_by("rank")),
        synonyms=synonym_map(),
        agencies=list(
            Agency.objects.filter(
                is_active=True,
                kind__in=[AgencyKind.DINAS, AgencyKind.BADAN, AgencyKind.SECRETARIAT],
            )
            .order_by("code")
            .values_list("pk", flat=True)
        )
        or list(Agency.objects.order_by("code").values_list("pk", flat=True)),
        dinas_officer=None,
    )


# --- The generator -----------------------------------------------------------------------------


def _owner_email(ctx: DemoContext, n: int) -> str:
    return ctx.demo_email(f"{OWNER_PREFIX}.{ctx.scale}.{n:05d}")


def _mine(ctx: DemoContext) -> Any:
    return Business.objects.filter(
        owner__email__startswith=f"{OWNER_PREFIX}.{ctx.scale}.",
        owner__email__endswith=ctx.demo_email(""),
    )


def demo_umkm(ctx: DemoContext) -> dict[str, int]:
    s = _setting()
    s.dinas_officer = _demo_logins(ctx)
    if not _mine(ctx).exists():
        _generate(ctx, s)
    businesses = _mine(ctx)
    products = Product.objects.filter(business__in=businesses)
    orders = Order.objects.filter(business__in=businesses)
    return {
        "businesses": businesses.count(),
        "products": products.count(),
        "listed": products.filter(status=ProductStatus.LISTED).count(),
        "orders": orders.count(),
        "reviews": Review.objects.filter(product__in=products).count(),
        "enrolments": Enrolment.objects.filter(business__in=businesses).count(),
        "purchases": GovernmentPurchase.objects.filter(business__in=businesses).count(),
    }


def _demo_logins(ctx: DemoContext) -> int:
    """A Dinas Koperasi & UKM officer (``dinas.umkm@``) and an owner login (``umkm@``)."""
    agency = Agency.objects.filter(code=DINAS_AGENCY_CODE).first()
    officer, _created = User.objects.get_or_create(
        email=ctx.demo_email("dinas.umkm"),
        defaults={
            "full_name": "Yusni Harahap",
            "role": Role.OFFICER,
            "agency": agency,
            "password": ctx.password_hash(),
            "email_verified_at": timezone.now(),
        },
    )
    ModuleRoleGrant.objects.get_or_create(user=officer, code=DINAS_ROLE)
    User.objects.get_or_create(
        email=ctx.demo_email("umkm"),
        defaults={
            "full_name": "Rosmawati Sitompul",
            "role": Role.CITIZEN,
            "password": ctx.password_hash(),
            "email_verified_at": timezone.now(),
        },
    )
    return officer.pk


def _moment(rng: random.Random, day: date) -> datetime:
    at = time(rng.randrange(7, 21), rng.randrange(60), rng.randrange(60))
    return datetime.combine(day, at, tzinfo=WIB).astimezone(UTC)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _nik(rng: random.Random, prefix: str) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(365 * 45))
    day = born.day + (40 if rng.random() < 0.55 else 0)
    return f"{prefix}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randrange(1, 10000):04d}"


def _figures(rng: random.Random, target: str) -> tuple[int, int, int]:
    """(annual turnover, capital, employees) inside the scale's PP 7/2021 band."""
    if target == Scale.MIKRO:
        turnover = rng.randrange(24, 1_800) * 1_000_000
        return turnover, rng.randrange(5, 900) * 1_000_000, rng.randrange(1, 5)
    if target == Scale.KECIL:
        turnover = rng.randrange(2_100, 14_500) * 1_000_000
        return turnover, rng.randrange(1_000, 4_900) * 1_000_000, rng.randrange(5, 20)
    turnover = rng.randrange(15_100, 48_000) * 1_000_000
    return turnover, rng.randrange(5_000, 9_900) * 1_000_000, rng.randrange(20, 100)


def _generate(ctx: DemoContext, s: Setting) -> None:
    size = _size(ctx)
    rng = ctx.rng_for(f"registry:{ctx.scale}")
    years = ctx.size.years
    first_day = ctx.today - timedelta(days=365 * years)
    span = (ctx.today - timedelta(days=2) - first_day).days

    # Owner accounts: most own one business, some two.
    owners_count = max(1, int(size.businesses * 0.92))
    password = ctx.password_hash()
    now = timezone.now()
    ctx.bulk_create(
        User,
        (
            User(
                email=_owner_email(ctx, n),
                full_name=person_name(rng),
                role=Role.CITIZEN,
                password=password,
                date_joined=now,
                email_verified_at=now,
            )
            for n in range(1, owners_count + 1)
        ),
        ignore_conflicts=True,
    )
    owners = list(
        User.objects.filter(email__startswith=f"{OWNER_PREFIX}.{ctx.scale}.")
        .order_by("email")
        .values_list("pk", "full_name")
    )
    taken_nibs = set(Business.objects.filter(is_active=True).values_list("nib", flat=True))
    weights = [line.weight for line in LINES]
    lines_by_category = {line.category: line for line in LINES}

    businesses: list[dict[str, Any]] = []
    business_lines: list[list[Line]] = []
    history: list[dict[str, Any]] = []
    for n in range(size.businesses):
        owner_id, owner_name = owners[n] if n < len(owners) else rng.choice(owners)
        short = _short_name(owner_name)
        place = rng.choice(s.places)
        if n < len(SPECIALITIES):
            line = lines_by_category[SPECIALITIES[n][0]]
            name = SPECIALITY_SHOPS[n]
        else:
            line = rng.choices(LINES, weights)[0]
            name = rng.choice(line.shops).format(name=short)
        mine = [line]
        if rng.random() < 0.3:
            mine.append(rng.choice([x for x in LINES if x.sector == line.sector]))
        target = rng.choices([Scale.MIKRO, Scale.KECIL, Scale.MENENGAH], [80, 17, 3])[0]
        turnover, capital, employees = _figures(rng, target)
        registered = first_day + timedelta(days=int(span * rng.random() ** 0.8))
        founded = registered.year - rng.randrange(0, 15)
        roll = rng.random()
        status = (
            VerificationStatus.VERIFIED
            if n < len(SPECIALITIES) or roll < 0.86
            else VerificationStatus.UNVERIFIED
            if roll < 0.96
            else VerificationStatus.REJECTED
        )
        # Every scale shows each verification state at least once (same random draws).
        if n == len(SPECIALITIES):
            status = VerificationStatus.UNVERIFIED
        elif n == len(SPECIALITIES) + 1:
            status = VerificationStatus.REJECTED
        nib = _nib(rng, taken_nibs)
        nik = _nik(rng, place.nik_prefix)
        created = _moment(rng, registered)
        # Some businesses moved up a scale ("naik kelas") or grew inside theirs: the history
        # starts with earlier, smaller figures and records today's figures later.
        lower = {Scale.KECIL: Scale.MIKRO, Scale.MENENGAH: Scale.KECIL}.get(target)
        roll = rng.random()
        old_enough = (ctx.today - registered).days > 90
        grew = lower is not None and roll < 0.3 and old_enough
        if grew:
            start_figures = _figures(rng, lower or target)
        elif roll > 0.7 and old_enough:
            start_figures = (turnover * 4 // 5, capital, max(1, employees - 1))
        else:
            start_figures = (turnover, capital, employees)
        scale = rules.classify_scale(
            annual_turnover=turnover, capital=capital, thresholds=s.thresholds
        )
        businesses.append(
            {
                "public_id": _uuid(rng),
                "owner_id": owner_id,
                "name": name,
                "owner_name": owner_name,
                "owner_nik": nik,
                "owner_nik_hash": identity_blind_index(nik),
                "nib": nib,
                "kbli": line.kbli,
                "sector": line.sector,
                "street_address": f"Jl. {rng.choice(STREETS)} No. {rng.randrange(1, 250)}",
                "district_id": place.district_id,
                "village_id": place.village_id,
                "phone": f"+628{rng.randrange(10**9, 10**10)}",
                "founding_year": founded,
                "employees": employees,
                "capital": capital,
                "annual_turnover": turnover,
                "scale": scale,
                "is_cooperative": rng.random() < 0.03,
                "description": f"Usaha {line.category.replace('-', ' ')} di {place.district_name}.",
                "verification_status": status,
                "rejection_reason": (
                    "Dokumen NIB tidak terbaca." if status == VerificationStatus.REJECTED else ""
                ),
                "verified_at": (
                    min(created + timedelta(days=rng.randrange(1, 20)), now - timedelta(hours=3))
                    if status == VerificationStatus.VERIFIED
                    else None
                ),
                "verified_by_id": (
                    s.dinas_officer if status == VerificationStatus.VERIFIED else None
                ),
                "is_active": True,
                "created_at": created,
                "updated_at": created,
            }
        )
        business_lines.append(mine)
        first_scale = rules.classify_scale(
            annual_turnover=start_figures[0], capital=start_figures[1], thresholds=s.thresholds
        )
        history.append(
            {
                "business_index": n,
                "effective_date": registered,
                "annual_turnover": start_figures[0],
                "capital": start_figures[1],
                "employees": start_figures[2],
                "scale": first_scale,
                "previous_scale": "",
                "created_at": created,
            }
        )
        if start_figures != (turnover, capital, employees):
            later = registered + timedelta(days=rng.randrange(60, (ctx.today - registered).days))
            history.append(
                {
                    "business_index": n,
                    "effective_date": later,
                    "annual_turnover": turnover,
                    "capital": capital,
                    "employees": employees,
                    "scale": scale,
                    "previous_scale": first_scale,
                    "created_at": _moment(rng, later),
                }
            )
    _insert(Business, businesses)
    for row in history:
        row["business_id"] = businesses[row.pop("business_index")]["id"]
    _insert(BusinessScaleChange, history)

    certs, product_certs = _certifications(ctx, s, businesses, business_lines)
    products = _products(ctx, s, businesses, business_lines, certs)
    _insert(
        Product.certifications.through,
        [
            {"product_id": products[p]["id"], "certification_id": c}
            for p, c in product_certs(products)
        ],
        with_ids=False,
    )
    _orders(ctx, s, size, businesses, products)
    _coaching(ctx, s, size, businesses)
    _purchases(ctx, s, size, businesses)


STREETS = (
    "Sisingamangaraja",
    "Brigjen Katamso",
    "Gatot Subroto",
    "Setia Budi",
    "Jamin Ginting",
    "Letda Sujono",
    "Karya Wisata",
    "Thamrin",
    "Asia",
    "Pancing",
    "Marelan Raya",
    "Yos Sudarso",
    "Kapten Muslim",
    "Iskandar Muda",
    "Sutomo",
    "Halat",
    "Denai",
    "Gaperta",
    "Pelita",
    "Mawar",
)


def _short_name(full: str) -> str:
    words = full.split()
    first = words[0] if words else "Medan"
    honorific = ("Bu", "Kak", "Mak", "Pak", "Bang", "Wak", "Opung")
    return f"{honorific[len(full) % len(honorific)]} {first}"


def _nib(rng: random.Random, taken: set[str]) -> str:
    while True:
        nib = f"{rng.choice('129')}{rng.randrange(10**11, 10**12):012d}"
        if nib not in taken:
            taken.add(nib)
            return nib


def _certifications(
    ctx: DemoContext, s: Setting, businesses: list[dict[str, Any]], lines: list[list[Line]]
) -> tuple[dict[int, list[int]], Callable[[list[dict[str, Any]]], Iterator[tuple[int, int]]]]:
    """Certificates of food/cosmetic businesses; returns their ids per business index and a
    function pairing products with their business's certificates."""
    rng = ctx.rng_for(f"certificates:{ctx.scale}")
    rows: list[dict[str, Any]] = []
    owner_of: list[int] = []
    for i, (business, mine) in enumerate(zip(businesses, lines, strict=True)):
        codes = mine[0].certs
        for code in codes:
            if code not in s.cert_types or rng.random() > {"pirt": 0.55, "halal": 0.4}.get(
                code, 0.08
            ):
                continue
            raw = _certificate_number(rng, code, business["district_id"])
            info = rules.parse_certificate(code, raw)
            rows.append(
                {
                    "business_id": business["id"],
                    "type_id": s.cert_types[code],
                    "number": info.number,
                    "details": info.details,
                    "expires_on": info.expires_on,
                    "created_at": business["created_at"],
                }
            )
            owner_of.append(i)
    _insert(Certification, rows)
    per_business: dict[int, list[int]] = {}
    for i, row in zip(owner_of, rows, strict=True):
        per_business.setdefault(i, []).append(row["id"])

    def pairs(products: list[dict[str, Any]]) -> Iterator[tuple[int, int]]:
        for p, product in enumerate(products):
            for cert_id in per_business.get(product["_business_index"], ()):
                yield p, cert_id

    return per_business, pairs


def _certificate_number(rng: random.Random, code: str, district_id: str) -> str:
    if code == "halal":
        return f"ID{rng.randrange(10**16, 10**17)}"
    if code == "pirt":
        area = district_id.replace(".", "")[:4]
        expiry = rng.randrange(24, 31)
        return (
            f"P-IRT No. {rng.randrange(1, 9)}{rng.randrange(1, 16):02d}{area}"
            f"{rng.randrange(1, 99):02d}{rng.randrange(1, 9999):04d}-{expiry:02d}"
        )
    if code == "bpom_md":
        return f"MD {rng.randrange(10**11, 10**12)}"
    return f"SNI {rng.randrange(1000, 9999)}:{rng.randrange(2009, 2024)}"


def _products(
    ctx: DemoContext,
    s: Setting,
    businesses: list[dict[str, Any]],
    lines: list[list[Line]],
    certs: dict[int, list[int]],
) -> list[dict[str, Any]]:
    size = _size(ctx)
    rng = ctx.rng_for(f"products:{ctx.scale}")
    per_business = size.products / size.businesses
    products: list[dict[str, Any]] = []
    index_rows: list[tuple[str, str, str]] = []
    for i, business in enumerate(businesses):
        count = max(1, round(rng.triangular(1, per_business * 2 - 1, per_business)))
        if i < len(SPECIALITIES):
            category, name, price, unit = SPECIALITIES[i]
            _add_product(
                rng,
                s,
                products,
                index_rows,
                business,
                i,
                category,
                name,
                price,
                unit,
                500,
                special=True,
            )
            count -= 1
        short = business["name"].split()[-1]
        for _ in range(count):
            line = rng.choice(lines[i])
            base, variants = rng.choice(line.bases)
            label, unit, grams, factor = rng.choice(line.sizes)
            words = [base, rng.choice(variants)]
            if label:
                words.append(label)
            if rng.random() < 0.15:
                words.insert(1, short)
            low, high = line.price
            price = int(rng.randrange(low, high) * factor) // 500 * 500 or 1000
            _add_product(
                rng,
                s,
                products,
                index_rows,
                business,
                i,
                line.category,
                " ".join(words),
                price,
                unit,
                grams,
            )
    _insert(Product, products)
    if connection.vendor == "postgresql":
        _fill_vectors([p["id"] for p in products], index_rows)
    return products


def _add_product(
    rng: random.Random,
    s: Setting,
    products: list[dict[str, Any]],
    index_rows: list[tuple[str, str, str]],
    business: dict[str, Any],
    index: int,
    category_slug: str,
    name: str,
    price: int,
    unit: str,
    grams: int,
    *,
    special: bool = False,
) -> None:
    category = s.categories[category_slug]
    line = next((x for x in LINES if x.category == category_slug), LINES[0])
    created = business["created_at"] + timedelta(days=rng.randrange(1, 200))
    now = timezone.now()
    created = min(created, now - timedelta(days=1))
    if business["verification_status"] != VerificationStatus.VERIFIED:
        status = rng.choice([ProductStatus.DRAFT, ProductStatus.PENDING])
    elif special:
        status = ProductStatus.LISTED
    else:
        status = rng.choices(
            [
                ProductStatus.LISTED,
                ProductStatus.PENDING,
                ProductStatus.DRAFT,
                ProductStatus.DELISTED,
            ],
            [86, 6, 3, 5],
        )[0]
    description = rng.choice(DESCRIPTIONS).format(
        base=name.split(" ")[0] + " " + " ".join(name.split(" ")[1:3]),
        shop=business["name"],
        days=rng.randrange(3, 30),
        district="Medan",
    )
    tags = line.tags
    products.append(
        {
            "public_id": _uuid(rng),
            "business_id": business["id"],
            "category_id": category.pk,
            "name": name,
            "description": description,
            "price": price,
            "stock": rng.randrange(0, 300) if rng.random() > 0.04 else 0,
            "minimum_order": 1 if rng.random() < 0.85 else rng.choice([2, 5, 10]),
            "unit": unit,
            "weight_grams": grams,
            "tags": tags,
            "status": status,
            "in_national_catalogue": status == ProductStatus.LISTED and rng.random() < 0.12,
            "status_reason": "Foto produk kurang jelas."
            if status == ProductStatus.DELISTED
            else "",
            "listed_at": (
                created + timedelta(hours=rng.randrange(2, 96))
                if status in (ProductStatus.LISTED, ProductStatus.DELISTED)
                else None
            ),
            "created_at": created,
            "updated_at": created,
            "_business_index": index,
        }
    )
    names = [category.name]
    if category.parent_id is not None:
        names.append(s.parent_names[category.parent_id])
    text_name = normalize_text(name, s.synonyms)
    keywords = normalize_text(" ".join([*names, tags]), s.synonyms)
    body = normalize_text(description, s.synonyms)
    products[-1]["search_name"] = f" {text_name} "[:300]
    products[-1]["search_text"] = " " + " ".join(x for x in (text_name, keywords, body) if x) + " "
    index_rows.append((text_name, keywords, body))


def _fill_vectors(ids: list[int], index_rows: list[tuple[str, str, str]]) -> None:
    """The weighted tsvector of each product, as ``search.product_index_update`` builds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS umkm_demo_index "
            "(id bigint PRIMARY KEY, a text, b text, c text)"
        )
        cursor.execute("TRUNCATE umkm_demo_index")
        with cursor.cursor.copy("COPY umkm_demo_index (id, a, b, c) FROM STDIN") as copy:
            for pk, (a, b, c) in zip(ids, index_rows, strict=True):
                copy.write_row((pk, a, b, c))
        config = SEARCH_CONFIG
        cursor.execute(
            "UPDATE umkm_product p SET search_vector = "
            "setweight(to_tsvector(%s::regconfig, COALESCE(s.a, '')), 'A') || "
            "setweight(to_tsvector(%s::regconfig, COALESCE(s.b, '')), 'B') || "
            "setweight(to_tsvector(%s::regconfig, COALESCE(s.c, '')), 'C') || "
            "setweight(to_tsvector(%s::regconfig, COALESCE(s.a, '')), 'A') "
            "FROM umkm_demo_index s WHERE p.id = s.id",
            [config, config, config, NAME_WORDS_CONFIG],
        )
        cursor.execute("DROP TABLE umkm_demo_index")


# --- Orders and reviews ------------------------------------------------------------------------

ORDER_STATUS_WEIGHTS = (
    (OrderStatus.COMPLETED, 62),
    (OrderStatus.DECLINED, 6),
    (OrderStatus.CANCELLED, 6),
    (OrderStatus.EXPIRED, 5),
    (OrderStatus.SHIPPED, 5),
    (OrderStatus.PROCESSING, 5),
    (OrderStatus.ACCEPTED, 5),
    (OrderStatus.SUBMITTED, 6),
)


def _working_days_after(start: datetime, days: int) -> datetime:
    at = start
    while days:
        at += timedelta(days=1)
        if at.astimezone(WIB).weekday() < 5:
            days -= 1
    return at


def _buyers(ctx: DemoContext, size: Size) -> list[int]:
    rng = ctx.rng_for(f"buyers:{ctx.scale}")
    password = ctx.password_hash()
    now = timezone.now()
    ctx.bulk_create(
        User,
        (
            User(
                email=ctx.demo_email(f"{BUYER_PREFIX}.{ctx.scale}.{n:05d}"),
                full_name=person_name(rng),
                role=Role.CITIZEN,
                password=password,
                date_joined=now,
                email_verified_at=now,
            )
            for n in range(1, size.buyers + 1)
        ),
        ignore_conflicts=True,
    )
    buyers = list(
        User.objects.filter(email__startswith=f"{BUYER_PREFIX}.{ctx.scale}.")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    warga = User.objects.filter(email=ctx.demo_email("warga")).values_list("pk", flat=True).first()
    return ([warga] if warga else []) + buyers


def _orders(
    ctx: DemoContext,
    s: Setting,
    size: Size,
    businesses: list[dict[str, Any]],
    products: list[dict[str, Any]],
) -> None:
    rng = ctx.rng_for(f"orders:{ctx.scale}")
    buyers = _buyers(ctx, size)
    # Some buyers are civil servants with a NIP (the ASN market).
    asn = set(buyers[1 : 1 + max(2, len(buyers) // 5)])
    existing_profiles = set(
        BuyerProfile.objects.filter(user_id__in=asn).values_list("user_id", flat=True)
    )
    profiles = []
    nips = ctx.rng_for(f"nip:{ctx.scale}")  # its own stream: skipped profiles change nothing else
    for user_id in sorted(asn - existing_profiles):
        born = date(1965, 1, 1) + timedelta(days=nips.randrange(365 * 35))
        appointed = born.year + nips.randrange(22, 30)
        serial = f"{nips.randrange(1, 13):02d}{nips.choice('12')}{nips.randrange(1, 999):03d}"
        nip = f"{born:%Y%m%d}{appointed}{serial}"
        profiles.append(
            BuyerProfile(
                user_id=user_id, nip=nip, agency_id=nips.choice(s.agencies) if s.agencies else None
            )
        )
    ctx.bulk_create(BuyerProfile, profiles)

    listed: dict[int, list[int]] = {}
    for p, product in enumerate(products):
        if product["status"] in (ProductStatus.LISTED, ProductStatus.DELISTED):
            listed.setdefault(product["_business_index"], []).append(p)
    sellers = sorted(listed)
    if not sellers or not buyers:
        return
    taken = set(Order.objects.values_list("reference", flat=True))
    statuses = [st for st, _w in ORDER_STATUS_WEIGHTS]
    weights = [w for _st, w in ORDER_STATUS_WEIGHTS]
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    now = timezone.now()
    for n in range(size.orders):
        seller = rng.choice(sellers) if n >= len(statuses) else sellers[n % len(sellers)]
        business = businesses[seller]
        buyer = buyers[n % len(buyers)] if n < 12 else rng.choice(buyers)
        status = statuses[n] if n < len(statuses) else rng.choices(statuses, weights)[0]
        earliest = max(
            business["verified_at"] or business["created_at"],
            now - timedelta(days=365 * ctx.size.years),
        )
        spread = max(1.0, (now - earliest).total_seconds() - 86400 * 2)
        created = earliest + timedelta(seconds=spread * rng.random() ** 0.7)
        open_status = status in (
            OrderStatus.SUBMITTED,
            OrderStatus.ACCEPTED,
            OrderStatus.PROCESSING,
            OrderStatus.SHIPPED,
        )
        if open_status:
            created = now - timedelta(hours=rng.randrange(2, 48))
        respond_by = _working_days_after(created, 3)
        chosen = rng.sample(listed[seller], k=min(len(listed[seller]), rng.choice([1, 1, 1, 2, 3])))
        total = 0
        order_index = len(orders)
        for p in chosen:
            product = products[p]
            quantity = max(product["minimum_order"], rng.choice([1, 1, 2, 3, 5, 10]))
            total += quantity * product["price"]
            lines.append(
                {
                    "_order_index": order_index,
                    "product_id": product["id"],
                    "product_name": product["name"],
                    "quantity": quantity,
                    "unit_price": product["price"],
                }
            )
        orders.append(
            {
                "public_id": _uuid(rng),
                "reference": _reference(rng, taken),
                "group": _uuid(rng),
                "buyer_id": buyer,
                "business_id": business["id"],
                "market": Market.ASN if buyer in asn and rng.random() < 0.5 else Market.PUBLIC,
                "status": status,
                "total": total,
                "note": "" if rng.random() < 0.7 else "Mohon dikemas rapi, untuk oleh-oleh.",
                "decline_reason": "Stok sedang kosong." if status == OrderStatus.DECLINED else "",
                "respond_by": respond_by,
                "created_at": created,
                "updated_at": created,
                "completed_at": (
                    created + timedelta(days=rng.randrange(2, 10))
                    if status == OrderStatus.COMPLETED
                    else None
                ),
            }
        )
    _insert(Order, orders)
    for line in lines:
        order = orders[line.pop("_order_index")]
        line["order_id"] = order["id"]
        line["_status"] = order["status"]
        line["_buyer"] = order["buyer_id"]
        line["_at"] = order["completed_at"]
    _insert(OrderLine, lines)
    reviews = []
    for line in lines:
        if line["_status"] != OrderStatus.COMPLETED or rng.random() > 0.35:
            continue
        review_status = rng.choices(
            [ReviewStatus.APPROVED, ReviewStatus.PENDING, ReviewStatus.REJECTED], [80, 15, 5]
        )[0]
        at = line["_at"] + timedelta(days=rng.randrange(0, 5))
        reviews.append(
            {
                "order_line_id": line["id"],
                "product_id": line["product_id"],
                "author_id": line["_buyer"],
                "rating": rng.choices([5, 4, 3, 2, 1], [50, 30, 12, 5, 3])[0],
                "text": rng.choice(REVIEW_TEXTS),
                "status": review_status,
                "moderated_by_id": (
                    s.dinas_officer if review_status != ReviewStatus.PENDING else None
                ),
                "moderated_at": (
                    at + timedelta(days=1) if review_status != ReviewStatus.PENDING else None
                ),
                "created_at": at,
            }
        )
    _insert(Review, reviews)


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH))
        reference = f"UMK-{body[:GROUP_LENGTH]}-{body[GROUP_LENGTH:]}"
        if reference not in taken:
            taken.add(reference)
            return reference


# --- Coaching and government purchases ---------------------------------------------------------


def _coaching(ctx: DemoContext, s: Setting, size: Size, businesses: list[dict[str, Any]]) -> None:
    rng = ctx.rng_for(f"coaching:{ctx.scale}")
    first = ctx.today - timedelta(days=365 * ctx.size.years)
    span = (ctx.today - first).days
    programmes: list[dict[str, Any]] = []
    types = list(PROGRAMME_NAMES)
    for n in range(size.programmes):
        kind = types[n % len(types)]
        start = first + timedelta(days=int(span * (n + rng.random()) / size.programmes))
        start = min(start, ctx.today + timedelta(days=30))
        programmes.append(
            {
                "name": f"{rng.choice(PROGRAMME_NAMES[kind])} {start.year} #{n + 1}",
                "type": kind,
                "description": "Program pembinaan UMKM Dinas Koperasi dan UKM Kota Medan.",
                "start_date": start,
                "end_date": start + timedelta(days=rng.randrange(1, 60)),
                "quota": rng.choice([0, 30, 50, 100]),
                "location": rng.choice(
                    [
                        "Aula Dinas KUKMPP",
                        "Lapangan Merdeka",
                        "Hotel Grand Mercure",
                        "Daring (Zoom)",
                    ]
                ),
                "created_by_id": s.dinas_officer,
                "created_at": _moment(rng, start - timedelta(days=14)),
            }
        )
    _insert(Programme, programmes)
    verified = [
        i
        for i, b in enumerate(businesses)
        if b["verification_status"] == VerificationStatus.VERIFIED
    ]
    if not verified:
        return
    seen: set[tuple[int, int]] = set()
    enrolments = []
    milestones: dict[tuple[int, str], dict[str, Any]] = {}
    for _ in range(size.enrolments):
        p = rng.randrange(len(programmes))
        b = rng.choice(verified)
        if (p, b) in seen:
            continue
        seen.add((p, b))
        programme = programmes[p]
        finished = programme["end_date"] < ctx.today
        status = (
            rng.choices(
                [
                    EnrolmentStatus.COMPLETED,
                    EnrolmentStatus.ATTENDED,
                    EnrolmentStatus.ABSENT,
                    EnrolmentStatus.WITHDRAWN,
                ],
                [60, 20, 12, 8],
            )[0]
            if finished
            else EnrolmentStatus.ENROLLED
        )
        enrolments.append(
            {
                "programme_id": programme["id"],
                "business_id": businesses[b]["id"],
                "status": status,
                "sessions_attended": rng.randrange(1, 6)
                if status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.ATTENDED)
                else 0,
                "outcome": "Lulus dan menerapkan materi."
                if status == EnrolmentStatus.COMPLETED
                else "",
                "enrolled_at": _moment(rng, programme["start_date"] - timedelta(days=7)),
                "updated_at": _moment(rng, programme["end_date"]),
            }
        )
        if status == EnrolmentStatus.COMPLETED:
            stage = STAGE_OF[programme["type"]]
            key = (b, stage)
            if key not in milestones:
                milestones[key] = {
                    "business_id": businesses[b]["id"],
                    "stage": stage,
                    "reached_on": programme["end_date"],
                    "note": f"Setelah mengikuti {programme['name']}.",
                    "programme_id": programme["id"],
                    "recorded_by_id": s.dinas_officer,
                    "created_at": _moment(rng, programme["end_date"]),
                }
    _insert(Enrolment, enrolments)
    # Businesses further along the journey have the earlier stages too (dated before).
    for (b, stage), row in list(milestones.items()):
        for earlier in JOURNEY_ORDER[: JOURNEY_ORDER.index(stage)]:
            if (b, earlier) not in milestones and rng.random() < 0.6:
                day = row["reached_on"] - timedelta(days=rng.randrange(30, 400))
                milestones[(b, earlier)] = {
                    "business_id": businesses[b]["id"],
                    "stage": earlier,
                    "reached_on": day,
                    "note": "",
                    "programme_id": None,
                    "recorded_by_id": s.dinas_officer,
                    "created_at": _moment(rng, max(day, ctx.today - timedelta(days=1))),
                }
    _insert(JourneyMilestone, list(milestones.values()))


def _purchases(ctx: DemoContext, s: Setting, size: Size, businesses: list[dict[str, Any]]) -> None:
    if not s.agencies:
        return
    rng = ctx.rng_for(f"purchases:{ctx.scale}")
    agencies = rng.sample(s.agencies, k=min(len(s.agencies), 12 if ctx.is_small else 40))
    verified = [b for b in businesses if b["verification_status"] == VerificationStatus.VERIFIED]
    first = ctx.today - timedelta(days=365 * max(2, ctx.size.years))
    span = (ctx.today - first).days - 1
    rows = []
    for _ in range(size.purchases):
        day = first + timedelta(days=rng.randrange(span))
        umkm = rng.random() < 0.55 and verified
        business = rng.choice(verified) if umkm else None
        kind = PurchaseKind.SERVICES if rng.random() < 0.25 else PurchaseKind.GOODS
        amount = (
            rng.randrange(5, 2_000) * 100_000 if business else rng.randrange(50, 20_000) * 100_000
        )
        rows.append(
            {
                "agency_id": rng.choice(agencies),
                "purchase_date": day,
                "year": day.year,
                "business_id": business["id"] if business else None,
                "supplier_name": business["name"] if business else rng.choice(SUPPLIERS_NOT_UMK),
                "amount": amount,
                "kind": kind,
                "description": rng.choice(
                    [
                        "Makan minum rapat",
                        "Seragam dinas",
                        "Sepatu PDH",
                        "ATK",
                        "Suvenir tamu",
                        "Konsumsi kegiatan",
                    ]
                ),
                "is_umk_or_cooperative": bool(
                    business and (business["scale"] in UMK_SCALES or business["is_cooperative"])
                ),
                "is_domestic_product": rng.random() < 0.9,
                "order_id": None,
                "recorded_by_id": s.dinas_officer,
                "created_at": _moment(rng, day),
            }
        )
    _insert(GovernmentPurchase, rows)


# --- Writing -----------------------------------------------------------------------------------


@cache
def _defaults(model: type[Model]) -> dict[str, Any]:
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


@contextmanager
def _dates_as_given(model: type[Model]) -> Iterator[None]:
    """bulk_create would overwrite auto_now/auto_now_add dates with "now"."""
    fields = [f for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _insert(model: type[Model], rows: list[dict[str, Any]], *, with_ids: bool = True) -> None:
    """Writes ``rows`` (attname -> value; keys starting with ``_`` are ignored) and sets
    ``row["id"]``. COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    now = timezone.now()
    defaults = _defaults(model)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    attnames = [f.attname for f in fields]
    full = []
    for row in rows:
        values = {**defaults, **{k: v for k, v in row.items() if not k.startswith("_")}}
        for f in fields:
            if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add):
                values.setdefault(f.attname, now)
                if values[f.attname] is None:
                    values[f.attname] = now
        values.pop("id", None)
        full.append(values)
    if connection.vendor == "postgresql":
        if with_ids:
            table = model._meta.db_table
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, len(rows)],
                )
                for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                    row["id"] = pk
        converters: list[Callable[[Any], Any] | None] = []
        for f in fields:
            if isinstance(f, JSONField):
                converters.append(json.dumps)
            elif isinstance(f, EncryptedTextField):
                converters.append(f.get_prep_value)
            else:
                converters.append(None)
        names = (["id"] if with_ids else []) + attnames
        _copy(
            model,
            names,
            (
                ((row["id"],) if with_ids else ())
                + tuple(
                    values[a] if conv is None else conv(values[a])
                    for a, conv in zip(attnames, converters, strict=True)
                )
                for row, values in zip(rows, full, strict=True)
            ),
        )
        return
    objs = [model(**values) for values in full]
    with _dates_as_given(model):
        model._default_manager.bulk_create(objs, batch_size=500)
    for row, obj in zip(rows, objs, strict=True):
        row["id"] = obj.pk


def _copy(model: type[Model], attnames: Sequence[str], rows: Iterator[tuple[Any, ...]]) -> None:
    meta = model._meta
    column_of = {f.attname: str(f.column) for f in meta.concrete_fields}
    columns = sql.SQL(", ").join([sql.Identifier(column_of[a]) for a in attnames])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(meta.db_table), columns)
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


register_generator(GENERATOR_NAME, 120, demo_umkm)

__all__ = ["LINES", "SIZES", "SPECIALITIES", "demo_umkm"]
