"""Kemendagri area codes: complete, searchable as you type, with each post's time zone."""

from __future__ import annotations

from rumah_perisai import areas


def test_the_whole_country_is_there() -> None:
    assert len(areas.provinces()) == 38
    assert len(areas.regencies()) == 514
    assert len(areas.districts()) > 7_000
    assert len(areas.villages()) > 83_000
    assert areas.area("32.09").name == "Kabupaten Cirebon"  # type: ignore[union-attr]


def test_every_area_hangs_under_an_existing_parent() -> None:
    for table, parents in (
        (areas.regencies(), areas.provinces()),
        (areas.districts(), areas.regencies()),
        (areas.villages(), areas.districts()),
    ):
        assert all(a.parent_code in parents for a in table.values())


def test_type_ahead_for_kabupaten_puts_name_starts_first() -> None:
    names = [a.name for a in areas.search_regencies("bogor")]
    assert names == ["Kabupaten Bogor", "Kota Bogor"]
    assert [a.code for a in areas.search_regencies("32.0")][:3] == ["32.01", "32.02", "32.03"]
    assert areas.search_regencies("   ") == []


def test_type_ahead_for_desa_stays_inside_the_posts_kabupaten() -> None:
    found = areas.search_villages("suranenggala", regency_code="32.09")
    assert found
    assert all(a.code.startswith("32.09.") for a in found)
    assert areas.full_name(found[0].code).endswith("Kabupaten Cirebon, Jawa Barat")
    assert areas.search_villages("suranenggala", regency_code="11.01") == []


def test_default_time_zone_follows_the_province() -> None:
    assert areas.default_timezone("32.09") == "WIB"  # Jawa Barat
    assert areas.default_timezone("51.71") == "WITA"  # Denpasar
    assert areas.default_timezone("73.71") == "WITA"  # Makassar
    assert areas.default_timezone("91.71") == "WIT"  # Jayapura
