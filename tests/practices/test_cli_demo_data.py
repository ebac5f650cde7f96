"""`flask practices list|import`, the demo seeder, the personal-data export and erasure, and
the OpenAPI document."""
from __future__ import annotations

import textwrap

from sqlalchemy import func, select

from action_lms.demo import seed
from action_lms.practices.models import Practice
from action_lms.practices.services import DEMO_FILE

from ..factories import make_city, make_practice, make_user
from ..helpers import api_as


def _lines(result) -> list[list[str]]:
    assert result.exit_code == 0, result.output
    return [line.split("\t") for line in result.output.splitlines()]


# ---------------------------------------------------------------- list


def test_list_shows_every_practice_and_filters(app, world):
    runner = app.test_cli_runner()
    rows = _lines(runner.invoke(args=["practices", "list"]))
    assert len(rows) == 5 and all(len(r) == 5 for r in rows)
    by_id = {int(r[0]): r for r in rows}
    assert by_id[world.draft.id][1:3] == ["Barcelona", "draft"] and by_id[world.draft.id][4] == world.draft.title
    assert by_id[world.draft.id][3].endswith("Z")
    assert [int(r[0]) for r in _lines(runner.invoke(args=["practices", "list", "--status", "submitted"]))] == [
        world.submitted.id]
    assert {r[1] for r in _lines(runner.invoke(args=["practices", "list", "--city", "bologna"]))} == {"Bologna"}
    assert _lines(runner.invoke(args=["practices", "list", "--city", "Graz"])) == [["No practices."]]


def test_list_refuses_an_unknown_city_or_status(app, world):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["practices", "list", "--city", "Atlantis"])
    assert unknown.exit_code != 0 and "Atlantis" in unknown.output
    assert runner.invoke(args=["practices", "list", "--status", "lost"]).exit_code != 0


# ---------------------------------------------------------------- import

GOOD = """\
- city: barcelona
  title: Anti-rumour agents
  summary: Volunteers answer prejudice with facts.
  description: Trained by the city, *in every district*.
  commitments: [4, 8]
  languages: [es, ca]
  milestone_keys: [implementation]
  links: [{title: Leaflet, url: "https://example.org/leaflet"}]
  contact: {contact}
  started_year: 2010
- city: Bologna
  title: Equal treatment in the registry office
  summary: Clear information for every resident.
  description: Forms and letters rewritten with residents.
  commitments: [6]
  languages: [it]
  status: draft
"""


def write(tmp_path, text, name="practices.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


def test_import_creates_then_changes_nothing_then_updates(app, world, session, tmp_path):
    runner = app.test_cli_runner()
    path = write(tmp_path, GOOD.replace("{contact}", world.bcn_learner.email.upper()))
    first = runner.invoke(args=["practices", "import", path])
    assert first.exit_code == 0, first.output
    assert "created: Barcelona: Anti-rumour agents" in first.output and "2 created" in first.output
    practice = session.scalar(select(Practice).where(Practice.title == "Anti-rumour agents"))
    assert practice.status == "published" and practice.city_id == world.barcelona.id
    assert practice.contact_id == world.bcn_learner.id and practice.languages == ["es", "ca"]
    assert "<em>in every district</em>" in practice.description_html
    assert session.scalar(select(Practice.status).where(Practice.title == "Equal treatment in the registry office")) == "draft"
    stamp, count = practice.updated_at, session.scalar(select(func.count(Practice.id)))
    again = runner.invoke(args=["practices", "import", path])
    assert again.exit_code == 0 and "0 created, 0 updated, 2 unchanged" in again.output, again.output
    session.expire_all()
    assert session.scalar(select(func.count(Practice.id))) == count
    assert session.get(Practice, practice.id).updated_at == stamp
    changed = runner.invoke(args=["practices", "import", write(tmp_path, GOOD.replace("{contact}", world.bcn_learner.email)
                                                              .replace("title: Anti-rumour agents", "title: ANTI-RUMOUR AGENTS")
                                                              .replace("[4, 8]", "[4]"))])
    assert changed.exit_code == 0 and "updated: Barcelona: ANTI-RUMOUR AGENTS" in changed.output, changed.output
    session.expire_all()
    assert session.get(Practice, practice.id).commitments == [4]  # matched by (city, title), any case
    assert session.scalar(select(func.count(Practice.id))) == count
    found = api_as(app.test_client(), world.bologna_learner).get("/api/v1/practices?q=rumour").get_json()
    assert [p["id"] for p in found] == [practice.id]  # its search text is written too


BAD = """\
- city: Atlantis
  title: Nowhere
  summary: s
  description: d
  commitments: [1]
  languages: [en]
- city: Barcelona
  title: ""
  summary: s
  description: d
  commitments: [12]
  languages: [Spanish]
  links: [{title: Plan, url: "javascript:alert(1)"}]
  colour: blue
- city: Barcelona
  title: Good one
  summary: s
  description: d
  commitments: [1]
  languages: [en]
  contact: nobody@example.org
- just a string
- city: Bologna
  title: Twice
  summary: s
  description: d
  commitments: [1]
  languages: [en]
  status: lost
- city: Bologna
  title: Fine
  summary: s
  description: d
  commitments: [1]
  languages: [en]
- city: Bologna
  title: FINE
  summary: s
  description: d
  commitments: [1]
  languages: [en]
"""


def test_a_bad_file_lists_every_problem_and_imports_nothing(app, world, session, tmp_path):
    count = session.scalar(select(func.count(Practice.id)))
    result = app.test_cli_runner().invoke(args=["practices", "import", write(tmp_path, BAD)])
    assert result.exit_code == 1
    out = result.output
    for expected in ("entry 1: city: no city is named 'Atlantis'", "entry 2: title: This field is required.",
                     "entry 2: commitments:", "entry 2: languages:", "entry 2: links.0.url:",
                     "entry 2: unknown field 'colour'", "entry 3: contact:", "entry 4: expected a mapping",
                     "entry 5: status:", "entry 7: the same city and title as entry 6",
                     "nothing was imported"):
        assert expected in out, (expected, out)
    session.expire_all()
    assert session.scalar(select(func.count(Practice.id))) == count  # not even the good entries


def test_files_that_are_not_a_list_of_practices(app, world, tmp_path):
    runner = app.test_cli_runner()
    for text, message in (("title: just one", "expected a list"), ("- [unclosed", "not valid YAML at line"),):
        result = runner.invoke(args=["practices", "import", write(tmp_path, text)])
        assert result.exit_code == 1 and message in result.output, result.output
    missing = runner.invoke(args=["practices", "import", str(tmp_path / "missing.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output
    wrapped = runner.invoke(args=["practices", "import", write(tmp_path, "practices:\n" + textwrap.indent(
        GOOD.replace("  contact: {contact}\n", ""), "  "))])
    assert wrapped.exit_code == 0 and "2 created" in wrapped.output, wrapped.output


# ---------------------------------------------------------------- demo


def test_demo_seed_publishes_the_demo_practices_once(app, session):
    seed()
    practices = list(session.scalars(select(Practice).order_by(Practice.id)))
    assert len(practices) == 4 and {p.status for p in practices} == {"published"}
    by_city = {p.city.name: p for p in practices}
    barcelona, bologna = by_city["Barcelona"], by_city["Bologna"]
    assert barcelona.commitments == [1, 3, 8] and barcelona.languages == ["es", "ca", "en"]
    assert bologna.commitments == [5, 6] and bologna.languages == ["it", "en"]
    assert "Guidebook on Local Actions against Anti-Muslim Racism" in barcelona.featured_in
    assert "Guidebook on Local Actions against Anti-Muslim Racism" in bologna.featured_in
    assert "stakeholder_consultation" in barcelona.milestone_keys and "draft_plan" in barcelona.milestone_keys
    assert by_city["Graz"].contact is not None and by_city["Graz"].contact.email == "coordinator@demo.action-lms.eu"
    stamps = [p.updated_at for p in practices]
    seed()
    session.expire_all()
    assert [p.updated_at for p in session.scalars(select(Practice).order_by(Practice.id))] == stamps
    learner = make_user("learner")
    api = api_as(app.test_client(), learner)
    assert [p["city"]["name"] for p in api.get("/api/v1/practices?q=gundogdu").get_json()] == ["Botkyrka"]
    assert api.get("/api/v1/practices?q=islamophobie").get_json()[0]["city"]["name"] == "Barcelona"
    assert [p["city"]["name"] for p in api.get("/api/v1/practices?q=bologna").get_json()] == ["Bologna"]


def test_the_demo_file_is_the_one_shipped(app):
    assert DEMO_FILE.name == "demo_practices.yaml" and DEMO_FILE.exists()


# ---------------------------------------------------------------- personal data


def test_export_lists_what_i_created_or_am_the_contact_for(client, session):
    city = make_city("Ghent", "BE", "Europe/Brussels")
    me = make_user("coordinator", city=city)
    mine = make_practice(city, "Mine", created_by_id=me.id)
    contact = make_practice(city, "I am the contact", contact_id=me.id)
    make_practice(city, "Someone else's")
    data = api_as(client, me).get("/api/v1/me/data").get_json()["practices"]
    assert [(d["id"], d["created_by_me"], d["i_am_the_contact"]) for d in data] == [
        (mine.id, True, False), (contact.id, False, True)]
    assert data[0]["city"] == "Ghent" and data[0]["status"] == "published"


def test_erasure_keeps_the_practices_without_the_person(client, session):
    city = make_city("Ghent", "BE", "Europe/Brussels")
    me = make_user("coordinator", city=city)
    practice = make_practice(city, "Ghent's equality data", created_by_id=me.id, contact_id=me.id)
    response = api_as(client, me).delete("/api/v1/me")
    assert response.status_code == 204, response.get_data(as_text=True)
    session.expire_all()
    kept = session.get(Practice, practice.id)
    assert kept is not None and kept.contact_id is None and kept.created_by_id is None
    reader = api_as(client, make_user("learner")).get(f"/api/v1/practices/{practice.id}").get_json()
    assert reader["contact"] is None


def test_openapi_documents_the_practices_contract(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, method in [
        ("/api/v1/practices", "get"), ("/api/v1/practices", "post"), ("/api/v1/practices/{practice_id}", "get"),
        ("/api/v1/practices/{practice_id}", "patch"), ("/api/v1/practices/{practice_id}/submit", "post"),
        ("/api/v1/practices/{practice_id}/publish", "post"), ("/api/v1/practices/{practice_id}/archive", "post"),
        ("/api/v1/practices/{practice_id}/send-back", "post"),
    ]:
        assert method in spec["paths"][path], (path, method)
    params = {p["name"] for p in spec["paths"]["/api/v1/practices"]["get"]["parameters"]}
    assert {"q", "commitment", "milestone", "country", "language", "city_id", "status", "page", "page_size"} <= params
