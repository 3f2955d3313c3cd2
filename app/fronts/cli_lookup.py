"""What the command line's arguments name, found in the store: a record by id, id prefix,
serial or name (as `yishi list` prints them), and a rota's period; refusals say how to look it up."""

from __future__ import annotations

from app.common.errors import AppError


def resolve_id(store, doc: str, given: str | None) -> str | None:
    """Accept a full id, its first characters (as `list` prints them), an opinion's serial
    (YJ2026-0001) or feedback serial, or a delegate's name."""
    from app.documents.catalog import DOCS

    subject = DOCS.get(doc, (None, None, None))[2]
    if not given or subject in (None, "year", "period") or len(given) >= 36:
        return given
    if subject == "round":
        if doc == "notice" and store.meetings.find_ids(given):
            return resolve_id(store, "meeting_notice", given)
        return resolve_round(store, given)
    service, columns = {"meeting": (store.meetings, ()), "opinion": (store.opinions, ("serial", "feedback_serial")),
                        "delegate": (store.delegates, ("name",))}[subject]
    # an id's first characters as typed; a serial in capitals (yj2026-0001 is YJ2026-0001)
    by_value = service.find_ids(given.upper(), columns, prefix=False) if columns else []
    matches = [*dict.fromkeys(service.find_ids(given) + by_value)]
    if len(matches) > 1:
        raise AppError(f"“{given}”对应多条记录，请写得更长一些")
    return matches[0] if matches else given


def period(args) -> str | None:
    """A rota's period from --month or --quarter (not both), checked."""
    from app.services.receptions import period_months

    if args.month and args.quarter:
        raise AppError("--month 和 --quarter 只能选一个")
    given = args.month or args.quarter
    if args.month and "Q" in args.month.upper() or args.quarter and "Q" not in args.quarter.upper():
        raise AppError("--month 写月份（如 2026-03），--quarter 写季度（如 2026-Q1）")
    if given:
        period_months(given)
    return given.upper() if given else None


def resolve_hall(store, given: str) -> str:
    from app.rules.codes import NEIGHBOURHOOD_HALL

    found = [i for i in store.venues.find_ids(given, ("name",)) if store.venues.get(i)["level"] == NEIGHBOURHOOD_HALL]
    if len(found) != 1:
        raise AppError(f"找不到邻里议事堂“{given}”（可用 yishi list venues 查看）" if not found
                       else f"“{given}”对应多个议事堂，请写得更长一些")
    return found[0]


def resolve_term(store, given: str) -> str:
    matches = store.terms.find_ids(given, ("name",))
    if len(matches) != 1:
        raise AppError(f"找不到届次“{given}”（可用 yishi list terms 查看）" if not matches
                       else f"“{given}”对应多个届次，请写得更长一些")
    return matches[0]


def resolve_round(store, given: str | None) -> str | None:
    """A round by id, id prefix or name; none given: the latest round."""
    if not given:
        return store.nomination.current_id()
    matches = store.nomination.find_ids(given, ("name",))
    if len(matches) > 1:
        raise AppError(f"“{given}”对应多个推选批次，请写得更长一些")
    if not matches:
        raise AppError(f"找不到推选批次“{given}”（可用 yishi list rounds 查看）")
    return matches[0]
