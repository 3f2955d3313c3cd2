"""What `yishi list KIND` shows of each kind: the fields of its JSON items and its lines of text."""

from __future__ import annotations

from app.fronts.cli_lookup import resolve_round


def listing(store, args) -> tuple[list[dict], list[str], dict]:
    """The items, the lines, and what the JSON adds for the kind (visits of a month: who has not
    visited)."""
    from app.services.delegates import RosterFilter

    items_extra: dict = {}
    if args.kind == "opinions":
        from app.services.opinions import OpinionFilter

        flt = OpinionFilter(search=args.search, step=args.step, overdue=args.overdue, descending=False,
                           date_from=f"{args.year}-01-01" if args.year else None,
                           date_to=f"{args.year}-12-31" if args.year else None)
        rows = store.opinions.page(flt, limit=None)
        items = [{"id": r["id"], "serial": r["serial"], "title": r["title"], "content": r["content"],
                  "category": r["category"], "status": r["status"], "step": r["step"],
                  "deadline": r["deadline"], "overdue": r["overdue"], "lead_unit": r["lead_unit"],
                  "delegate": r["delegate_name"], "received_on": r["received_on"],
                  # the step it waits at, when that is due, late or not; 按期办结 once answered
                  "waiting_for": r["clock_label"] or None, "step_due": r["step_due"], "step_late": r["step_late"],
                  "flag": r["flag"], "answered_on": r["answered_on"], "on_time": r["on_time"],
                  "raised_at": r.get("raised_meeting_id")} for r in rows]
        lines = [f"{r['serial']}\t{r['received_on']}\t{r['status_label']}\t{r['title']}"
                 f"{'（' + r['flag'] + '）' if r['step_late'] else ''}"
                 f"{'（' + r['on_time_label'] + '）' if r['on_time'] is not None else ''}" for r in rows]
    elif args.kind == "meetings":
        from app.services.meetings import MeetingFilter

        rows = store.meetings.page(MeetingFilter(year=args.year, search=args.search, descending=False),
                                   limit=None)
        items = [{"id": r["id"], "kind": r["kind"], "date": r["date"], "title": r["title"],
                  "status": r["status"], "group": r["group_name"], "place": r["place"]} for r in rows]
        lines = [f"{r['id'][:8]}\t{r['date']}\t{r['kind_label']}\t{r['title']}\t{r['status_label']}"
                 for r in rows]
    elif args.kind == "delegates":
        rows = store.delegates.page(RosterFilter(search=args.search, status=None), limit=None)
        items = [{"id": r["id"], "name": r["name"], "status": r["status"],
                  "community": r["community_name"], "group": r["group_name"],
                  "role": r["group_role"], "id_number": r["id_masked"], "phone": r["phone"]}
                 for r in rows]
        lines = [f"{r['name']}\t{r['community_name'] or ''}\t{r['group_name'] or ''}\t"
                 f"{r['role_label']}\t{r['status_label']}" for r in rows]
    elif args.kind == "visits":
        from app.services.visits import VisitFilter, month_of

        month = month_of(args.month) if args.month else None
        rows = store.visits.list(VisitFilter(month=month, year=args.year, search=args.search))
        items = [{"id": r["id"], "day": r["day"], "delegate": r["delegate_name"], "grid": r["grid_name"],
                  "community": r["community_name"], "group": r["group_name"], "residents_met": r["residents_met"],
                  "matters": r["matters"], "opinions": r["opinion_count"]} for r in rows]
        lines = [f"{r['day']}\t{r['delegate_name']}\t{r['community_name'] or ''} {r['grid_name']}\t"
                 f"{r['matters'] or ''}" for r in rows]
        if month:  # who has not visited that month
            missing = store.visits.not_visited(month)
            items_extra = {"month": month, "not_visited": [{"id": r["id"], "name": r["name"],
                                                            "group": r["group_name"]} for r in missing]}
            lines.append(f"{month} 未走访网格的代表 {len(missing)} 人：" + "、".join(r["name"] for r in missing))
    elif args.kind == "actions":
        from app.services.action_items import ActionFilter

        rows = store.action_items.list(ActionFilter(overdue=args.overdue, year=args.year, search=args.search))
        items = [{"id": r["id"], "content": r["content"], "meeting": r["meeting_title"],
                  "meeting_date": r["meeting_date"], "unit": r["unit"], "person": r["person"],
                  "deadline": r["deadline"], "status": r["shown_status"], "overdue": r["overdue"],
                  "done_on": r["done_on"], "ledger": r["opinions"]} for r in rows]
        lines = [f"{r['id'][:8]}\t{r['deadline'] or '—'}\t{r['status_label']}\t{r['content']}\t{r['unit'] or ''}"
                 for r in rows]
    elif args.kind == "terms":
        rows = store.terms.list()
        items = [{"id": r["id"], "name": r["name"], "start_date": r["start_date"], "end_date": r["end_date"],
                  "closed_on": r["closed_on"], "delegates": r["delegate_count"], "serving": r["serving_count"]}
                 for r in rows]
        lines = [f"{r['name']}\t{r['start_date'] or ''}—{r['end_date'] or ''}\t{r['state_label']}"
                 + (f"（{r['closed_on']} 届满）" if r["closed_on"] else "") + f"\t代表 {r['delegate_count']} 人"
                 for r in rows]
    elif args.kind == "rounds":
        rows = store.nomination.list()
        items = [{"id": r["id"], "name": r["name"], "kind": r["kind"], "state": r["state"], "seats": r["seats"],
                  "candidates": r["candidate_count"], "appointed": r["appointed_count"]} for r in rows]
        lines = [f"{r['id'][:8]}\t{r['name']}\t{r['kind_label']}\t{r['state_label']}\t名额 {r['seats']}\t"
                 f"人选 {r['candidate_count']}\t确定 {r['appointed_count']}" for r in rows]
    elif args.kind == "candidates":
        from app.services.candidates import CandidateFilter

        round_id = resolve_round(store, args.round)
        rows = store.candidates.list(CandidateFilter(round_id=round_id, search=args.search))
        items = [{"id": r["id"], "name": r["name"], "community": r["community_name"], "route": r["route"],
                  "stage": r["stage"], "status": r["status"], "fail_reason": r["fail_reason"],
                  "certificate_no": r["certificate_no"], "id_number": r["id_masked"]} for r in rows]
        lines = [f"{r['name']}\t{r['community_name'] or ''}\t{r['progress']}" for r in rows]
    elif args.kind == "groups":
        # each group against the grouping principles, and its 推选 of leader and deputies
        rows = store.elections.grouping()
        elections = store.elections.list()
        items = [{"id": r["id"], "name": r["name"], "size": r["size"], "communities": r["communities"],
                  "areas": r["areas"], "sectors": dict(r["sectors"]), "size_ok": r["size_ok"],
                  "area_ok": r["area_ok"], "sector_ok": r["sector_ok"],
                  "elections": [{"day": e["day"], "role": e["role"], "delegate": e["delegate_name"],
                                 "members": e["members"], "votes": e["votes"], "result": e["result"]}
                                for e in elections if e["group_id"] == r["id"]]} for r in rows]
        lines = [f"{r['name']}	{r['size_note']}	{r['area_note']}	{r['sector_note']}" for r in rows]
    elif args.kind == "grids":
        rows = store.grids.list()
        items = [{"id": r["id"], "name": r["name"], "number": r["number"], "community": r["community_name"],
                  "worker_name": r["worker_name"], "worker_phone": r["worker_phone"],
                  "delegates": r["delegate_names"]} for r in rows]
        lines = [f"{r['community_name']}\t{r['name']}\t网格员 {r['worker_name'] or '—'} {r['worker_phone'] or ''}\t"
                 f"{r['delegate_names'] or ''}" for r in rows]
    elif args.kind == "venues":
        rows = store.venues.list()
        items = [{"id": r["id"], "name": r["name"], "level": r["level"], "address": r["address"],
                  "build_status": r["build_status"], "opened_on": r["opened_on"]} for r in rows]
        lines = [f"{r['level_label']}\t{r['name']}\t{r['build_label']}"
                 + (f"（{r['opened_on']}）" if r["opened_on"] else "") for r in rows]
    else:
        service = getattr(store, args.kind)
        rows = service.list()
        items = [{"id": r["id"], "name": r["name"]} for r in rows]
        lines = [r["name"] for r in rows]
    return items, lines, items_extra
