"""Demo complaints: ~200 at ``--scale small``, ~500,000 over five years at ``medan-5y``.

One chronological pass in bulk batches, deterministic for a seed. Each report gets a plausible
life: received, verified and/or disposed to the agency that the routing rules name, first
response, resolution, the citizen's confirmation or the automatic close, ratings; some are
rejected (spam, duplicates linked to the original, not the city's authority) and some are still
open, the more recent the more likely. The timeline (``ComplaintEvent``) has a row for every
step, the SLA clock fields match the current stage and ``sla_due_at`` is computed from a
precomputed table of working days (``core.calendar`` is per call, too slow for millions).

Points: there are no kelurahan polygons, so every kelurahan gets a deterministic spot around its
kecamatan's approximate centre (known for Kota Medan, else a grid over the city's bounding
box) and a report is jittered around its kelurahan's spot, inside the box; ``district`` and
``village`` are therefore always consistent.

Re-running is a no-op for a scale that was generated (the rows carry the idempotency key
``demo-<scale>-<n>``). References are drawn from the seeded random source in the alphabet and
format of ``core.reference_numbers`` (so the data is repeatable), unique against the database
and the batch.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from functools import cache
from itertools import accumulate
from types import SimpleNamespace

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import JSONField, Model
from django.utils import timezone
from psycopg import sql

from kotapintar.accounts.models import User
from kotapintar.accounts.roles import Role
from kotapintar.agencies.models import Agency
from kotapintar.complaints.models import (
    Category,
    CategoryQuestion,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintFollower,
    ComplaintPolicy,
    EventKind,
    Priority,
    Privacy,
    QuestionType,
    RejectionReason,
    RoutingRule,
    SlaStage,
    Status,
)
from kotapintar.core.calendar import non_working_days
from kotapintar.core.demo.names import person_name
from kotapintar.core.demo.registry import (
    DEMO_EMAIL_DOMAIN,
    DemoContext,
    DemoDataError,
    register_generator,
)
from kotapintar.core.fields import EncryptedTextField
from kotapintar.core.reference_numbers import ALPHABET, BODY_LENGTH, GROUP_LENGTH
from kotapintar.regions.models import District, Village

GENERATOR_NAME = "complaints"
REFERENCE_PREFIX = "ADU"
KEY_PREFIX = "demo"
#: Reports per scale; another (test) scale gets ten per bulk citizen, at least 200.
COUNTS = {"small": 200, "medan-5y": 500_000}
#: How many reports the fixed demo citizen ("warga@...") files, whatever the scale.
DEMO_CITIZEN_REPORTS = 12
SUPPORTED_SHARE = 0.08  # public reports that other citizens support
CHUNK = 5000  # reports generated and written per round (events follow their reports)

WIB = dt_timezone(timedelta(hours=7))  # Asia/Jakarta has no daylight saving time

# --- Places ----------------------------------------------------------------------------------

#: Approximate centres (lat, lon) and spread (degrees) of Kota Medan's kecamatan, by name.
MEDAN_DISTRICTS: dict[str, tuple[float, float, float]] = {
    "medan kota": (3.5740, 98.6900, 0.008),
    "medan sunggal": (3.5850, 98.6240, 0.012),
    "medan helvetia": (3.6100, 98.6350, 0.012),
    "medan denai": (3.5690, 98.7130, 0.010),
    "medan barat": (3.6060, 98.6720, 0.009),
    "medan deli": (3.6680, 98.6820, 0.018),
    "medan tuntungan": (3.5050, 98.6300, 0.018),
    "medan belawan": (3.7650, 98.6880, 0.018),
    "medan amplas": (3.5420, 98.7120, 0.011),
    "medan area": (3.5830, 98.7000, 0.008),
    "medan johor": (3.5300, 98.6650, 0.014),
    "medan marelan": (3.7080, 98.6550, 0.018),
    "medan labuhan": (3.7200, 98.6950, 0.018),
    "medan tembung": (3.5960, 98.7250, 0.010),
    "medan maimun": (3.5800, 98.6810, 0.005),
    "medan polonia": (3.5650, 98.6680, 0.008),
    "medan baru": (3.5780, 98.6600, 0.007),
    "medan perjuangan": (3.6060, 98.6960, 0.007),
    "medan petisah": (3.5910, 98.6640, 0.007),
    "medan timur": (3.6060, 98.6860, 0.008),
    "medan selayang": (3.5550, 98.6400, 0.012),
}

#: Well-known streets per kecamatan (for addresses and titles); others use GENERIC_STREETS.
MEDAN_STREETS: dict[str, tuple[str, ...]] = {
    "medan kota": ("Jl. Sisingamangaraja", "Jl. Brigjen Katamso", "Jl. Halat", "Jl. Amaliun"),
    "medan sunggal": ("Jl. Gatot Subroto", "Jl. Sunggal", "Jl. Pinang Baris", "Jl. PDAM Tirtanadi"),
    "medan helvetia": ("Jl. Kapten Sumarsono", "Jl. Kemuning", "Jl. Asrama", "Jl. Gaperta"),
    "medan denai": ("Jl. Denai", "Jl. Menteng Raya", "Jl. Tuasan", "Jl. Rawa Cangkuk"),
    "medan barat": ("Jl. Putri Hijau", "Jl. Karantina", "Jl. Glugur", "Jl. Kapten Maulana Lubis"),
    "medan deli": (
        "Jl. Yos Sudarso",
        "Jl. Titi Papan",
        "Jl. Kapten Rahmad Buddin",
        "Jl. Tanjung Mulia",
    ),
    "medan tuntungan": ("Jl. Jamin Ginting", "Jl. Bunga Wijaya Kesuma", "Jl. Flamboyan Raya"),
    "medan belawan": ("Jl. Pelabuhan Raya", "Jl. Sumatera", "Jl. Veteran", "Jl. Selebes"),
    "medan amplas": (
        "Jl. Sisingamangaraja KM 6",
        "Jl. Garu II",
        "Jl. Pertahanan",
        "Jl. Panglima Denai",
    ),
    "medan area": ("Jl. Thamrin", "Jl. Asia", "Jl. Sutrisno", "Jl. Sukaramai"),
    "medan johor": (
        "Jl. Karya Wisata",
        "Jl. Karya Jaya",
        "Jl. Eka Rasmi",
        "Jl. Brigjen Zein Hamid",
    ),
    "medan marelan": ("Jl. Marelan Raya", "Jl. Kapten Rahmad Buddin", "Jl. Paya Pasir"),
    "medan labuhan": ("Jl. KL Yos Sudarso", "Jl. Pancing", "Jl. Kolonel Yos Sudarso Lorong"),
    "medan tembung": ("Jl. Letda Sujono", "Jl. William Iskandar", "Jl. Pukat", "Jl. Bhayangkara"),
    "medan maimun": ("Jl. Brigjen Katamso", "Jl. Masjid Raya", "Jl. Sultan Makmun Al Rasyid"),
    "medan polonia": ("Jl. Imam Bonjol", "Jl. Polonia", "Jl. Sudirman", "Jl. Monginsidi"),
    "medan baru": ("Jl. Dr. Mansyur", "Jl. Iskandar Muda", "Jl. Sei Batang Hari", "Jl. Darussalam"),
    "medan perjuangan": (
        "Jl. Pahlawan",
        "Jl. Sentosa Lama",
        "Jl. Prof. HM Yamin",
        "Jl. Perjuangan",
    ),
    "medan petisah": ("Jl. Gatot Subroto", "Jl. Nibung Raya", "Jl. Rotan", "Jl. Kota Baru"),
    "medan timur": ("Jl. Gaharu", "Jl. Bambu", "Jl. Pasar III", "Jl. Gajah Mada"),
    "medan selayang": (
        "Jl. Setia Budi",
        "Jl. Ngumban Surbakti",
        "Jl. Harmonika",
        "Jl. Abdul Hakim",
    ),
}
GENERIC_STREETS = (
    "Jl. Pendidikan",
    "Jl. Mawar",
    "Jl. Melati",
    "Jl. Merdeka",
    "Jl. Pelita",
    "Jl. Bakti",
    "Jl. Karya",
    "Jl. Sejahtera",
)
LANDMARKS = (
    "depan masjid",
    "dekat sekolah dasar",
    "samping warung kopi",
    "depan gereja",
    "dekat pasar",
    "simpang lampu merah",
    "depan kantor lurah",
    "dekat puskesmas",
    "ujung gang",
    "depan minimarket",
)


@dataclass(frozen=True)
class Place:
    district_id: str
    village_id: str | None
    village_name: str
    district_name: str
    lat: float
    lon: float
    spread: float
    streets: tuple[str, ...]


def _city_box() -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of the deployment city (seeded box, Medan default)."""
    from kotapintar.regions.models import BoundaryLevel, RegionBoundary

    row = (
        RegionBoundary.objects.filter(
            regency_id=settings.KOTAPINTAR_REGION_CODE, level=BoundaryLevel.CITY
        )
        .values_list("min_lat", "max_lat", "min_lon", "max_lon")
        .first()
    )
    return row if row else (3.48, 3.80, 98.58, 98.75)


def _places() -> list[Place]:
    """One place per kelurahan (or per kecamatan without kelurahan) of the deployment city."""
    districts = list(
        District.objects.filter(regency_id=settings.KOTAPINTAR_REGION_CODE).order_by("code")
    )
    if not districts:
        raise DemoDataError(
            "No kecamatan for the deployment city: run `python manage.py load_reference_data`."
        )
    min_lat, max_lat, min_lon, max_lon = _city_box()
    villages: dict[str, list[Village]] = {}
    for village in Village.objects.filter(district__in=districts).order_by("code"):
        villages.setdefault(village.district_id, []).append(village)
    # Kecamatan whose centre is unknown share a grid laid over the city's box.
    unknown = [d for d in districts if d.name.lower() not in MEDAN_DISTRICTS]
    cols = max(1, math.ceil(math.sqrt(len(unknown))))
    rows = max(1, math.ceil(len(unknown) / cols))
    cell_lat, cell_lon = (max_lat - min_lat) / rows, (max_lon - min_lon) / cols
    places = []
    for district in districts:
        key = district.name.lower()
        if key in MEDAN_DISTRICTS:
            lat, lon, spread = MEDAN_DISTRICTS[key]
        else:
            i = unknown.index(district)
            lat = min_lat + (i // cols + 0.5) * cell_lat
            lon = min_lon + (i % cols + 0.5) * cell_lon
            spread = min(cell_lat, cell_lon) / 2.5
        streets = MEDAN_STREETS.get(key, GENERIC_STREETS)
        members = villages.get(district.code, [])
        if not members:
            places.append(Place(district.code, None, "", district.name, lat, lon, spread, streets))
            continue
        # A sunflower spread: kelurahan evenly around the centre, always the same spots.
        for i, village in enumerate(members):
            radius = spread * math.sqrt((i + 0.5) / len(members))
            angle = i * 2.399963  # golden angle (radians)
            places.append(
                Place(
                    district.code,
                    village.code,
                    village.name,
                    district.name,
                    lat + radius * math.sin(angle),
                    lon + radius * math.cos(angle),
                    spread / math.sqrt(len(members)) / 2,
                    streets,
                )
            )
    return places


# --- Texts per kind of problem ---------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    keywords: tuple[str, ...]
    weight: float
    titles: tuple[str, ...]
    details: tuple[str, ...]
    responses: tuple[str, ...]
    resolutions: tuple[str, ...]
    rainy: float = 1.0  # weight factor in the rainy season (September to December)


THEMES: dict[str, Theme] = {
    "jalan": Theme(
        ("jalan", "trotoar", "jembatan"),
        18,
        (
            "Jalan berlubang di {street}",
            "Lubang besar di {street} {landmark}",
            "Aspal {street} rusak parah",
            "Jalan amblas di {street}",
            "Trotoar {street} rusak dan berlubang",
        ),
        (
            "Ada lubang cukup dalam di badan jalan, sudah {duration}.",
            "Kalau hujan lubangnya tergenang dan tak kelihatan; sudah ada pengendara motor jatuh.",
            "Aspal mengelupas sepanjang kira-kira {meters} meter.",
            "Kendaraan harus menghindar ke jalur lawan, rawan tabrakan.",
        ),
        (
            "Tim UPT Jalan dan Jembatan akan meninjau lokasi minggu ini.",
            "Laporan sudah kami teruskan ke tim pemeliharaan jalan wilayah {district}.",
        ),
        (
            "Lubang sudah ditambal dengan aspal oleh tim pemeliharaan jalan.",
            "Perbaikan badan jalan sepanjang {meters} meter sudah selesai dikerjakan.",
        ),
    ),
    "sampah": Theme(
        ("sampah", "kebersihan"),
        16,
        (
            "Sampah menumpuk di {street}",
            "Tumpukan sampah {landmark} di {street}",
            "Sampah tidak diangkut di Kel. {village}",
            "TPS liar di {street}",
        ),
        (
            "Sampah sudah menumpuk {duration} dan tidak diangkut petugas.",
            "Baunya sangat menyengat dan mulai banyak lalat.",
            "Warga sekitar membuang sampah di pinggir jalan karena tidak ada TPS.",
            "Sampah sampai menutupi sebagian badan jalan.",
        ),
        (
            "Petugas kebersihan kecamatan {district} sudah dijadwalkan mengangkut sampah.",
            "Kami koordinasikan dengan kepala lingkungan setempat.",
        ),
        (
            "Sampah sudah diangkut dan lokasi dibersihkan.",
            "Sampah sudah diangkut; jadwal pengangkutan ditambah menjadi dua kali seminggu.",
        ),
    ),
    "lampu_lalin": Theme(
        ("lalu lintas", "lalu-lintas", "rambu", "traffic"),
        4,
        (
            "Lampu lalu lintas mati di simpang {street}",
            "Rambu lalu lintas roboh di {street}",
            "Lampu merah {street} tidak berfungsi",
        ),
        (
            "Lampu lalu lintas mati {duration}, persimpangan jadi macet dan semrawut.",
            "Rambu tertutup dahan pohon sehingga tidak terlihat pengendara.",
        ),
        ("Tim Dinas Perhubungan akan memeriksa kontroler lampu.",),
        (
            "Lampu lalu lintas sudah diperbaiki dan berfungsi kembali.",
            "Rambu sudah dipasang ulang.",
        ),
    ),
    "lampu": Theme(
        ("lampu", "penerangan", "pju"),
        10,
        (
            "Lampu jalan mati di {street}",
            "Lampu PJU padam {landmark} di {street}",
            "Penerangan jalan rusak di Kel. {village}",
        ),
        (
            "Sudah {duration} lampu jalan mati, malam hari gelap sekali.",
            "Ada {count} tiang lampu yang padam berturut-turut.",
            "Jalan gelap jadi rawan begal dan kecelakaan.",
        ),
        ("Petugas penerangan jalan umum akan memeriksa jaringan di lokasi.",),
        (
            "Lampu sudah diganti dan menyala kembali.",
            "Kabel yang putus sudah disambung, lampu menyala.",
        ),
    ),
    "banjir": Theme(
        ("banjir", "genangan"),
        9,
        (
            "Banjir di {street} setiap hujan",
            "Genangan air tinggi di {street}",
            "Banjir masuk rumah warga di Kel. {village}",
        ),
        (
            "Setiap hujan deras air naik sampai {cm} cm dan lama surutnya.",
            "Air masuk ke rumah warga dan kendaraan mogok.",
            "Sudah {duration} kejadian ini berulang.",
        ),
        ("Tim akan menelusuri aliran air dan saluran di sekitar lokasi.",),
        (
            "Saluran di sekitar lokasi sudah dikeruk, aliran air lancar kembali.",
            "Pompa air sudah dipasang dan gorong-gorong diperlebar.",
        ),
        rainy=2.5,
    ),
    "drainase": Theme(
        ("drainase", "parit", "saluran", "gorong"),
        12,
        (
            "Drainase tersumbat di {street}",
            "Parit penuh lumpur {landmark} di {street}",
            "Saluran air tersumbat sampah di Kel. {village}",
            "Gorong-gorong rusak di {street}",
        ),
        (
            "Parit tersumbat lumpur dan sampah, air tidak mengalir.",
            "Airnya meluap ke jalan kalau hujan sebentar saja.",
            "Bau tidak sedap dan banyak nyamuk.",
        ),
        ("Tim pemeliharaan drainase akan meninjau lokasi.",),
        ("Parit sudah dikorek dan sampahnya diangkut.", "Tutup parit yang rusak sudah diganti."),
        rainy=2.0,
    ),
    "pelayanan": Theme(
        ("pelayanan", "layanan", "pungli", "aparatur"),
        7,
        (
            "Pelayanan lambat di kantor {office}",
            "Antrean panjang di kantor {office}",
            "Petugas {office} tidak ramah",
            "Diminta biaya tambahan di kantor {office}",
        ),
        (
            "Saya datang pukul 08.00 tapi baru dilayani siang hari.",
            "Berkas saya sudah {duration} belum selesai tanpa kejelasan.",
            "Tidak ada informasi antrean dan petugas sering tidak di tempat.",
        ),
        ("Laporan sudah kami sampaikan kepada pimpinan unit layanan untuk ditindaklanjuti.",),
        (
            "Pimpinan unit sudah memberi teguran dan menambah petugas loket.",
            "Berkas pelapor sudah selesai diproses; sistem antrean diperbaiki.",
        ),
    ),
    "parkir": Theme(
        ("parkir",),
        5,
        ("Parkir liar di {street}", "Juru parkir liar {landmark} di {street}"),
        (
            "Kendaraan parkir di badan jalan sampai dua lapis, jalan jadi macet.",
            "Juru parkir meminta tarif di atas ketentuan.",
        ),
        ("Tim akan melakukan penertiban di lokasi.",),
        ("Penertiban sudah dilakukan bersama petugas Dinas Perhubungan.",),
    ),
    "pkl": Theme(
        ("pedagang", "pkl"),
        5,
        ("Pedagang kaki lima menutup trotoar {street}", "Lapak liar di {street}"),
        (
            "Trotoar dipakai berjualan sehingga pejalan kaki turun ke jalan.",
            "Lapak berdiri sampai malam dan menimbulkan sampah.",
        ),
        ("Satpol PP akan melakukan sosialisasi dan penertiban.",),
        ("Lapak sudah ditertibkan dan pedagang diarahkan ke lokasi binaan.",),
    ),
    "pohon": Theme(
        ("pohon", "taman", "ruang terbuka"),
        4,
        (
            "Pohon tumbang di {street}",
            "Dahan pohon rawan patah di {street}",
            "Taman {village} tidak terawat",
        ),
        (
            "Dahan besar sudah miring ke arah kabel listrik.",
            "Pohon tumbang menutup separuh jalan.",
            "Rumput taman tinggi dan fasilitas bermain rusak.",
        ),
        ("Tim pertamanan akan meninjau dan memangkas pohon.",),
        ("Pohon sudah dipangkas dan batangnya diangkut.",),
        rainy=1.5,
    ),
    "air": Theme(
        ("air bersih", "pdam", "air minum"),
        4,
        ("Air PDAM tidak mengalir di Kel. {village}", "Pipa air bocor di {street}"),
        (
            "Air tidak mengalir {duration}, warga harus membeli air galon.",
            "Pipa bocor dan airnya membanjiri jalan.",
        ),
        ("Laporan sudah diteruskan kepada PDAM Tirtanadi.",),
        ("Pipa yang bocor sudah diperbaiki, aliran air normal kembali.",),
    ),
    "bangunan": Theme(
        ("bangunan", "izin", "tata ruang", "permukiman"),
        3,
        ("Bangunan tanpa izin di {street}", "Bangunan menutup saluran di {street}"),
        (
            "Bangunan baru didirikan di atas saluran air.",
            "Pembangunan dilakukan sampai larut malam.",
        ),
        ("Petugas tata ruang akan memeriksa perizinan bangunan tersebut.",),
        ("Pemilik bangunan sudah diberi surat peringatan dan pembangunan dihentikan.",),
    ),
    "kesehatan": Theme(
        ("kesehatan", "puskesmas", "rumah sakit", "nyamuk"),
        3,
        ("Fogging belum dilakukan di Kel. {village}", "Pelayanan puskesmas {district} lambat"),
        (
            "Sudah ada {count} warga kena DBD tapi belum ada fogging.",
            "Antrean di puskesmas sangat lama dan dokter sering tidak ada.",
        ),
        ("Dinas Kesehatan akan berkoordinasi dengan puskesmas setempat.",),
        ("Fogging sudah dilakukan di lingkungan pelapor.", "Jadwal dokter jaga sudah diumumkan."),
    ),
    "pendidikan": Theme(
        ("pendidikan", "sekolah"),
        2,
        ("Pungutan di sekolah negeri Kel. {village}", "Gedung sekolah rusak di {street}"),
        (
            "Orang tua murid diminta membayar uang pembangunan.",
            "Atap kelas bocor dan plafon jebol.",
        ),
        ("Dinas Pendidikan akan mengklarifikasi kepada pihak sekolah.",),
        ("Pungutan sudah dihentikan dan dana dikembalikan.", "Atap kelas sudah diperbaiki."),
    ),
    "sosial": Theme(
        ("sosial", "bansos", "bantuan"),
        2,
        (
            "Bantuan sosial tidak tepat sasaran di Kel. {village}",
            "Anak jalanan di simpang {street}",
        ),
        (
            "Warga yang mampu terdaftar, yang miskin tidak.",
            "Anak-anak mengamen di persimpangan sampai malam.",
        ),
        ("Dinas Sosial akan memverifikasi data penerima.",),
        ("Data penerima sudah diverifikasi ulang bersama kelurahan.",),
    ),
    "ketertiban": Theme(
        ("ketertiban", "keributan", "trantib"),
        3,
        (
            "Balap liar setiap malam di {street}",
            "Keributan di warung tuak {landmark} di {street}",
            "Tempat hiburan buka melewati jam di {street}",
        ),
        (
            "Suara knalpot sangat mengganggu warga sampai dini hari.",
            "Sudah {duration} kejadian ini berulang dan warga resah.",
        ),
        ("Satpol PP akan melakukan patroli di lokasi.",),
        ("Patroli gabungan sudah dilakukan dan pelaku diberi pembinaan.",),
    ),
    "adminduk": Theme(
        ("adminduk", "ktp", "akta"),
        5,
        (
            "Pengurusan KTP-el lambat di {office}",
            "Blangko KTP-el kosong di kantor camat {district}",
            "Akta kelahiran anak belum selesai",
            "Pindah domisili dipersulit di {office}",
        ),
        (
            "Saya datang pukul 08.00 tapi baru dilayani siang hari.",
            "Berkas sudah {duration} belum selesai tanpa kejelasan.",
            "Petugas menyuruh kembali minggu depan tanpa alasan yang jelas.",
        ),
        ("Laporan sudah kami sampaikan kepada kepala bidang pelayanan untuk dicek.",),
        (
            "Dokumen pelapor sudah selesai dan dapat diambil di loket.",
            "Blangko sudah tersedia kembali; pelapor sudah dihubungi.",
        ),
    ),
    "pencemaran": Theme(
        ("pencemaran", "limbah", "bising"),
        3,
        (
            "Limbah pabrik dibuang ke parit di {street}",
            "Asap pembakaran sampah di Kel. {village}",
            "Suara bising bengkel sampai malam di {street}",
        ),
        (
            "Airnya hitam dan berbau, ikan-ikan mati.",
            "Asapnya masuk ke rumah warga, anak-anak batuk.",
            "Kebisingan terjadi setiap malam sampai pukul 02.00.",
        ),
        ("Petugas pengawasan lingkungan akan mengambil sampel dan meninjau lokasi.",),
        ("Pelaku usaha sudah diberi teguran tertulis dan diminta mengolah limbahnya.",),
    ),
    "angkutan": Theme(
        ("angkutan", "angkot", "halte"),
        2,
        ("Angkot ngetem sembarangan di {street}", "Halte rusak di {street}"),
        ("Angkot berhenti lama di simpang sehingga macet.", "Atap halte bocor dan kursinya patah."),
        ("Dinas Perhubungan akan menertibkan angkutan di lokasi.",),
        ("Penertiban angkutan umum sudah dilakukan.", "Halte sudah diperbaiki."),
    ),
    "jembatan": Theme(
        ("jembatan",),
        2,
        ("Jembatan rusak di {street}", "Pagar jembatan patah di Kel. {village}"),
        (
            "Lantai jembatan berlubang dan papannya lapuk.",
            "Pagar pengaman patah, berbahaya bagi anak-anak.",
        ),
        ("Tim bina marga akan memeriksa struktur jembatan.",),
        ("Lantai dan pagar jembatan sudah diperbaiki.",),
    ),
    "darurat": Theme(
        ("darurat", "keamanan", "kebakaran"),
        0.5,
        (
            "Tawuran di {street}",
            "Kabel listrik putus di {street}",
            "Asap kebakaran di Kel. {village}",
        ),
        ("Kejadian sedang berlangsung, warga ketakutan.", "Mohon petugas segera datang."),
        ("Laporan sudah diteruskan kepada petugas yang berwenang.",),
        ("Petugas sudah menangani kejadian di lokasi.",),
    ),
}
GENERIC = Theme(
    (),
    2,
    (
        "Keluhan warga di {street}",
        "Fasilitas umum rusak di Kel. {village}",
        "Mohon perhatian untuk lingkungan {street}",
    ),
    ("Masalah ini sudah {duration} dan belum ada penanganan.", "Mohon segera ditindaklanjuti."),
    ("Laporan sedang kami pelajari.",),
    ("Masalah sudah ditangani oleh petugas.",),
)
CLOSINGS = (
    "Mohon segera ditindaklanjuti.",
    "Terima kasih.",
    "Mohon bantuannya, Pak/Bu.",
    "Semoga cepat ditangani.",
    "",
)
DURATIONS = ("seminggu", "dua minggu", "sebulan", "tiga hari", "hampir dua bulan", "lima hari")
RATING_COMMENTS = {
    1: ("Tidak ada perbaikan nyata.", "Sangat lambat."),
    2: ("Lambat sekali ditangani.", "Perbaikannya asal-asalan."),
    3: ("Lumayan, tapi perlu lebih cepat.", ""),
    4: ("Terima kasih, sudah ditangani.", "Cukup cepat."),
    5: ("Cepat dan tuntas, terima kasih!", "Mantap, pelayanan luar biasa."),
}
REJECTION_NOTES = {
    RejectionReason.SPAM: "Laporan tidak berisi pengaduan yang dapat ditindaklanjuti.",
    RejectionReason.DUPLICATE: "Masalah yang sama sudah dilaporkan; silakan ikuti laporan aslinya.",
    RejectionReason.NOT_AUTHORITY: (
        "Bukan kewenangan Pemerintah Kota: jalan nasional/provinsi ditangani Dinas Bina Marga "
        "Provinsi Sumatera Utara (Jl. Sakti Lubis, Medan)."
    ),
    RejectionReason.UNCLEAR: "Lokasi dan uraian masalah kurang jelas; silakan kirim laporan baru.",
}


#: Themes of the seed categories (``complaints/data/categories.json``) by code.
CATEGORY_THEMES = {
    "jalan-rusak": "jalan",
    "trotoar": "jalan",
    "jembatan-rusak": "jembatan",
    "drainase": "drainase",
    "lampu-jalan": "lampu",
    "sampah": "sampah",
    "pohon": "pohon",
    "pencemaran": "pencemaran",
    "banjir": "banjir",
    "ketertiban-umum": "ketertiban",
    "pkl": "pkl",
    "bangunan-liar": "bangunan",
    "lalu-lintas": "lampu_lalin",
    "parkir-liar": "parkir",
    "angkutan-umum": "angkutan",
    "layanan-kesehatan": "kesehatan",
    "layanan-sekolah": "pendidikan",
    "layanan-adminduk": "adminduk",
    "bantuan-sosial": "sosial",
    "darurat": "darurat",
}


def _theme_of(category: Category) -> Theme:
    if category.is_emergency:
        return THEMES["darurat"]
    if category.code in CATEGORY_THEMES:
        return THEMES[CATEGORY_THEMES[category.code]]
    # Another city's categories: the first theme whose keyword is in the code or name.
    text = f"{category.code} {category.name}".lower().replace("-", " ")
    for theme in THEMES.values():
        if any(keyword in text for keyword in theme.keywords):
            return theme
    return GENERIC


# --- Working days ----------------------------------------------------------------------------


class WorkingDays:
    """``add_working_days`` from a precomputed list of working dates (same counting rule)."""

    def __init__(self, first: date, last: date) -> None:
        closed: set[date] = set()
        for year in range(first.year, last.year + 1):
            closed |= non_working_days(year)
        days = (last - first).days + 1
        self.dates = [
            d for d in (first + timedelta(days=i) for i in range(days)) if d not in closed
        ]

    def add(self, at: datetime, n: int) -> datetime:
        """The n-th working day after ``at``'s local date, at the same local time."""
        if n <= 0:
            return at
        local = at.astimezone(WIB)
        day = self.dates[bisect_right(self.dates, local.date()) + n - 1]
        return datetime.combine(day, local.timetz())

    def between(self, a: datetime, b: datetime) -> int:
        """Working days after ``a``'s local date up to and including ``b``'s."""
        return max(
            0,
            bisect_right(self.dates, b.astimezone(WIB).date())
            - bisect_right(self.dates, a.astimezone(WIB).date()),
        )

    def office_time(self, rng: random.Random, after: datetime, gap: int) -> datetime:
        """A staff action ``gap`` working days after ``after``, in office hours, never before."""
        local = after.astimezone(WIB)
        index = bisect_right(self.dates, local.date()) + gap - 1
        if gap <= 0 or index < 0:
            # Same day when it is a working day and there is office time left, else the next one.
            if local.date() in self._set and local.hour < 15:
                return local + timedelta(minutes=rng.randrange(20, 180))
            index = bisect_right(self.dates, local.date())
        day = self.dates[index]
        at = time(hour=rng.randrange(8, 16), minute=rng.randrange(60), tzinfo=WIB)
        return datetime.combine(day, at)

    @property
    def _set(self) -> set[date]:
        cached: set[date] | None = getattr(self, "_date_set", None)
        if cached is None:
            cached = self._date_set = set(self.dates)
        return cached


# --- The plan of one report's life -----------------------------------------------------------


@dataclass
class Step:
    at: datetime
    kind: str
    from_status: str = ""
    to_status: str = ""
    message: str = ""
    is_public: bool = True
    actor_id: int | None = None
    agency_id: int | None = None


@dataclass
class Staff:
    coordinators: list[int]
    officers: dict[int, list[int]]  # agency id -> officer ids

    def coordinator(self, rng: random.Random) -> int | None:
        return rng.choice(self.coordinators) if self.coordinators else None

    def officer(self, rng: random.Random, agency_id: int | None) -> int | None:
        people = self.officers.get(agency_id or 0)
        return rng.choice(people) if people else None


@dataclass
class Setting:
    """Everything one run draws from, loaded once."""

    categories: list[Category]
    themes: dict[int, Theme]
    cum_dry: list[float]
    cum_rainy: list[float]
    places: list[Place]
    routes: dict[tuple[int, str], int | None]
    agency_names: dict[int, str]
    staff: Staff
    reporters: list[tuple[int, str]]
    demo_citizen: tuple[int, str] | None
    answers: dict[int, list[CategoryQuestion]]
    policy: ComplaintPolicy
    box: tuple[float, float, float, float]
    offices: list[str] = field(default_factory=list)


def _route_table(
    categories: Sequence[Category], places: Sequence[Place]
) -> dict[tuple[int, str], int | None]:
    """Agency per (category, kecamatan), most specific routing rule first, as
    ``complaint_route`` does: category+kecamatan, category, kecamatan, fallback, then the
    category's default agency."""
    rules = {(r.category_id, r.district_id): r.agency_id for r in RoutingRule.objects.all()}
    table: dict[tuple[int, str], int | None] = {}
    for category in categories:
        for district_id in {p.district_id for p in places}:
            for key in (
                (category.pk, district_id),
                (category.pk, None),
                (None, district_id),
                (None, None),
            ):
                if key in rules:
                    table[(category.pk, district_id)] = rules[key]
                    break
            else:
                table[(category.pk, district_id)] = category.default_agency_id
    return table


def _setting(ctx: DemoContext) -> Setting:
    categories = list(
        Category.objects.filter(is_active=True)
        .order_by("code")
        .prefetch_related("questions__options")
    )
    themes = {c.pk: _theme_of(c) for c in categories}
    weights_dry = [themes[c.pk].weight / _theme_size(themes, themes[c.pk]) for c in categories]
    weights_rainy = [w * themes[c.pk].rainy for w, c in zip(weights_dry, categories, strict=True)]
    places = _places()
    agencies = {a.pk: a for a in Agency.objects.all()}
    staff_rows = (
        User.objects.filter(
            role__in=[Role.COORDINATOR, Role.OFFICER, Role.AGENCY_HEAD], is_active=True
        )
        .order_by("email")
        .values_list("pk", "role", "agency_id")
    )
    coordinators = [pk for pk, role, _ in staff_rows if role == Role.COORDINATOR]
    officers: dict[int, list[int]] = {}
    for pk, role, agency_id in staff_rows:
        if role != Role.COORDINATOR and agency_id is not None:
            officers.setdefault(agency_id, []).append(pk)
    citizens = list(
        User.objects.filter(
            role=Role.CITIZEN, is_active=True, email__endswith=f"@{DEMO_EMAIL_DOMAIN}"
        )
        .order_by("email")
        .values_list("pk", "full_name", "email")
    )
    demo_email = ctx.demo_email("warga")
    demo_citizen = next(((pk, name) for pk, name, email in citizens if email == demo_email), None)
    return Setting(
        categories=categories,
        themes=themes,
        cum_dry=list(accumulate(weights_dry)),
        cum_rainy=list(accumulate(weights_rainy)),
        places=places,
        routes=_route_table(categories, places),
        agency_names={pk: a.short_name or a.name for pk, a in agencies.items()},
        staff=Staff(coordinators, officers),
        reporters=[(pk, name) for pk, name, email in citizens if email != demo_email],
        demo_citizen=demo_citizen,
        answers={c.pk: [q for q in c.questions.all() if q.required] for c in categories},
        policy=ComplaintPolicy.objects.order_by("pk").first() or ComplaintPolicy(),
        box=_city_box(),
        offices=sorted(
            {
                a.short_name or a.name
                for a in agencies.values()
                if a.kind in ("kecamatan", "dinas") and a.is_active
            }
        )
        or ["Kecamatan"],
    )


def _theme_size(themes: dict[int, Theme], theme: Theme) -> int:
    # Several categories of one theme share its weight.
    return sum(1 for t in themes.values() if t is theme)


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        body = "".join(rng.choice(ALPHABET) for _ in range(BODY_LENGTH))
        reference = f"{REFERENCE_PREFIX}-{body[:GROUP_LENGTH]}-{body[GROUP_LENGTH:]}"
        if reference not in taken:
            taken.add(reference)
            return reference


def _fill(rng: random.Random, template: str, values: dict[str, str]) -> str:
    if "{" not in template:
        return template
    extra: dict[str, str] = {}
    if "{duration}" in template:
        extra["duration"] = rng.choice(DURATIONS)
    if "{meters}" in template:
        extra["meters"] = str(rng.randrange(5, 200, 5))
    if "{cm}" in template:
        extra["cm"] = str(rng.randrange(20, 90, 10))
    if "{count}" in template:
        extra["count"] = str(rng.randrange(2, 7))
    return template.format_map({**values, **extra})


def _answers(rng: random.Random, questions: list[CategoryQuestion]) -> dict[str, str | list[str]]:
    answers: dict[str, str | list[str]] = {}
    for question in questions:
        options = [o.key for o in question.options.all() if not o.blocks_submission]
        if question.datatype == QuestionType.SINGLE and options:
            answers[question.code] = rng.choice(options)
        elif question.datatype == QuestionType.MULTI and options:
            answers[question.code] = sorted(rng.sample(options, k=min(len(options), 2)))
        elif question.datatype == QuestionType.NUMBER:
            answers[question.code] = str(rng.randrange(1, 10))
        elif question.datatype == QuestionType.DATETIME:
            continue  # filled in below from the submission time
        else:
            answers[question.code] = "Tidak ada keterangan tambahan."
    return answers


# A report being generated: a plain namespace with the model's attributes (attnames) and
# defaults. Model instances are much slower to create, and COPY needs only the values.
Draft = SimpleNamespace


def _draft(**values: object) -> Draft:
    return SimpleNamespace(**{**_complaint_defaults(), **values})


@cache
def _complaint_defaults() -> dict[str, object]:
    return {f.attname: f.get_default() for f in Complaint._meta.concrete_fields}


# --- The generator ---------------------------------------------------------------------------


def _target(ctx: DemoContext) -> int:
    return COUNTS.get(ctx.scale, max(200, 10 * ctx.size.citizens))


def _key(ctx: DemoContext, n: int) -> str:
    return f"{KEY_PREFIX}-{ctx.scale}-{n:07d}"


def demo_complaints(ctx: DemoContext) -> dict[str, int]:
    prefix = f"{KEY_PREFIX}-{ctx.scale}-"
    existing = Complaint.objects.filter(idempotency_key__startswith=prefix)
    if not existing.exists():
        _ensure_categories()
        _generate(ctx, _setting(ctx))
    mine = Complaint.objects.filter(idempotency_key__startswith=prefix)
    return {
        "complaints": mine.count(),
        "events": ComplaintEvent.objects.filter(complaint__in=mine).count(),
    }


def _ensure_categories() -> None:
    if Category.objects.filter(is_active=True).exists():
        return
    try:
        call_command("load_complaint_categories")
    except CommandError as exc:
        raise DemoDataError(
            f"No complaint categories and loading them failed ({exc}). "
            "Run `python manage.py load_complaint_categories` first."
        ) from exc
    if not Category.objects.filter(is_active=True).exists():
        raise DemoDataError("No active complaint categories after `load_complaint_categories`.")


def _submission_times(ctx: DemoContext, rng: random.Random, count: int) -> list[datetime]:
    """Sorted submission times over the scale's years up to yesterday, growing over time,
    fewer at weekends and at night."""
    days = ctx.size.years * 365
    first = ctx.today - timedelta(days=days)
    day_weights = []
    for i in range(days):
        d = first + timedelta(days=i)
        day_weights.append((0.6 + 0.8 * i / days) * (0.7 if d.weekday() >= 5 else 1.0))
    hours = list(range(24))
    hour_weights = [0.2] * 6 + [
        1,
        2,
        3,
        3,
        2.5,
        2,
        2,
        2,
        1.5,
        1.5,
        1.5,
        1.5,
        1.5,
        2,
        2.5,
        2.5,
        1.5,
        0.6,
    ]
    picked_days = rng.choices(range(days), cum_weights=list(accumulate(day_weights)), k=count)
    picked_hours = rng.choices(hours, weights=hour_weights, k=count)
    times = [
        datetime.combine(
            first + timedelta(days=d), time(h, rng.randrange(60), rng.randrange(60), tzinfo=WIB)
        )
        for d, h in zip(picked_days, picked_hours, strict=True)
    ]
    times.sort()
    return times


def _generate(ctx: DemoContext, s: Setting) -> None:
    if not s.categories:
        raise DemoDataError("No active complaint categories.")
    count = _target(ctx)
    rng = ctx.rng_for("complaints")
    ids = ctx.rng_for("event-ids")
    times = _submission_times(ctx, rng, count)
    cutoff = datetime.combine(ctx.today, time(0, 0, tzinfo=WIB))  # data "as of last midnight"
    wd = WorkingDays(times[0].date() - timedelta(days=7), ctx.today + timedelta(days=400))
    taken = set(Complaint.objects.values_list("reference", flat=True))
    demo_share = min(1.0, DEMO_CITIZEN_REPORTS / count) if s.demo_citizen else 0.0

    pks = array("q")  # complaint pk per index n-1
    last_open: dict[tuple[int, str], int] = {}  # (category, kecamatan) -> index of latest report
    duplicates: list[tuple[int, int]] = []  # (duplicate index, original index)
    reporter_of = array("q")  # user id per index, 0 for walk-ins
    supporters = array("l")  # supporter count per index
    followers: dict[tuple[int, int], None] = {}  # (index, user id), in creation order

    chunk: list[tuple[Draft, list[Step]]] = []
    for n, submitted in enumerate(times, start=1):
        complaint, steps, dup_of = _one(
            ctx, s, rng, wd, n, submitted, cutoff, taken, demo_share, last_open
        )
        reporter_of.append(complaint.reporter_id or 0)
        if dup_of is not None:
            duplicates.append((n - 1, dup_of))
        # Some public reports gather supporters (citizens following them).
        public = complaint.privacy != Privacy.SECRET and complaint.status != Status.REJECTED
        if s.reporters and public and rng.random() < SUPPORTED_SHARE:
            for user_id, _name in rng.sample(s.reporters, k=rng.randrange(1, 5)):
                if user_id != complaint.reporter_id:
                    followers[(n - 1, user_id)] = None
                    complaint.supporter_count += 1
        supporters.append(complaint.supporter_count)
        chunk.append((complaint, steps))
        if len(chunk) >= CHUNK:
            _write(ctx, chunk, pks, ids)
            chunk = []
    if chunk:
        _write(ctx, chunk, pks, ids)

    # Duplicates point at their originals (known only once both are written); as in
    # complaint_reject, the duplicate's reporter becomes a supporter of the original.
    links = [Complaint(pk=pks[d], duplicate_of_id=pks[o]) for d, o in duplicates]
    Complaint.objects.bulk_update(links, ["duplicate_of"], batch_size=500)
    supported: set[int] = set()
    for d, o in duplicates:
        user, owner = reporter_of[d], reporter_of[o]
        if user and user != owner and (o, user) not in followers:
            followers[(o, user)] = None
            supporters[o] += 1
            supported.add(o)
    counts = [Complaint(pk=pks[o], supporter_count=supporters[o]) for o in sorted(supported)]
    Complaint.objects.bulk_update(counts, ["supporter_count"], batch_size=500)
    ctx.bulk_create(
        ComplaintFollower,
        (
            ComplaintFollower(complaint_id=pks[o], user_id=u, is_supporter=True)
            for o, u in followers
        ),
    )


def _one(
    ctx: DemoContext,
    s: Setting,
    rng: random.Random,
    wd: WorkingDays,
    n: int,
    submitted: datetime,
    cutoff: datetime,
    taken: set[str],
    demo_share: float,
    last_open: dict[tuple[int, str], int],
) -> tuple[Draft, list[Step], int | None]:
    weights = s.cum_rainy if submitted.month >= 9 else s.cum_dry
    category = rng.choices(s.categories, cum_weights=weights)[0]
    theme = s.themes[category.pk]
    place = rng.choice(s.places)
    min_lat, max_lat, min_lon, max_lon = s.box
    lat = min(max(rng.gauss(place.lat, place.spread), min_lat + 0.001), max_lat - 0.001)
    lon = min(max(rng.gauss(place.lon, place.spread), min_lon + 0.001), max_lon - 0.001)
    street = rng.choice(place.streets)
    landmark = rng.choice(LANDMARKS)
    values = {
        "street": street,
        "landmark": landmark,
        "village": place.village_name or place.district_name,
        "district": place.district_name,
        "office": rng.choice(s.offices),
        "category": category.name.lower(),
    }
    title = _fill(rng, rng.choice(theme.titles), values)[:120]
    sentences = rng.sample(theme.details, k=min(len(theme.details), rng.randrange(1, 4)))
    description = " ".join(
        [
            f"Lokasi di {street} {landmark}, Kel. {values['village']}, Kec. {place.district_name}.",
            *(_fill(rng, sentence, values) for sentence in sentences),
            rng.choice(CLOSINGS),
        ]
    ).strip()
    address = f"{street} No. {rng.randrange(1, 250)}, {landmark}"

    # Who: the demo citizen now and then, bulk citizens, else walk-ins at the service desk.
    reporter_id: int | None
    if s.demo_citizen and rng.random() < demo_share:
        reporter_id, reporter_name = s.demo_citizen
        channel = Channel.WEB
    elif s.reporters:
        reporter_id, reporter_name = rng.choice(s.reporters)
        roll = rng.random()
        channel = Channel.WEB if roll < 0.88 else Channel.API if roll < 0.95 else Channel.COUNTER
    else:
        reporter_id, reporter_name = None, person_name(rng)
        channel = Channel.COUNTER
    roll = rng.random()
    privacy = (
        Privacy.PUBLIC if roll < 0.80 else Privacy.ANONYMOUS if roll < 0.95 else Privacy.SECRET
    )
    priority = Priority.EMERGENCY if category.is_emergency else category.priority

    answers = _answers(rng, s.answers.get(category.pk, []))
    for question in s.answers.get(category.pk, []):
        if question.datatype == QuestionType.DATETIME:
            answers[question.code] = submitted.isoformat()

    complaint = _draft(
        reference=_reference(rng, taken),
        category_id=category.pk,
        title=title,
        description=description,
        latitude=round(lat, 6),
        longitude=round(lon, 6),
        address=address,
        district_id=place.district_id,
        village_id=place.village_id,
        privacy=privacy,
        priority=priority,
        answers=answers,
        reporter_id=reporter_id,
        reporter_name=reporter_name,
        channel=channel,
        idempotency_key=_key(ctx, n),
        submitted_at=submitted,
    )
    agency_id = s.routes.get((category.pk, place.district_id))
    steps, dup_of = _life(s, rng, wd, complaint, category, theme, agency_id, values, n, last_open)
    happened = [st for st in steps if st.at < cutoff]
    _apply(s, wd, complaint, category, happened, cutoff)
    return complaint, happened, dup_of


def _life(
    s: Setting,
    rng: random.Random,
    wd: WorkingDays,
    c: Draft,
    category: Category,
    theme: Theme,
    agency_id: int | None,
    values: dict[str, str],
    n: int,
    last_open: dict[tuple[int, str], int],
) -> tuple[list[Step], int | None]:
    """Every step the report will go through, including those after the cutoff (dropped)."""
    t = c.submitted_at
    reporter = c.reporter_id
    steps = [Step(t, EventKind.STATUS, "", Status.RECEIVED, "", True, reporter)]
    emergency = category.is_emergency
    place_key = (category.pk, c.district_id or "")

    roll = rng.random()
    if roll < 0.07 or agency_id is None:
        # Rejected at triage: mostly duplicates and spam.
        reason = (
            RejectionReason.DUPLICATE
            if roll < 0.03
            else RejectionReason.SPAM
            if roll < 0.05
            else RejectionReason.NOT_AUTHORITY
            if roll < 0.065
            else RejectionReason.UNCLEAR
        )
        original = last_open.get(place_key)
        if reason == RejectionReason.DUPLICATE and original is None:
            reason = RejectionReason.SPAM
        c.rejection_reason = reason
        c.rejection_note = REJECTION_NOTES[reason]
        at = wd.office_time(rng, t, rng.choice((0, 1, 1, 2, 3)))
        steps.append(
            Step(
                at,
                EventKind.STATUS,
                Status.RECEIVED,
                Status.REJECTED,
                c.rejection_note,
                True,
                s.staff.coordinator(rng),
            )
        )
        return steps, original if reason == RejectionReason.DUPLICATE else None

    last_open[place_key] = n - 1
    coordinator = s.staff.coordinator(rng)
    agency_name = s.agency_names.get(agency_id, "")
    if emergency:
        at = t + timedelta(minutes=rng.randrange(3, 40))
        steps.append(
            Step(at, EventKind.FORWARDED, message="Diteruskan ke layanan darurat.", is_public=False)
        )
    elif rng.random() < 0.5:
        at = wd.office_time(rng, t, rng.choice((0, 1, 1, 2, 3, 4)))
        steps.append(
            Step(
                at,
                EventKind.STATUS,
                Status.RECEIVED,
                Status.VERIFIED,
                "Laporan telah diverifikasi.",
                True,
                coordinator,
            )
        )
        t = at
    dispose_at = (
        t + timedelta(minutes=rng.randrange(5, 30))
        if emergency
        else wd.office_time(rng, t, rng.choice((0, 0, 1, 1, 2)))
    )
    previous = steps[-1].to_status or Status.RECEIVED
    steps.append(
        Step(
            dispose_at,
            EventKind.STATUS,
            previous,
            Status.DISPOSED,
            f"Laporan diteruskan ke {agency_name}.",
            True,
            coordinator,
            agency_id,
        )
    )
    if rng.random() < 0.02:
        return steps, None  # stuck: nobody picked it up (the backlog the dashboard shows)

    officer = s.staff.officer(rng, agency_id)
    start_at = wd.office_time(
        rng, dispose_at, 0 if emergency else rng.choice((0, 1, 1, 2, 2, 3, 4, 6, 8))
    )
    if officer is not None:
        steps.append(
            Step(
                start_at,
                EventKind.ASSIGNED,
                message="Ditugaskan kepada petugas.",
                is_public=False,
                actor_id=coordinator,
                agency_id=agency_id,
            )
        )
    steps.append(
        Step(
            start_at,
            EventKind.STATUS,
            Status.DISPOSED,
            Status.IN_PROGRESS,
            _fill(rng, rng.choice(theme.responses), values),
            True,
            officer,
            agency_id,
        )
    )
    t = start_at
    c.assigned_to_id = officer
    if rng.random() < 0.06:
        asked = wd.office_time(rng, t, rng.randrange(1, 3))
        steps.append(
            Step(
                asked,
                EventKind.INFO_REQUESTED,
                message="Mohon kirimkan foto terbaru dan patokan lokasi yang lebih jelas.",
                actor_id=officer,
                agency_id=agency_id,
            )
        )
        answered = asked + timedelta(hours=rng.randrange(2, 24 * 6))
        steps.append(
            Step(
                answered,
                EventKind.INFO_ADDED,
                message=f"Lokasinya persis {values['landmark']}, {values['street']}.",
                actor_id=reporter,
            )
        )
        t = answered
    if rng.random() < 0.1:
        note_at = wd.office_time(rng, t, 0)
        steps.append(
            Step(
                note_at,
                EventKind.NOTE,
                message="Menunggu jadwal tim lapangan.",
                is_public=False,
                actor_id=officer,
                agency_id=agency_id,
            )
        )
    if rng.random() < 0.2:
        update_at = wd.office_time(rng, t, rng.randrange(1, 4))
        steps.append(
            Step(
                update_at,
                EventKind.UPDATE,
                message="Tim sudah meninjau lokasi; pengerjaan dijadwalkan.",
                actor_id=officer,
                agency_id=agency_id,
            )
        )
        t = update_at
    if rng.random() < 0.025:
        return steps, None  # still in progress, however old

    target = category.resolution_working_days
    late = rng.random() < 0.15
    gap = rng.randrange(target + 1, 2 * target + 3) if late else rng.randrange(0, max(1, target))
    resolved = wd.office_time(rng, max(t, start_at), 0 if emergency else gap)
    resolution = _fill(rng, rng.choice(theme.resolutions), values)
    steps.append(
        Step(
            resolved,
            EventKind.STATUS,
            Status.IN_PROGRESS,
            Status.RESOLVED,
            resolution,
            True,
            officer,
            agency_id,
        )
    )
    feedback = rng.random()
    window = timedelta(days=s.policy.reopen_window_days)
    if feedback < 0.05 and reporter:
        reopened = resolved + timedelta(hours=rng.randrange(4, int(window.total_seconds() // 3600)))
        steps.append(
            Step(
                reopened,
                EventKind.STATUS,
                Status.RESOLVED,
                Status.IN_PROGRESS,
                "Pelapor: masalah belum beres.",
                True,
                reporter,
            )
        )
        resolved = wd.office_time(rng, reopened, rng.randrange(1, 6))
        steps.append(
            Step(
                resolved,
                EventKind.STATUS,
                Status.IN_PROGRESS,
                Status.RESOLVED,
                "Perbaikan ulang sudah dilakukan.",
                True,
                officer,
                agency_id,
            )
        )
        feedback = 1.0  # then closes automatically
    if feedback < 0.40 and reporter:
        confirmed = resolved + timedelta(hours=rng.randrange(2, 24 * 10))
        steps.append(
            Step(
                confirmed,
                EventKind.FEEDBACK,
                message="Pelapor mengonfirmasi masalah sudah beres.",
                actor_id=reporter,
            )
        )
        steps.append(
            Step(
                confirmed,
                EventKind.STATUS,
                Status.RESOLVED,
                Status.CLOSED,
                "Laporan ditutup setelah dikonfirmasi pelapor.",
                True,
                reporter,
            )
        )
    else:
        closed = resolved + timedelta(
            days=s.policy.auto_close_after_days, minutes=rng.randrange(5, 120)
        )
        steps.append(
            Step(
                closed,
                EventKind.STATUS,
                Status.RESOLVED,
                Status.CLOSED,
                "Laporan ditutup otomatis karena tidak ada tanggapan pelapor.",
                True,
                None,
            )
        )
    if reporter and rng.random() < 0.35:
        rating = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 2, 4, 3))[0]
        comment = rng.choice(RATING_COMMENTS[rating])
        steps.append(
            Step(
                resolved + timedelta(hours=rng.randrange(1, 24 * 7)),
                EventKind.FEEDBACK,
                message=f"Penilaian {rating}/5. {comment}".strip(),
                actor_id=reporter,
            )
        )
        c.rating, c.rating_comment = rating, comment  # cleared in _apply if after the cutoff
    steps.sort(key=lambda st: st.at)
    return steps, None


def _apply(
    s: Setting, wd: WorkingDays, c: Draft, category: Category, steps: list[Step], now: datetime
) -> None:
    """Sets status, milestones, SLA clock and feedback from the steps that happened."""
    status = Status.RECEIVED
    rejected_at = None
    info_asked = info_added = None
    reopened = False
    in_progress_at = None
    confirmed = False
    rated = False
    for st in steps:
        if st.kind == EventKind.STATUS:
            status = Status(st.to_status)
            if st.to_status == Status.VERIFIED:
                c.verified_at = st.at
            elif st.to_status == Status.DISPOSED:
                c.disposed_at = st.at
                c.verified_at = c.verified_at or st.at  # verify and dispose in one step
                c.agency_id = st.agency_id
            elif st.to_status == Status.IN_PROGRESS and st.from_status == Status.DISPOSED:
                c.first_response_at = in_progress_at = st.at
            elif st.to_status == Status.IN_PROGRESS:
                reopened, in_progress_at = True, st.at  # the clock restarts on reopening
                c.resolved_at = None
            elif st.to_status == Status.RESOLVED:
                c.resolved_at = st.at
                c.resolution_note = st.message
            elif st.to_status == Status.CLOSED:
                c.closed_at = st.at
                confirmed = confirmed or st.actor_id is not None
            elif st.to_status == Status.REJECTED:
                rejected_at = st.at
        elif st.kind == EventKind.INFO_REQUESTED:
            info_asked, info_added = st.at, None
        elif st.kind == EventKind.INFO_ADDED:
            info_added = st.at
        elif st.kind == EventKind.FEEDBACK and st.message.startswith("Penilaian"):
            rated = True
    c.status = status
    if not rated:
        c.rating, c.rating_comment = None, ""
    if status not in (Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED):
        c.assigned_to_id = None
    if confirmed and status == Status.CLOSED:
        c.citizen_confirmed_fixed = True
    elif reopened:
        c.citizen_confirmed_fixed = False

    # SLA clock of the current stage.
    policy = s.policy
    if status in (Status.RECEIVED, Status.VERIFIED, Status.REJECTED):
        c.sla_stage = SlaStage.VERIFICATION
        start, days = (
            c.submitted_at,
            0 if category.is_emergency else policy.verification_working_days,
        )
        stop = rejected_at
    elif status == Status.DISPOSED:
        c.sla_stage = SlaStage.RESPONSE
        assert c.disposed_at is not None
        start, days, stop = c.disposed_at, policy.response_working_days, None
    else:
        c.sla_stage = SlaStage.RESOLUTION
        assert in_progress_at is not None
        start, days = in_progress_at, category.resolution_working_days
        stop = c.resolved_at if status in (Status.RESOLVED, Status.CLOSED) else None
    c.sla_target_working_days = days
    c.sla_started_at = start
    due = wd.add(start, days)
    if c.sla_stage == SlaStage.RESOLUTION and info_asked is not None and info_asked >= start:
        if info_added is None:
            c.waiting_on_citizen = True
            c.sla_paused_at = info_asked
        else:
            paused = wd.between(info_asked, info_added)
            c.sla_paused_working_days = paused
            due = wd.add(due, paused)
    c.sla_due_at = due
    c.sla_stopped_at = stop
    # Escalated once when a running clock was a working day past due before it stopped.
    end = stop or c.sla_paused_at or now
    escalate = wd.add(due, 1)
    if escalate < end and escalate < now:
        c.escalated_at = escalate
        steps.append(
            Step(
                escalate,
                EventKind.ESCALATED,
                message="Melewati batas waktu; diteruskan ke koordinator dan kepala OPD.",
                is_public=False,
            )
        )
        steps.sort(key=lambda st: st.at)
    # Normalise to UTC (stored as such anyway; keeps comparisons in tests simple).
    for name in (
        "submitted_at",
        "verified_at",
        "disposed_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "sla_started_at",
        "sla_due_at",
        "sla_paused_at",
        "sla_stopped_at",
        "escalated_at",
    ):
        value = getattr(c, name)
        if value is not None:
            setattr(c, name, value.astimezone(UTC))


def _write(
    ctx: DemoContext, chunk: list[tuple[Draft, list[Step]]], pks: array[int], ids: random.Random
) -> None:
    drafts = [c for c, _ in chunk]
    events = (
        (
            # Deterministic public ids from their own random stream.
            uuid.UUID(int=ids.getrandbits(128), version=4),
            complaint,
            st,
        )
        for complaint, steps in chunk
        for st in steps
    )
    if connection.vendor == "postgresql":
        _copy_complaints(drafts)
        pks.extend(d.id for d in drafts)
        _copy(ComplaintEvent, EVENT_FIELDS, (_event_row(*e) for e in events))
    else:
        complaints = [Complaint(**vars(d)) for d in drafts]
        Complaint.objects.bulk_create(complaints, batch_size=ctx.batch_size)
        for draft, complaint in zip(drafts, complaints, strict=True):
            draft.id = complaint.pk
        pks.extend(d.id for d in drafts)
        ctx.bulk_create(
            ComplaintEvent,
            (
                ComplaintEvent(**dict(zip(EVENT_FIELDS, _event_row(*e), strict=True)))
                for e in events
            ),
        )


EVENT_FIELDS = (
    "public_id",
    "complaint_id",
    "kind",
    "from_status",
    "to_status",
    "message",
    "is_public",
    "actor_id",
    "agency_id",
    "created_at",
)


def _event_row(public_id: uuid.UUID, complaint: Draft, st: Step) -> tuple[object, ...]:
    return (
        public_id,
        complaint.id,
        st.kind,
        st.from_status,
        st.to_status,
        st.message,
        st.is_public,
        st.actor_id,
        st.agency_id,
        st.at,
    )


# PostgreSQL: COPY instead of INSERT. Building and adapting millions of model instances for
# bulk_create dominated the run time (minutes); COPY takes plain tuples.


def _copy(model: type[Model], attnames: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    meta = model._meta
    column_of = {f.attname: str(f.column) for f in meta.concrete_fields}
    columns = sql.SQL(", ").join([sql.Identifier(column_of[a]) for a in attnames])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(meta.db_table), columns)
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_complaints(complaints: list[Draft]) -> None:
    """Reserves ids from the table's sequence (events need them), then COPYs the rows."""
    table = Complaint._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(complaints)],
        )
        for complaint, (pk,) in zip(complaints, cursor.fetchall(), strict=True):
            complaint.id = pk
    fields = [f for f in Complaint._meta.concrete_fields]
    convert: list[Callable[[object], object] | None] = []
    for f in fields:
        if isinstance(f, JSONField):
            convert.append(json.dumps)
        elif isinstance(f, EncryptedTextField):
            convert.append(f.get_prep_value)  # encrypts a non-empty value
        else:
            convert.append(None)
    now = timezone.now()
    for complaint in complaints:
        complaint.updated_at = now  # what auto_now would set
    attnames = [f.attname for f in fields]
    pairs = list(zip(attnames, convert, strict=True))
    _copy(
        Complaint,
        attnames,
        (
            tuple(getattr(c, a) if conv is None else conv(getattr(c, a)) for a, conv in pairs)
            for c in complaints
        ),
    )


register_generator(GENERATOR_NAME, 100, demo_complaints)

__all__ = ["COUNTS", "demo_complaints"]
