"""The database schema, as sqlite-utils migrations.

Every synced table has a TEXT UUID primary key `id` and a `deleted` tombstone
flag; each synced field's last change is stamped in `clocks` (a row's own stamp under the field
name `*` covers the fields without an entry of their own; see `clock.ROW_FIELD`). Derived columns
(search keys) are not synced: they are recomputed from synced fields.

Over the house's ~600 lines on purpose: the migrations are the schema's history in the order they run,
appended and never edited, and SYNCED_FIELDS beside them says what each one's columns sync.
"""

from sqlite_utils.migrations import Migrations

MIGRATION_SET = "yishi"
migrations = Migrations(MIGRATION_SET)

# Synced fields per table (the `deleted` flag is synced too, as a field).
SYNCED_FIELDS: dict[str, tuple[str, ...]] = {
    "terms": ("name", "start_date", "end_date", "notes"),
    "groups": ("name", "focus", "sort_order", "notes"),
    "communities": ("name", "kind", "area", "subdistrict", "group_id", "sort_order", "notes"),
    "grids": ("community_id", "number", "name", "notes"),
    "venues": ("name", "level", "address", "community_id", "group_id", "facilities",
               "schedule", "notes"),
    "rooms": ("venue_id", "name", "sort_order", "capacity", "notes"),
    "delegates": ("name", "gender", "ethnicity", "birth_date", "id_number", "party", "sector",
                  "workplace", "post", "education", "phone", "community_id", "group_id",
                  "group_role", "term_id", "status", "certificate_no", "notes"),
    "delegate_grids": ("delegate_id", "grid_id"),
    # m002: meetings
    "departments": ("name", "sort_order", "full_name"),
    "workflow_steps": ("kind", "phase", "title", "owner", "due_offset", "sort_order"),
    "meetings": ("kind", "title", "date", "start_time", "end_time", "venue_id", "room_id", "group_id",
                 "status", "scope", "agenda", "departments", "visitors", "summary", "decisions",
                 "notes"),
    "meeting_steps": ("meeting_id", "phase", "title", "owner", "due_date", "sort_order", "done_on",
                      "note"),
    "attendance": ("meeting_id", "delegate_id", "name", "unit", "status", "note"),
    "action_items": ("meeting_id", "content", "unit", "person", "deadline", "sort_order"),
    "votes": ("meeting_id", "item", "votes_for", "votes_against", "votes_abstain", "sort_order"),
    "materials": ("meeting_id", "title", "file_name", "sha256", "size"),
    "reception_duties": ("venue_id", "month", "delegate_id"),
    "reception_matters": ("meeting_id", "content", "resident", "sort_order"),
    # m003: the opinion ledger
    "holiday_days": ("day", "kind", "note"),
    "topics": ("group_id", "lead_delegate_id", "title", "summary", "urgency", "feasibility", "status",
               "approved_on",
               "approved_by", "approval_note", "meeting_id", "action_item_id"),
    "opinions": ("serial", "source", "delegate_id", "grid_id", "community_id", "group_id", "received_on",
                 "residents", "contact", "title", "content", "origin_table", "origin_id", "status",
                 "topic_id", "urgency", "feasibility", "decline_reason", "category", "lead_unit",
                 "co_units", "assigned_on", "working_days", "deadline", "key_supervision", "result",
                 "answered_on", "feedback_delegate_on", "feedback_residents_on", "feedback_method",
                 "satisfaction", "closed_on", "feedback_serial"),
    # append-only: written once, never updated (merged by union between offices)
    "supervisions": ("opinion_id", "day", "method", "content", "progress", "actor"),
    "opinion_events": ("opinion_id", "day", "kind", "detail", "actor"),
    "opinion_files": ("opinion_id", "title", "file_name", "sha256", "size"),
    # m004: the term's life of a delegate (append-only history)
    "delegate_events": ("delegate_id", "day", "kind", "detail", "actor"),
    # m005: the selection procedure (两下两上)
    "nomination_rounds": ("term_id", "name", "kind", "opened_on", "seats", "min_age", "min_years",
                          "review_units", "reason", "notice_start", "notice_end", "notice_place",
                          "notice_closed_on", "confirmed_on", "confirm_doc", "certified_on", "filed_on",
                          "filing_doc", "notes"),
    "quotas": ("round_id", "dimension", "key", "rule", "seats", "sort_order", "notes"),
    "candidates": ("round_id", "name", "gender", "ethnicity", "birth_date", "id_number", "citizenship",
                   "party", "sector", "education", "workplace", "post", "phone", "community_id",
                   "resident_since", "route", "recommender", "recommenders", "stage", "status",
                   "fail_stage", "fail_reason", "on_notice", "delegate_id", "certificate_no", "notes"),
    "joint_reviews": ("candidate_id", "unit", "verdict", "note", "day"),
    "objections": ("candidate_id", "received_on", "source", "content", "handling", "resolved_on",
                   "upheld"),
    "candidate_stages": ("candidate_id", "stage", "day", "actor", "verdict", "reason", "detail",
                         "recorded_by"),
    # m006: values displaced by merging packages
    "conflicts": ("at", "package_id", "kind", "tbl", "row_id", "field", "kept_value", "lost_value", "kept_stamp",
                  "lost_stamp", "lost_site", "resolved_at", "resolution"),
    # m008: documents as issued: the 成文日期 and 发文字号 the clerk gave each one
    "issued_docs": ("kind", "record_id", "dated_on", "doc_number"),
    # m009: the work between meetings: grid visits, the group's consultation and plan, follow-up
    "grid_visits": ("delegate_id", "grid_id", "day", "residents_met", "matters", "notes"),
    "consultations": ("topic_id", "delegate_id", "view", "comment", "day"),
    "plans": ("topic_id", "title", "purpose", "participants", "planned_on", "planned_time", "place",
              "steps", "departments", "meeting_id", "drafted_on"),
    "action_progress": ("action_item_id", "day", "note", "status", "actor"),
    # m010: the year on paper: institutions, and the selection's 二下/二上 per community
    "institutions": ("kind", "title", "doc_number", "day", "status", "content", "file_name", "sha256", "size",
                     "sort_order"),
    "leading_members": ("institution_id", "name", "role", "post", "sort_order"),
    "round_returns": ("round_id", "community_id", "step", "day", "note"),
    # m011: the year-end: the clerk's text of the 年度工作总结, and each delegate's 年度评议
    "summary_texts": ("year", "key", "text"),
    "delegate_reviews": ("delegate_id", "year", "grade", "remarks"),
}
APPEND_ONLY = {"supervisions", "opinion_events", "delegate_events", "candidate_stages", "action_progress"}
# m009 columns added to tables of earlier migrations (synced like the rest of their row)
SYNCED_FIELDS["terms"] += ("closed_on",)
SYNCED_FIELDS["action_items"] += ("status", "done_on")
SYNCED_FIELDS["opinions"] += ("visit_id", "reported_on", "reported_to")
SYNCED_FIELDS["nomination_rounds"] += ("self_nomination", "conditions_by", "conditions_doc")
SYNCED_FIELDS["reception_matters"] += ("closed_on", "closed_reason")
# m013: when a photo was taken (a brief shows those of its date and before, in their order)
SYNCED_FIELDS["materials"] += ("taken_on",)
# m014c: the people of the work: delegates who supervised, opinions raised at a meeting and the plenary's
# group discussions, the 实地走访调研 of a topic, a group's election of its leaders
SYNCED_FIELDS.update({
    "supervision_delegates": ("supervision_id", "delegate_id"),
    "meeting_discussions": ("meeting_id", "group_id", "room_id", "start_time", "end_time", "convener_id",
                            "points", "sort_order"),
    "field_surveys": ("topic_id", "day", "place", "units", "findings"),
    "survey_delegates": ("survey_id", "delegate_id"),
    "survey_photos": ("survey_id", "title", "file_name", "sha256", "size"),
    "group_elections": ("group_id", "day", "role", "delegate_id", "members", "votes", "result", "notes"),
})
SYNCED_FIELDS["opinions"] += ("raised_meeting_id",)
APPEND_ONLY.add("supervision_delegates")  # written with its supervision, which is never updated
# m014b: each grid's 网格员; a venue's build status and opening date; the subject type of hall business
SYNCED_FIELDS["grids"] += ("worker_name", "worker_phone")
SYNCED_FIELDS["venues"] += ("build_status", "opened_on")
SYNCED_FIELDS["meetings"] += ("subject",)
SYNCED_FIELDS["reception_matters"] += ("subject",)
# m026: a meeting's attendance as figures (应到/实到/请假/缺席/列席), for meetings an office held before the
# desk and lists without a sign-in list; the sign-in list, where there is one, is what counts
SYNCED_FIELDS["meetings"] += ("count_expected", "count_present", "count_excused", "count_absent", "count_guests")
# m026: whom to call at each department (unit) and how (the 部门（单位）联系表 offices keep)
SYNCED_FIELDS["departments"] += ("contact", "phone")
# m027: the day a topic was settled (确定议题), the step 工委审核 follows
SYNCED_FIELDS["topics"] += ("formed_on",)


@migrations()
def m001_foundation(db):
    for statement in _statements(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);

        CREATE TABLE terms (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, start_date TEXT, end_date TEXT,
            notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);

        CREATE TABLE groups (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, focus TEXT, sort_order INTEGER,
            notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);

        CREATE TABLE communities (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, area TEXT,
            subdistrict TEXT, group_id TEXT REFERENCES groups(id), sort_order INTEGER,
            notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_communities_group ON communities(group_id);

        CREATE TABLE grids (
            id TEXT PRIMARY KEY, community_id TEXT NOT NULL REFERENCES communities(id),
            number INTEGER, name TEXT NOT NULL, notes TEXT,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_grids_community ON grids(community_id, number);

        CREATE TABLE venues (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, address TEXT,
            community_id TEXT REFERENCES communities(id), group_id TEXT REFERENCES groups(id),
            facilities TEXT, schedule TEXT, notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);

        CREATE TABLE rooms (
            id TEXT PRIMARY KEY, venue_id TEXT NOT NULL REFERENCES venues(id), name TEXT NOT NULL,
            sort_order INTEGER, capacity INTEGER, notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_rooms_venue ON rooms(venue_id);

        CREATE TABLE delegates (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, gender TEXT, ethnicity TEXT,
            birth_date TEXT, id_number TEXT, party TEXT, sector TEXT, workplace TEXT,
            post TEXT, education TEXT, phone TEXT,
            community_id TEXT REFERENCES communities(id), group_id TEXT REFERENCES groups(id),
            group_role TEXT NOT NULL DEFAULT 'member', term_id TEXT REFERENCES terms(id),
            status TEXT NOT NULL DEFAULT 'active', certificate_no TEXT, notes TEXT,
            deleted INTEGER NOT NULL DEFAULT 0,
            name_initials TEXT, name_pinyin TEXT);
        CREATE INDEX idx_delegates_community ON delegates(community_id);
        CREATE INDEX idx_delegates_group ON delegates(group_id, group_role);
        CREATE INDEX idx_delegates_name ON delegates(name);
        CREATE INDEX idx_delegates_id_number ON delegates(id_number);

        CREATE TABLE delegate_grids (
            id TEXT PRIMARY KEY, delegate_id TEXT NOT NULL REFERENCES delegates(id),
            grid_id TEXT NOT NULL REFERENCES grids(id), deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_delegate_grids_delegate ON delegate_grids(delegate_id);
        CREATE INDEX idx_delegate_grids_grid ON delegate_grids(grid_id);

        -- The last change of each synced field: the hybrid logical clock stamp.
        CREATE TABLE clocks (
            tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
            wall_ms INTEGER NOT NULL, counter INTEGER NOT NULL, site_id TEXT NOT NULL,
            PRIMARY KEY (tbl, row_id, field)) WITHOUT ROWID;

        -- Append-only, hash-chained audit log.
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL,
            site_id TEXT NOT NULL, action TEXT NOT NULL, summary TEXT NOT NULL,
            details TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
            BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
        """
    ):
        db.execute(statement)


@migrations()
def m002_meetings(db):
    for statement in _statements(
        """
        CREATE TABLE departments (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, sort_order INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);

        -- The editable flowchart template of each meeting kind.
        CREATE TABLE workflow_steps (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, phase TEXT NOT NULL, title TEXT NOT NULL,
            owner TEXT, due_offset INTEGER NOT NULL DEFAULT 0, sort_order INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_workflow_steps_kind ON workflow_steps(kind, sort_order);

        CREATE TABLE meetings (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, date TEXT NOT NULL,
            start_time TEXT, end_time TEXT, venue_id TEXT REFERENCES venues(id),
            room_id TEXT REFERENCES rooms(id), group_id TEXT REFERENCES groups(id),
            status TEXT NOT NULL DEFAULT 'planned', scope TEXT, agenda TEXT, departments TEXT,
            visitors INTEGER, summary TEXT, decisions TEXT, notes TEXT,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_meetings_date ON meetings(date);
        CREATE INDEX idx_meetings_kind_date ON meetings(kind, date);
        CREATE INDEX idx_meetings_room_date ON meetings(room_id, date);
        CREATE INDEX idx_meetings_group ON meetings(group_id, date);
        CREATE INDEX idx_meetings_venue ON meetings(venue_id, date);

        CREATE TABLE meeting_steps (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            phase TEXT NOT NULL, title TEXT NOT NULL, owner TEXT, due_date TEXT,
            sort_order INTEGER, done_on TEXT, note TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_meeting_steps_meeting ON meeting_steps(meeting_id, sort_order);
        CREATE INDEX idx_meeting_steps_due ON meeting_steps(due_date) WHERE done_on IS NULL;

        CREATE TABLE attendance (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            delegate_id TEXT REFERENCES delegates(id), name TEXT, unit TEXT, status TEXT NOT NULL,
            note TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_attendance_meeting ON attendance(meeting_id);
        CREATE INDEX idx_attendance_delegate ON attendance(delegate_id);

        CREATE TABLE action_items (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            content TEXT NOT NULL, unit TEXT, person TEXT, deadline TEXT, sort_order INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_action_items_meeting ON action_items(meeting_id);

        CREATE TABLE votes (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            item TEXT NOT NULL, votes_for INTEGER NOT NULL, votes_against INTEGER NOT NULL,
            votes_abstain INTEGER NOT NULL, sort_order INTEGER, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_votes_meeting ON votes(meeting_id);

        CREATE TABLE materials (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            title TEXT NOT NULL, file_name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_materials_meeting ON materials(meeting_id);

        CREATE TABLE reception_duties (
            id TEXT PRIMARY KEY, venue_id TEXT NOT NULL REFERENCES venues(id), month TEXT NOT NULL,
            delegate_id TEXT NOT NULL REFERENCES delegates(id), deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_reception_duties_month ON reception_duties(month, venue_id);

        CREATE TABLE reception_matters (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            content TEXT NOT NULL, resident TEXT, sort_order INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_reception_matters_meeting ON reception_matters(meeting_id);
        """
    ):
        db.execute(statement)


@migrations()
def m003_ledger(db):
    for statement in _statements(
        """
        -- The clerk's entry of a year's official holiday arrangement (when bundled data lacks it).
        CREATE TABLE holiday_days (
            id TEXT PRIMARY KEY, day TEXT NOT NULL, kind TEXT NOT NULL, note TEXT,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_holiday_days_day ON holiday_days(day);

        CREATE TABLE topics (
            id TEXT PRIMARY KEY, group_id TEXT REFERENCES groups(id),
            lead_delegate_id TEXT REFERENCES delegates(id), title TEXT NOT NULL, summary TEXT,
            urgency INTEGER, feasibility INTEGER, status TEXT NOT NULL DEFAULT 'proposed',
            approved_on TEXT, approved_by TEXT, approval_note TEXT,
            meeting_id TEXT REFERENCES meetings(id), action_item_id TEXT REFERENCES action_items(id),
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_topics_group ON topics(group_id);

        CREATE TABLE opinions (
            id TEXT PRIMARY KEY, serial TEXT, source TEXT NOT NULL,
            delegate_id TEXT REFERENCES delegates(id), grid_id TEXT REFERENCES grids(id),
            community_id TEXT REFERENCES communities(id), group_id TEXT REFERENCES groups(id),
            received_on TEXT NOT NULL, residents INTEGER, contact TEXT, title TEXT NOT NULL,
            content TEXT, origin_table TEXT, origin_id TEXT, status TEXT NOT NULL,
            topic_id TEXT REFERENCES topics(id), urgency INTEGER, feasibility INTEGER,
            decline_reason TEXT, category TEXT, lead_unit TEXT, co_units TEXT, assigned_on TEXT,
            working_days INTEGER, deadline TEXT, key_supervision INTEGER NOT NULL DEFAULT 0,
            result TEXT, answered_on TEXT, feedback_delegate_on TEXT, feedback_residents_on TEXT,
            feedback_method TEXT, satisfaction TEXT, closed_on TEXT, feedback_serial TEXT,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_opinions_received ON opinions(received_on);
        CREATE INDEX idx_opinions_status ON opinions(status, deadline);
        CREATE INDEX idx_opinions_deadline ON opinions(deadline);
        CREATE INDEX idx_opinions_group ON opinions(group_id, received_on);
        CREATE INDEX idx_opinions_delegate ON opinions(delegate_id);
        CREATE INDEX idx_opinions_category ON opinions(category);
        CREATE INDEX idx_opinions_unit ON opinions(lead_unit);
        CREATE INDEX idx_opinions_topic ON opinions(topic_id);
        CREATE INDEX idx_opinions_origin ON opinions(origin_id);
        CREATE UNIQUE INDEX idx_opinions_feedback_serial ON opinions(feedback_serial)
            WHERE feedback_serial IS NOT NULL;

        CREATE TABLE supervisions (
            id TEXT PRIMARY KEY, opinion_id TEXT NOT NULL REFERENCES opinions(id), day TEXT NOT NULL,
            method TEXT NOT NULL, content TEXT NOT NULL, progress TEXT, actor TEXT,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_supervisions_opinion ON supervisions(opinion_id, day);

        CREATE TABLE opinion_events (
            id TEXT PRIMARY KEY, opinion_id TEXT NOT NULL REFERENCES opinions(id), day TEXT NOT NULL,
            kind TEXT NOT NULL, detail TEXT, actor TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_opinion_events_opinion ON opinion_events(opinion_id);

        CREATE TABLE opinion_files (
            id TEXT PRIMARY KEY, opinion_id TEXT NOT NULL REFERENCES opinions(id), title TEXT NOT NULL,
            file_name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_opinion_files_opinion ON opinion_files(opinion_id);

        -- Search: every CJK character and every pinyin initial is a token, so a phrase query
        -- finds any substring ("公交", "gj") through the index instead of scanning.
        CREATE VIRTUAL TABLE opinions_fts USING fts5(chars, initials, tokenize = 'unicode61');
        """
    ):
        db.execute(statement)


@migrations()
def m004_delegate_history(db):
    for statement in _statements(
        """
        CREATE TABLE delegate_events (
            id TEXT PRIMARY KEY, delegate_id TEXT NOT NULL REFERENCES delegates(id), day TEXT NOT NULL,
            kind TEXT NOT NULL, detail TEXT, actor TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_delegate_events_delegate ON delegate_events(delegate_id, day);
        """
    ):
        db.execute(statement)


@migrations()
def m005_nomination(db):
    for statement in _statements(
        """
        -- One run of the 两下两上 procedure (a term's selection, or a by-election).
        CREATE TABLE nomination_rounds (
            id TEXT PRIMARY KEY, term_id TEXT REFERENCES terms(id), name TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'regular', opened_on TEXT NOT NULL, seats INTEGER NOT NULL,
            min_age INTEGER NOT NULL DEFAULT 18, min_years INTEGER NOT NULL DEFAULT 1,
            review_units TEXT, reason TEXT, notice_start TEXT, notice_end TEXT, notice_place TEXT,
            notice_closed_on TEXT, confirmed_on TEXT, confirm_doc TEXT, certified_on TEXT,
            filed_on TEXT, filing_doc TEXT, notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);

        -- Seats by community / sector / party; rule exact, min (at least) or max (at most).
        CREATE TABLE quotas (
            id TEXT PRIMARY KEY, round_id TEXT NOT NULL REFERENCES nomination_rounds(id),
            dimension TEXT NOT NULL, key TEXT NOT NULL, rule TEXT NOT NULL DEFAULT 'exact',
            seats INTEGER NOT NULL, sort_order INTEGER, notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_quotas_round ON quotas(round_id, dimension);

        CREATE TABLE candidates (
            id TEXT PRIMARY KEY, round_id TEXT NOT NULL REFERENCES nomination_rounds(id),
            name TEXT NOT NULL, gender TEXT, ethnicity TEXT, birth_date TEXT, id_number TEXT,
            citizenship TEXT, party TEXT, sector TEXT, education TEXT, workplace TEXT, post TEXT,
            phone TEXT, community_id TEXT REFERENCES communities(id), resident_since TEXT,
            route TEXT NOT NULL, recommender TEXT, recommenders TEXT,
            stage TEXT NOT NULL DEFAULT 'nominated', status TEXT NOT NULL DEFAULT 'in_progress',
            fail_stage TEXT, fail_reason TEXT, on_notice INTEGER NOT NULL DEFAULT 0,
            delegate_id TEXT REFERENCES delegates(id), certificate_no TEXT, notes TEXT,
            deleted INTEGER NOT NULL DEFAULT 0, name_initials TEXT, name_pinyin TEXT);
        CREATE INDEX idx_candidates_round ON candidates(round_id, stage, status);
        CREATE INDEX idx_candidates_community ON candidates(community_id);
        CREATE INDEX idx_candidates_id_number ON candidates(id_number);

        CREATE TABLE joint_reviews (
            id TEXT PRIMARY KEY, candidate_id TEXT NOT NULL REFERENCES candidates(id),
            unit TEXT NOT NULL, verdict TEXT NOT NULL, note TEXT, day TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_joint_reviews_candidate ON joint_reviews(candidate_id);

        CREATE TABLE objections (
            id TEXT PRIMARY KEY, candidate_id TEXT NOT NULL REFERENCES candidates(id),
            received_on TEXT NOT NULL, source TEXT, content TEXT NOT NULL, handling TEXT,
            resolved_on TEXT, upheld INTEGER, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_objections_candidate ON objections(candidate_id);

        -- Append-only: every stage a candidate passed or failed, with date, actor and reason.
        CREATE TABLE candidate_stages (
            id TEXT PRIMARY KEY, candidate_id TEXT NOT NULL REFERENCES candidates(id),
            stage TEXT NOT NULL, day TEXT NOT NULL, actor TEXT, verdict TEXT NOT NULL, reason TEXT,
            detail TEXT, recorded_by TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_candidate_stages_candidate ON candidate_stages(candidate_id, day);
        """
    ):
        db.execute(statement)


@migrations()
def m006_exchange(db):
    # Local bookkeeping of one installation (never synced): the offices it exchanges with, the
    # packages it made or merged, what it knows of each site; and the (synced) conflict log.
    for statement in _statements(
        """
        CREATE TABLE exchange_peers (
            id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, site_id TEXT UNIQUE, notes TEXT,
            sent_vector TEXT, last_export_at TEXT, last_import_at TEXT);

        CREATE TABLE exchange_log (
            package_id TEXT NOT NULL, direction TEXT NOT NULL, at TEXT NOT NULL, site_id TEXT,
            site_name TEXT, peer_id TEXT, kind TEXT, file_name TEXT, content_sha256 TEXT, counts TEXT,
            PRIMARY KEY (package_id, direction));

        CREATE TABLE known_vector (
            site_id TEXT PRIMARY KEY, wall_ms INTEGER NOT NULL, counter INTEGER NOT NULL);

        -- Values displaced by a merge, for the clerk to review. Synced like any record, so both
        -- offices of a conflict end with the same entry (its id is derived from the clash).
        CREATE TABLE conflicts (
            id TEXT PRIMARY KEY, at TEXT NOT NULL, package_id TEXT, kind TEXT NOT NULL,
            tbl TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, kept_value TEXT,
            lost_value TEXT, kept_stamp TEXT, lost_stamp TEXT, lost_site TEXT,
            resolved_at TEXT, resolution TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_conflicts_open ON conflicts(resolved_at, at);
        CREATE INDEX idx_conflicts_row ON conflicts(tbl, row_id);
        """
    ):
        db.execute(statement)


@migrations()
def m007_serials(db):
    # Offices number opinions and feedback slips on their own between exchanges, so two may
    # print the same number; by then both slips are with residents. The number is looked up,
    # not unique. (An office code in new numbers keeps offices apart: settings `serial_code`.)
    db.execute("DROP INDEX idx_opinions_feedback_serial")
    db.execute("CREATE INDEX idx_opinions_feedback_serial ON opinions(feedback_serial)"
               " WHERE feedback_serial IS NOT NULL")
    db.execute("CREATE INDEX idx_opinions_serial ON opinions(serial)")


@migrations()
def m008_issued_documents(db):
    # A document carries the date the clerk gives it (成文日期), not the day it is exported, and
    # a notice or report sent out its 发文字号; both are kept with the record, one row per
    # (document kind, record). Departments keep their full official name beside the short one.
    for statement in _statements(
        """
        CREATE TABLE issued_docs (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL, dated_on TEXT,
            doc_number TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_issued_docs_record ON issued_docs(kind, record_id);
        ALTER TABLE departments ADD COLUMN full_name TEXT
        """
    ):
        db.execute(statement)


@migrations()
def m009_field_work(db):
    # Step 1 of the five-step method is the monthly grid visit; step 2 the leader's consultation
    # of the group; step 3 the group's plan (议事方案); the minutes' action items are followed up
    # with dated progress; a term closes (届满) on a date.
    for statement in _statements(
        """
        CREATE TABLE grid_visits (
            id TEXT PRIMARY KEY, delegate_id TEXT NOT NULL REFERENCES delegates(id),
            grid_id TEXT NOT NULL REFERENCES grids(id), day TEXT NOT NULL, residents_met INTEGER,
            matters TEXT, notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_grid_visits_day ON grid_visits(day, delegate_id);
        CREATE INDEX idx_grid_visits_delegate ON grid_visits(delegate_id, day);
        CREATE INDEX idx_grid_visits_grid ON grid_visits(grid_id);

        CREATE TABLE consultations (
            id TEXT PRIMARY KEY, topic_id TEXT NOT NULL REFERENCES topics(id),
            delegate_id TEXT NOT NULL REFERENCES delegates(id), view TEXT NOT NULL, comment TEXT,
            day TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_consultations_topic ON consultations(topic_id);

        CREATE TABLE plans (
            id TEXT PRIMARY KEY, topic_id TEXT NOT NULL REFERENCES topics(id), title TEXT NOT NULL,
            purpose TEXT, participants TEXT, planned_on TEXT, planned_time TEXT, place TEXT, steps TEXT,
            departments TEXT, meeting_id TEXT REFERENCES meetings(id), drafted_on TEXT NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_plans_topic ON plans(topic_id);
        CREATE INDEX idx_plans_meeting ON plans(meeting_id);

        CREATE TABLE action_progress (
            id TEXT PRIMARY KEY, action_item_id TEXT NOT NULL REFERENCES action_items(id),
            day TEXT NOT NULL, note TEXT, status TEXT, actor TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_action_progress_item ON action_progress(action_item_id, day);

        ALTER TABLE terms ADD COLUMN closed_on TEXT;
        ALTER TABLE action_items ADD COLUMN status TEXT NOT NULL DEFAULT 'not_started';
        ALTER TABLE action_items ADD COLUMN done_on TEXT;
        CREATE INDEX idx_action_items_deadline ON action_items(deadline);
        ALTER TABLE opinions ADD COLUMN visit_id TEXT REFERENCES grid_visits(id);
        ALTER TABLE opinions ADD COLUMN reported_on TEXT;
        ALTER TABLE opinions ADD COLUMN reported_to TEXT REFERENCES delegates(id);
        CREATE INDEX idx_opinions_visit ON opinions(visit_id);
        CREATE INDEX idx_delegates_term ON delegates(term_id, status)
        """
    ):
        db.execute(statement)


@migrations()
def m010_institutions(db):
    # 制度建设: the 领导小组 (with its members), the 实施方案 and each 制度, the 党工委's studies;
    # a round opens 本人自荐 only when the clerk says so, and records who set its conditions;
    # "二下" (the qualified list fed back) and "二上" (the list reported up) per community.
    for statement in _statements(
        """
        CREATE TABLE institutions (
            id TEXT PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, doc_number TEXT, day TEXT,
            status TEXT, content TEXT, file_name TEXT, sha256 TEXT, size INTEGER, sort_order INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_institutions_kind ON institutions(kind, day);

        CREATE TABLE leading_members (
            id TEXT PRIMARY KEY, institution_id TEXT NOT NULL REFERENCES institutions(id), name TEXT NOT NULL,
            role TEXT NOT NULL, post TEXT, sort_order INTEGER, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_leading_members_group ON leading_members(institution_id, sort_order);

        CREATE TABLE round_returns (
            id TEXT PRIMARY KEY, round_id TEXT NOT NULL REFERENCES nomination_rounds(id),
            community_id TEXT NOT NULL REFERENCES communities(id), step TEXT NOT NULL, day TEXT NOT NULL,
            note TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_round_returns_round ON round_returns(round_id, step);

        ALTER TABLE nomination_rounds ADD COLUMN self_nomination INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE nomination_rounds ADD COLUMN conditions_by TEXT;
        ALTER TABLE nomination_rounds ADD COLUMN conditions_doc TEXT
        """
    ):
        db.execute(statement)


@migrations()
def m011_year_end(db):
    # The 年度工作总结 is drafted from the year's data; a section the clerk rewrote is kept (per year
    # and section) and wins over the draft at every export. 年度评议: a grade and remarks per delegate
    # and year. Both keyed by what they describe, so two offices' edits meet on one row.
    for statement in _statements(
        """
        CREATE TABLE summary_texts (
            id TEXT PRIMARY KEY, year INTEGER NOT NULL, key TEXT NOT NULL, text TEXT,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_summary_texts_year ON summary_texts(year);

        CREATE TABLE delegate_reviews (
            id TEXT PRIMARY KEY, delegate_id TEXT NOT NULL REFERENCES delegates(id), year INTEGER NOT NULL,
            grade TEXT, remarks TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_delegate_reviews_year ON delegate_reviews(year, delegate_id)
        """
    ):
        db.execute(statement)


@migrations()
def m012_reception_answers(db):
    # A reception-day matter answered on the spot (or handed to the community) is closed with its
    # reason instead of waiting to be taken into the ledger.
    for statement in _statements(
        """
        ALTER TABLE reception_matters ADD COLUMN closed_on TEXT;
        ALTER TABLE reception_matters ADD COLUMN closed_reason TEXT
        """
    ):
        db.execute(statement)


@migrations()
def m013_photo_dates(db):
    # A meeting's photos are dated: a 工作简报 shows those taken on or before its date, in order
    # (one dated on the meeting day showed the line opened two months later).
    db.execute("ALTER TABLE materials ADD COLUMN taken_on TEXT")


@migrations()
def m014c_people(db):
    # Who took part: the delegates on each supervision (counted in their duty record); the meeting an
    # opinion was raised at; a plenary's group discussions (each group in a room of the venue, its
    # convener and points); the 实地走访调研 of a topic (who went, where, what they found, photos);
    # a group's election (推选) of its leader and deputies.
    for statement in _statements(
        """
        CREATE TABLE supervision_delegates (
            id TEXT PRIMARY KEY, supervision_id TEXT NOT NULL REFERENCES supervisions(id),
            delegate_id TEXT NOT NULL REFERENCES delegates(id), deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_supervision_delegates_supervision ON supervision_delegates(supervision_id);
        CREATE INDEX idx_supervision_delegates_delegate ON supervision_delegates(delegate_id);

        CREATE TABLE meeting_discussions (
            id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL REFERENCES meetings(id),
            group_id TEXT NOT NULL REFERENCES groups(id), room_id TEXT REFERENCES rooms(id), start_time TEXT,
            end_time TEXT, convener_id TEXT REFERENCES delegates(id), points TEXT, sort_order INTEGER,
            deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_meeting_discussions_meeting ON meeting_discussions(meeting_id);
        CREATE INDEX idx_meeting_discussions_room ON meeting_discussions(room_id);

        ALTER TABLE opinions ADD COLUMN raised_meeting_id TEXT REFERENCES meetings(id);
        CREATE INDEX idx_opinions_raised_meeting ON opinions(raised_meeting_id);

        CREATE TABLE field_surveys (
            id TEXT PRIMARY KEY, topic_id TEXT NOT NULL REFERENCES topics(id), day TEXT NOT NULL,
            place TEXT NOT NULL, units TEXT, findings TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_field_surveys_topic ON field_surveys(topic_id, day);

        CREATE TABLE survey_delegates (
            id TEXT PRIMARY KEY, survey_id TEXT NOT NULL REFERENCES field_surveys(id),
            delegate_id TEXT NOT NULL REFERENCES delegates(id), deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_survey_delegates_survey ON survey_delegates(survey_id);
        CREATE INDEX idx_survey_delegates_delegate ON survey_delegates(delegate_id);

        CREATE TABLE survey_photos (
            id TEXT PRIMARY KEY, survey_id TEXT NOT NULL REFERENCES field_surveys(id), title TEXT NOT NULL,
            file_name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_survey_photos_survey ON survey_photos(survey_id);

        CREATE TABLE group_elections (
            id TEXT PRIMARY KEY, group_id TEXT NOT NULL REFERENCES groups(id), day TEXT NOT NULL,
            role TEXT NOT NULL, delegate_id TEXT NOT NULL REFERENCES delegates(id), members INTEGER NOT NULL,
            votes INTEGER NOT NULL, result TEXT NOT NULL, notes TEXT, deleted INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX idx_group_elections_group ON group_elections(group_id, day)
        """
    ):
        db.execute(statement)


@migrations()
def m014b_halls_and_grid_workers(db):
    # The grid's own worker (网格员) and how to reach them; halls are built step by step (循序渐进),
    # so a venue has a build status and the day it opened (or is planned to); what a hall's meeting,
    # or a matter residents raise at its reception day, is about is one of the report's three subject
    # types. Existing rows are left unstated: the clerk records what is known rather than the migration
    # guessing.
    for statement in _statements(
        """
        ALTER TABLE grids ADD COLUMN worker_name TEXT;
        ALTER TABLE grids ADD COLUMN worker_phone TEXT;
        ALTER TABLE venues ADD COLUMN build_status TEXT;
        ALTER TABLE venues ADD COLUMN opened_on TEXT;
        ALTER TABLE meetings ADD COLUMN subject TEXT;
        ALTER TABLE reception_matters ADD COLUMN subject TEXT
        """
    ):
        db.execute(statement)


@migrations()
def m026_meetings_counts(db):
    # An office's own list of the meetings it held gives how many came, not who: the figures are kept
    # as given (blank: not given) and read only where the meeting has no sign-in list
    # (AttendanceService.summary), so that the register, the statistics and the documents say one thing.
    for statement in _statements(
        """
        ALTER TABLE meetings ADD COLUMN count_expected INTEGER;
        ALTER TABLE meetings ADD COLUMN count_present INTEGER;
        ALTER TABLE meetings ADD COLUMN count_excused INTEGER;
        ALTER TABLE meetings ADD COLUMN count_absent INTEGER;
        ALTER TABLE meetings ADD COLUMN count_guests INTEGER
        """
    ):
        db.execute(statement)


@migrations()
def m026_departments_contact(db):
    # The office keeps a contact person and a phone for each department it invites or sends opinions
    # to; departments already listed have none until the clerk (or an imported 联系表) gives them.
    for statement in _statements(
        """
        ALTER TABLE departments ADD COLUMN contact TEXT;
        ALTER TABLE departments ADD COLUMN phone TEXT
        """
    ):
        db.execute(statement)



@migrations()
def m027_topics_formed_on(db):
    # 工委审核 follows 确定议题, so the day a topic was settled is kept on it and the rule book holds
    # the review to it. Topics already stored take it from the day their opinions were merged
    # into them (the 议题 step each opinion's history records); one with no such step has none.
    db.execute("ALTER TABLE topics ADD COLUMN formed_on TEXT")
    db.execute(
        """UPDATE topics SET formed_on = (
               SELECT min(e.day) FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id
                WHERE o.topic_id = topics.id AND o.deleted = 0 AND e.deleted = 0 AND e.kind = 'topic')""")

# What the clerk calls the rows of each synced table (progress, refusals, previews, the recycle bin).
TABLE_NOUNS = {
    "terms": "届次", "groups": "议事小组", "communities": "村（社区）", "grids": "网格", "venues": "阵地",
    "rooms": "议事室", "delegates": "代表", "delegate_grids": "代表联系的网格", "departments": "部门（单位）",
    "workflow_steps": "流程模板环节", "meetings": "会议", "meeting_steps": "会议流程环节",
    "attendance": "出席记录", "action_items": "会议交办事项", "votes": "表决结果", "materials": "会议材料",
    "reception_duties": "接待日安排", "reception_matters": "接待事项", "holiday_days": "节假日安排",
    "topics": "议题", "opinions": "意见建议", "supervisions": "督办记录", "opinion_events": "意见办理记录",
    "opinion_files": "意见附件", "delegate_events": "代表履职变动", "nomination_rounds": "推选批次",
    "quotas": "名额分配", "candidates": "人选", "joint_reviews": "联审意见", "objections": "公示异议",
    "candidate_stages": "推选环节记录", "conflicts": "冲突记录",
    "issued_docs": "文书成文日期和字号",
    "grid_visits": "网格走访记录", "consultations": "小组代表意见", "plans": "议事方案",
    "action_progress": "落实事项进展",
    "institutions": "制度建设", "leading_members": "领导小组成员", "round_returns": "推选名单反馈和上报",
    "summary_texts": "年度工作总结", "delegate_reviews": "代表年度评议",
    "supervision_delegates": "参与督办的代表", "meeting_discussions": "分组讨论", "field_surveys": "实地走访调研",
    "survey_delegates": "参加调研的代表", "survey_photos": "调研照片", "group_elections": "小组推选",
}


def _statements(script: str) -> list[str]:
    # executescript() would COMMIT the migration's transaction, so run one by one.
    return [part.strip() for part in script.split(";\n") if part.strip()]


def known_migration_names() -> set[str]:
    return {m.name for m in migrations._migrations}
