"""The Tasklist's views through the Flask test client, on both databases: who sees and may do what, the form check
field by field, comments, the case history across called cases, and the Start page."""
from __future__ import annotations

import re
from datetime import date

import pytest

from app.demo import create_demo_identities
from app.services import comments, tasks
from app.services.context import SYSTEM
from app.services.jilin_records import today_in_jilin
from app.web.tasklist_forms import check, field_views, parse
from tests.integration.test_jilin_rules import decide_work_injury, file_claim
from tests.jilin_flow import deploy_pack, task

NUMBER = {"id": "headcount", "label": "人数", "type": "long",
          "validation": [{"name": "required"}, {"name": "min", "config": "1"}, {"name": "max", "config": "50"}]}
TEXT = {"id": "note", "label": "意见", "type": "string", "validation": [{"name": "minlength", "config": "4"}]}
FLAG = {"id": "approved", "label": "通过", "type": "boolean", "validation": [{"name": "required"}]}


@pytest.fixture
def pack(kb):
    return deploy_pack(kb)


@pytest.fixture
def claim(pack):
    """A claim filed in changchun today: 受理审核 waits in changchun-hrss's queue."""
    file_claim(pack, "GS-8001", today_in_jilin(), today_in_jilin())
    return task(pack, "GS-8001", "受理审核")


class Browser:
    """The test client logged in as one user, posting forms with the session's CSRF token."""

    def __init__(self, app, user: str):
        self.client = app.test_client()
        answer = self.client.post("/login", json={"username": user, "password": "demo"})
        assert answer.status_code == 200, answer.data
        self.token = answer.get_json()["csrfToken"]

    def get(self, path: str) -> str:
        answer = self.client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        return answer.get_data(as_text=True)

    def post(self, path: str, follow: bool = True, **form) -> tuple[int, str]:
        answer = self.client.post(path, data={"csrf_token": self.token, **form}, follow_redirects=follow)
        return answer.status_code, answer.get_data(as_text=True)


def field_errors(html: str) -> dict[str, str]:
    """The message shown next to each field, by field id."""
    found = {}
    for part in html.split('<label class="tl-field')[1:]:
        field = re.search(r'data-field="(\w+)"', part).group(1)
        message = re.search(r'class="field-error"[^>]*>([^<]+)<', part.split("</label>")[0])
        if message:
            found[field] = message.group(1)
    return found


def counts(html: str) -> dict[str, int]:
    return {view: int(n) for view, n in re.findall(r'data-view="(\w+)".*?class="count">(\d+)<', html, re.S)}


def test_the_queue_holds_what_is_offered_to_my_agency_in_my_region_and_counts_it(app, claim):
    assert counts(Browser(app, "changchun.hrss").get("/tasks")) == {"queue": 1, "mine": 0, "all": 1}
    for other in ("changchun.ssb", "jilin.hrss"):  # another agency of the region; the same agency elsewhere
        html = Browser(app, other).get("/tasks?view=all")
        assert counts(html) == {"queue": 0, "mine": 0, "all": 0} and "GS-8001" not in html
    assert Browser(app, "jilin.hrss").client.get(f"/tasks/{claim.id}").status_code == 404


def test_a_regions_manager_follows_the_task_but_may_not_claim_it(app, claim):
    create_demo_identities(app.extensions["kuaibao"])  # the managers' read grants (each test starts without rows)
    manager = Browser(app, "changchun.manager")
    html = manager.get(f"/tasks/{claim.id}")
    assert counts(html)["all"] == 1 and 'id="tl-claim"' not in html
    assert "您可以查看此任务，但无权办理。" in html
    status, html = manager.post(f"/tasks/{claim.id}/claim")
    assert status == 200 and "您无权对该任务执行此操作。" in html
    assert tasks.get_task(app.extensions["kuaibao"], SYSTEM, claim.id).assignee is None


def test_a_form_post_without_the_sessions_csrf_token_is_refused(app, claim):
    worker = Browser(app, "changchun.hrss")
    worker.token = "forged"
    status, _html = worker.post(f"/tasks/{claim.id}/claim", follow=False)
    assert status == 403


def test_claim_then_unclaim_returns_the_task_to_the_queue(app, claim):
    worker = Browser(app, "changchun.hrss")
    status, html = worker.post(f"/tasks/{claim.id}/claim", list="view=queue&sort=due")
    assert status == 200 and "您已认领该任务" in html and 'id="tl-complete"' in html
    assert counts(html) == {"queue": 0, "mine": 1, "all": 1}
    answer = worker.client.post(f"/tasks/{claim.id}/unclaim", data={"csrf_token": worker.token,
                                                                    "list": "view=queue&sort=due"})
    assert answer.headers["Location"] == "/tasks?sort=due"  # back to the same list
    assert counts(worker.get("/tasks")) == {"queue": 1, "mine": 0, "all": 1}


def test_a_task_claimed_by_someone_else_cannot_be_claimed_or_completed(app, claim):
    tasks.claim(app.extensions["kuaibao"], SYSTEM, claim.id, "someone.else")
    worker = Browser(app, "changchun.hrss")
    html = worker.get(f"/tasks/{claim.id}")
    assert "someone.else 办理中" in html and "只有该任务的办理人可以办结。" in html
    assert 'id="tl-complete"' not in html and 'id="tl-claim"' not in html
    status, html = worker.post(f"/tasks/{claim.id}/claim")
    assert "该任务已被他人认领。" in html


def test_a_refused_completion_names_each_field_and_keeps_what_was_typed(app, claim):
    worker = Browser(app, "changchun.hrss")
    worker.post(f"/tasks/{claim.id}/claim")
    status, html = worker.post(f"/tasks/{claim.id}/complete", materials_complete="", clear_case="maybe",
                               missing_materials="身份证复印件")
    assert status == 200
    assert field_errors(html) == {"clear_case": "请选择“是”或“否”。", "materials_complete": "此项为必填项。"}
    status, html = worker.post(f"/tasks/{claim.id}/complete", materials_complete="", clear_case="true",
                               missing_materials="身份证复印件")
    assert field_errors(html) == {"materials_complete": "此项为必填项。"}
    assert "身份证复印件</textarea>" in html and '<option value="true" selected>' in html
    assert task(app.extensions["kuaibao"], "GS-8001", "受理审核").id == claim.id  # nothing was completed

    answer = worker.client.post(f"/tasks/{claim.id}/complete", data={
        "csrf_token": worker.token, "materials_complete": "true", "clear_case": "true", "missing_materials": ""})
    following = task(app.extensions["kuaibao"], "GS-8001", "调查核实")
    assert answer.headers["Location"] == f"/tasks/{following.id}"


def test_the_form_check_reports_types_and_limits_in_the_pages_language(app):
    fields = [NUMBER, TEXT, FLAG]
    with app.test_request_context("/"):
        values, errors, raw = parse(fields, {"headcount": "3.5", "note": "短", "approved": ""})
        assert errors == {"headcount": "请输入整数。"} and raw["note"] == "短"
        assert check(fields, values) == {"headcount": "此项为必填项。", "note": "请至少输入 4 个字符。",
                                         "approved": "此项为必填项。"}  # the page shows the type error instead
        values, errors, _raw = parse(fields, {"headcount": "80", "note": "", "approved": "false"})
        assert errors == {} and check(fields, values) == {"headcount": "不得大于 50。"}
        views = {v.id: v for v in field_views(fields, {"approved": True})}
        assert views["headcount"].widget == "number" and views["headcount"].attrs["max"] == "50"
        assert views["approved"].value == "true" and views["note"].attrs == {"minlength": "4"}


def test_comments_are_written_on_the_task_and_listed(app, claim):
    worker = Browser(app, "changchun.hrss")
    status, html = worker.post(f"/tasks/{claim.id}/comments", message="已电话联系网点补充材料")
    assert "备注已添加。" in html and "已电话联系网点补充材料" in html
    assert [c.message for c in comments.list_comments(app.extensions["kuaibao"], SYSTEM, claim.id)] == \
        ["已电话联系网点补充材料"]
    status, html = worker.post(f"/tasks/{claim.id}/comments", message="  ")
    assert "请先填写备注内容。" in html


def test_the_history_beside_a_called_cases_task_shows_the_whole_case(app, pack):
    file_claim(pack, "GS-8002", today_in_jilin(), today_in_jilin())
    decide_work_injury(pack, "GS-8002")
    appraisal = task(pack, "GS-8002", "受理鉴定申请")
    html = Browser(app, "changchun.appraisal").get(f"/tasks/{appraisal.id}")
    timeline = html[html.index('class="tl-timeline"'):html.index("tl-log")]
    assert timeline.index("受理审核") < timeline.index("作出认定决定") < timeline.index("受理鉴定申请")
    assert "劳动能力鉴定</span>" in timeline  # steps of the called case are marked with its process
    assert "发起案件" in html and "办结" in html  # the operation log: who started it, who completed what


def test_the_lists_filters_sorting_and_paging_are_kept_in_the_address(app, pack):
    for n in range(27):
        file_claim(pack, f"GS-81{n:02d}", today_in_jilin(), today_in_jilin())
    worker = Browser(app, "changchun.hrss")
    html = worker.get("/tasks?sort=due&page=2")
    assert html.count('class="tl-task-link"') == 2 and "第 2 页，共 2 页" in html
    html = worker.get("/tasks?key=8105")
    assert html.count('class="tl-task-link"') == 1 and "GS-8105" in html
    html = worker.get("/tasks?stage=benefit_payment")
    assert 'class="tl-task-link"' not in html and "没有符合筛选条件的任务。" in html
    html = worker.get("/tasks?due_after=2000-01-01&due_before=2000-01-02&page=x&sort=nonsense")
    assert "没有符合筛选条件的任务。" in html  # a stale or odd address still opens


def test_an_outlet_starts_only_its_processes_and_a_start_form_is_checked_field_by_field(app, pack):
    outlet = Browser(app, "outlet.jl-kd-0001")
    html = outlet.get("/tasks/start")
    assert re.findall(r'data-key="(\w+)"', html) == ["personnel_change", "injury_claim"]
    assert outlet.client.get("/tasks/start/contribution").status_code == 404
    today = today_in_jilin().isoformat()
    form = dict(claim_no="GS-8201", courier_id="C-0001", outlet_id="JL-KD-0001", region="changchun",
                accident_date=today, filed_on=today, applicant_kind="employer", description="派件途中摔伤")
    answer = outlet.client.post("/tasks/start/injury_claim", data={"csrf_token": outlet.token, **form})
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/tasks/started/")
    assert "GS-8201" in outlet.get(answer.headers["Location"])
    status, html = outlet.post("/tasks/start/injury_claim", **{**form, "claim_no": "GS-8202", "filed_on": "2024-3-1"})
    assert field_errors(html) == {"filed_on": "请至少输入 10 个字符。"} and 'value="GS-8202"' in html
    assert outlet.client.get("/tasks/start/injury_claim").status_code == 200


def test_a_process_manager_assigns_a_task_to_a_case_worker(app, claim):
    admin = Browser(app, "jl.admin")
    html = admin.get(f"/tasks/{claim.id}")
    assert 'id="tl-assign"' in html and '<option value="changchun.hrss">' in html
    status, html = admin.post(f"/tasks/{claim.id}/assign", user_id="changchun.hrss")
    assert "该任务已指派给 changchun.hrss。" in html
    assert counts(Browser(app, "changchun.hrss").get("/tasks"))["mine"] == 1


def test_dates_show_in_the_agencies_zone():
    from datetime import datetime

    from app.services.local_time import start_of_day_utc
    from app.web.tasklist_dates import due_state
    from app.web.time_text import show_time
    assert show_time(datetime(2024, 3, 5, 18, 30)) == "2024-03-06 02:30"
    assert start_of_day_utc(date(2024, 3, 6)) == datetime(2024, 3, 5, 16, 0)
    now = datetime(2024, 3, 5, 12, 0)
    assert [due_state(datetime(2024, 3, d, 12, 0), now) for d in (4, 6, 9)] == ["overdue", "soon", None]
