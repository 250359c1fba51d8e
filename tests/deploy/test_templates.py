"""Deployment templates: SCCM's defaults, validation that names the setting, the collection as a
reference, and TOML files that round-trip every setting."""

from __future__ import annotations

import pytest

from sumtui.deploy import templates
from sumtui.deploy.template_fields import SETTINGS
from sumtui.deploy.templates import TemplateError, TemplateSettings, make_settings
from sumtui.deploy.toml_io import (
    TemplateDocument,
    TomlFileError,
    dump_template,
    parse_list,
    parse_template,
)
from sumtui.fleet.collections import ensure_all_systems
from sumtui.fleet.models import CollectionCreate
from sumtui.workflows.collections import create_collection, delete_collection

# A value for every setting that differs from SCCM's default.
EVERY_CHANGED = {
    "collection": "Servers", "notify_users": False, "show_progress": False, "time_basis": "utc", "duration": 36,
    "duration_unit": "hours", "suppress_restart_servers": True, "suppress_restart_workstations": True,
    "allow_restart_outside_windows": True, "install_outside_windows_at_deadline": True, "om_alert_on_failure": True,
    "disable_om_alerts_while_installing": True, "slow_boundary": "download_and_install",
    "fallback_source": "download_and_install",
}


def test_defaults_are_sccms():
    settings = TemplateSettings()
    assert settings.model_dump() == {
        "collection": None, "notify_users": True, "show_progress": True, "time_basis": "client_local", "duration": 2,
        "duration_unit": "weeks", "suppress_restart_servers": False, "suppress_restart_workstations": False,
        "allow_restart_outside_windows": False, "install_outside_windows_at_deadline": False,
        "om_alert_on_failure": False, "disable_om_alerts_while_installing": False, "slow_boundary": "do_not_install",
        "fallback_source": "do_not_install",
    }
    assert set(EVERY_CHANGED) == {s.name for s in SETTINGS}
    assert all(EVERY_CHANGED[s.name] != s.default for s in SETTINGS)


@pytest.mark.parametrize("values, message", [
    ({"duration": 0}, "duration must be at least 1 week; it is 0"),
    ({"duration": -3, "duration_unit": "days"}, "duration must be at least 1 day"),
    ({"duration": 53}, "duration of 53 weeks is longer than a year (at most 52 weeks)"),
    ({"duration": 8761, "duration_unit": "hours"}, "at most 8760 hours"),
    ({"duration": 13, "duration_unit": "months"}, "at most 12 months"),
    ({"duration": 2.5}, "duration: must be a whole number (got 2.5)"),
    ({"duration": True}, "duration: must be a whole number"),
    ({"notify_users": "yes"}, "notify_users: must be true or false (got 'yes')"),
    ({"time_basis": "gmt"}, "time_basis: must be one of client_local, utc (got 'gmt')"),
    ({"slow_boundary": "install"}, "slow_boundary: must be one of do_not_install, download_and_install"),
    ({"reboot": True}, "unknown setting 'reboot'"),
    ({"duration_unit": "\x1b[31mweeks"}, "(got '\\x1b[31mweeks')"),
])
def test_validation_names_the_setting(values, message):
    with pytest.raises(TemplateError) as raised:
        make_settings(values)
    assert message in str(raised.value)
    assert str(raised.value).isprintable()


def test_create_edit_and_the_collection_reference(catalog_site):
    with catalog_site.session() as session:
        ensure_all_systems(session)
        collection = create_collection(session, CollectionCreate(name="Servers"))
        with pytest.raises(TemplateError, match="no collection named 'Nowhere'"):
            templates.create_template(session, name="T", settings=make_settings({"collection": "Nowhere"}))
        created = templates.create_template(session, name="Monthly", description="patch night",
                                            settings=make_settings({"collection": "servers", "duration": 3}))
        assert created.settings.collection == "Servers" and created.settings.duration == 3
        edited = templates.edit_template(session, name="MONTHLY", settings=make_settings(
            {"duration_unit": "days"}, base=created.settings))
        assert (edited.settings.duration, edited.settings.duration_unit, edited.settings.collection) == (3, "days", "Servers")
        with pytest.raises(TemplateError, match="already exists"):
            templates.create_template(session, name="monthly")
        collection.name = "Ring 0 servers"  # a renamed collection stays the template's
        session.flush()
        assert templates.get_template(session, name="Monthly").settings.collection == "Ring 0 servers"
        delete_collection(session, collection)  # a deleted one leaves the template without one
        session.commit()
        session.expire_all()
        view = templates.get_template(session, name="Monthly")
        assert view.settings.collection is None and view.settings.duration_unit == "days"
        assert [v.name for v in templates.list_templates(session)] == ["Monthly"]
        templates.delete_template(session, name="monthly")
        assert templates.count_templates(session) == 0


def test_a_template_with_every_setting_round_trips(catalog_site):
    with catalog_site.session() as session:
        create_collection(session, CollectionCreate(name="Servers"))
        templates.create_template(session, name="Everything", description="every setting changed",
                                  settings=make_settings(EVERY_CHANGED))
        text = dump_template(templates.export_template(session, name="Everything"))
        document = parse_template(text)
        assert document.settings == EVERY_CHANGED
        assert not templates.plan_template_import(session, document=document).changed
        templates.delete_template(session, name="Everything")
        plan = templates.plan_template_import(session, document=document)
        assert plan.template_id is None and plan.changed
        templates.apply_template_import(session, plan=plan)
        assert dump_template(templates.export_template(session, name="Everything")) == text
        assert templates.get_template(session, name="Everything").settings.model_dump() == EVERY_CHANGED


def test_the_export_lists_every_setting_in_the_wizards_order():
    text = dump_template(TemplateDocument("Defaults", None, TemplateSettings().model_dump()))
    keys = [line.split(" = ")[0] for line in text.split("[settings]\n", 1)[1].splitlines()]
    assert keys == [s.name for s in SETTINGS if s.default is not None]  # TOML has no null: no collection, no line
    assert parse_template(text).settings == {k: v for k, v in TemplateSettings().model_dump().items() if v is not None}


def test_an_import_plan_shows_each_changed_setting(catalog_site):
    with catalog_site.session() as session:
        templates.create_template(session, name="Workstations")
        session.commit()
        document = TemplateDocument("Workstations", None, {"duration": 5, "duration_unit": "days", "time_basis": "utc"})
        plan = templates.plan_template_import(session, document=document)
        assert plan.lines() == [
            "deployment template 'Workstations': 3 setting(s) changed",
            '  time_basis: "client_local" -> "utc"', "  duration: 2 -> 5", '  duration_unit: "weeks" -> "days"',
        ]
        session.rollback()
        assert templates.get_template(session, name="Workstations").settings == TemplateSettings()
        bad = TemplateDocument("Workstations", None, {"duration": 500, "duration_unit": "days"})
        with pytest.raises(TemplateError, match="at most 365 days"):
            templates.plan_template_import(session, document=bad)


@pytest.mark.parametrize("text, message", [
    ('format = "sumtui-deployment-template/1"\nname = "x"\n[settings]\nduration = \n', "not valid TOML"),
    ('name = "x"\n', "not a sumtui deployment template file (no format line"),
    ('format = "sumtui-update-list/1"\nname = "x"\n', "format = 'sumtui-update-list/1'"),
    ('format = "sumtui-deployment-template/1"\nname = "x"\ncolour = "red"\n', "unknown key 'colour'"),
    ('format = "sumtui-deployment-template/1"\nname = 5\n', "name must be a string"),
    ('format = "sumtui-deployment-template/1"\nname = "  "\n', "has no name"),
    ('format = "sumtui-deployment-template/1"\nname = "x"\nsettings = 3\n', "settings must be a table"),
])
def test_bad_template_files_are_refused_naming_the_file(text, message):
    with pytest.raises(TomlFileError) as raised:
        parse_template(text, source="ring0.toml")
    assert str(raised.value).startswith("ring0.toml: ") and message in str(raised.value)


@pytest.mark.parametrize("text, message", [
    ('format = "sumtui-update-list/1"\nname = "x"\nupdates = "KB1"\n', "updates must be an array of tables"),
    ('format = "sumtui-update-list/1"\nname = "x"\n[[updates]]\nproduct_id = "1"\n', "update 1: has no kb"),
    ('format = "sumtui-update-list/1"\nname = "x"\n[[updates]]\nkb = 4592440\n', "update 1: kb must be a string"),
    ('format = "sumtui-update-list/1"\nname = "x"\n[[updates]]\nkb = "KB1"\n[[updates]]\nkb = "KB2"\nsize = 3\n',
     "update 2: unknown key 'size'"),
])
def test_bad_list_files_are_refused_naming_the_entry(text, message):
    with pytest.raises(TomlFileError, match="^list.toml: ") as raised:
        parse_list(text, source="list.toml")
    assert message in str(raised.value)


def test_hostile_template_names_from_files_are_refused(catalog_site):
    text = 'format = "sumtui-deployment-template/1"\nname = "Ring \\u001b[31m0\\u202e"\n'
    with catalog_site.session() as session:
        with pytest.raises(TemplateError) as raised:
            templates.plan_template_import(session, document=parse_template(text))
        assert "'Ring \\x1b[31m0\\u202e'" in str(raised.value)
        assert templates.count_templates(session) == 0


@pytest.mark.parametrize(("duration", "unit", "available", "deadline"), [
    (36, "hours", "2026-12-31 20:00", "2027-01-02 08:00"),
    (10, "days", "2026-12-25 02:00", "2027-01-04 02:00"),
    (2, "weeks", "2026-12-04 18:30", "2026-12-18 18:30"),
    (1, "months", "2027-01-31 02:00", "2027-02-28 02:00"),
    (1, "months", "2028-01-31 02:00", "2028-02-29 02:00"),  # a leap year
    (2, "months", "2026-12-15 02:00", "2027-02-15 02:00"),
    (12, "months", "2026-12-04 02:00", "2027-12-04 02:00"),
])
def test_the_duration_puts_the_deadline_after_the_available_time(duration, unit, available, deadline):
    from datetime import datetime

    from sumtui.deploy.templates import deadline_after

    settings = make_settings({"duration": duration, "duration_unit": unit})
    assert deadline_after(settings, datetime.fromisoformat(available)) == datetime.fromisoformat(deadline)
