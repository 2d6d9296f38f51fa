"""The cycle collector is off while a big import builds its objects (sessions.bulk)."""

import gc

import pytest

from sessions import bulk


def test_the_cycle_collector_is_off_while_importing_and_on_again_after():
    seen = []
    with bulk.no_cycle_collection():
        seen.append(gc.isenabled())
        with bulk.no_cycle_collection():  # nested: only the outer one turns it back on
            pass
        seen.append(gc.isenabled())

    assert seen == [False, False]
    assert gc.isenabled()


def test_an_import_that_fails_turns_it_back_on():
    with pytest.raises(ValueError), bulk.no_cycle_collection():
        raise ValueError("a broken file")

    assert gc.isenabled()


def test_reading_and_writing_a_catalog_run_without_it(monkeypatch, db):
    from sessions import readers, writer

    during = []
    real_plan = writer._plan

    def plan(*args, **kwargs):
        during.append(gc.isenabled())
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(writer, "_plan", plan)
    data = b"---\ntitle: Tiny 2024\n---\n# Keynotes\n## A - B\n[YouTube](https://youtu.be/RfvL_423a-I)\n"
    writer.write_catalog(readers.read_bytes(data, "writeup"))

    assert during == [False]
    assert gc.isenabled()
