-- Duty (工作纪律): logins, meetings and trainings with attendance, leave
-- slips, daily work sheets (sign-in and sign-out), volunteer activities,
-- publicity, required reports, the community's written systems, each
-- worker's duty profile (office-based, app installed) and the findings
-- staff record (assignment refused, phone not carried, …). internal/duty
-- owns these tables and measures the duty facts from them.
--
-- client_id is the UUID a phone made for a record: a resend finds it and
-- changes nothing.

-- +goose Up

-- One row per worker, Shanghai day and client (app or pc): the first time
-- the worker was seen signed in that day. source is 'auto' (the API saw an
-- authenticated request) or 'manual' (staff recorded it, e.g. from the
-- platform's own login list).
CREATE TABLE duty_logins (
    worker_id  TEXT NOT NULL REFERENCES workers (id),
    day        TEXT NOT NULL,
    client     TEXT NOT NULL CHECK (client IN ('app', 'pc')),
    first_at   TIMESTAMP NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('auto', 'manual')),
    entered_by TEXT NOT NULL,
    PRIMARY KEY (worker_id, day, client)
);
CREATE INDEX duty_logins_day ON duty_logins (day);

-- Per-worker duty settings: whether the worker is office-based (居委会驻地
-- 专职网格员, who must also sign in to the PC system) and when the app was
-- installed on their work phone.
CREATE TABLE duty_profiles (
    worker_id        TEXT PRIMARY KEY REFERENCES workers (id),
    office_based     BOOLEAN NOT NULL DEFAULT FALSE,
    app_installed_on TEXT,
    app_device       TEXT NOT NULL DEFAULT '',
    updated_by       TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- Meetings, trainings and checks held by a unit (a community, 片区 or
-- grid). Minutes are text, a filed document, or both. issues is how many
-- prominent issues an analysis meeting took up; reported_up whether its
-- outcome was reported up (analysis meetings only). responsible_id is the
-- worker who answers for the meeting's minutes and report, if any.
CREATE TABLE duty_meetings (
    id             TEXT PRIMARY KEY,
    client_id      TEXT UNIQUE,
    kind           TEXT NOT NULL CHECK (kind IN ('morning', 'analysis', 'regular', 'training', 'check', 'campaign')),
    unit_id        TEXT NOT NULL REFERENCES org_units (id),
    held_at        TIMESTAMP NOT NULL,
    held_on        TEXT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    minutes        TEXT NOT NULL DEFAULT '',
    minutes_file   TEXT REFERENCES files (sha256),
    issues         INTEGER NOT NULL DEFAULT 0,
    reported_up    BOOLEAN NOT NULL DEFAULT FALSE,
    responsible_id TEXT REFERENCES workers (id),
    entered_by     TEXT NOT NULL,
    entered_at     TIMESTAMP NOT NULL
);
CREATE INDEX duty_meetings_day ON duty_meetings (held_on);
CREATE INDEX duty_meetings_unit ON duty_meetings (unit_id, held_on);

-- Attendance at a meeting: present, absent with leave, absent without.
CREATE TABLE duty_attendance (
    meeting_id TEXT NOT NULL REFERENCES duty_meetings (id),
    worker_id  TEXT NOT NULL REFERENCES workers (id),
    status     TEXT NOT NULL CHECK (status IN ('present', 'leave', 'absent')),
    PRIMARY KEY (meeting_id, worker_id)
);
CREATE INDEX duty_attendance_worker ON duty_attendance (worker_id);

-- Leave slips (请假单): [from_at, to_at), requested then approved or
-- rejected (or withdrawn by the worker while still requested).
CREATE TABLE duty_leave (
    id           TEXT PRIMARY KEY,
    client_id    TEXT UNIQUE,
    worker_id    TEXT NOT NULL REFERENCES workers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('personal', 'sick', 'annual', 'official', 'other')),
    from_at      TIMESTAMP NOT NULL,
    to_at        TIMESTAMP NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected', 'withdrawn')),
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    decided_by   TEXT,
    decided_at   TIMESTAMP,
    decision     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX duty_leave_worker ON duty_leave (worker_id, from_at);
CREATE INDEX duty_leave_span ON duty_leave (status, from_at, to_at);

-- The daily work sheet (日工作单): the plan at sign-in, the result at
-- sign-out; one per worker and Shanghai day.
CREATE TABLE duty_sheets (
    id            TEXT PRIMARY KEY,
    client_id     TEXT UNIQUE,
    worker_id     TEXT NOT NULL REFERENCES workers (id),
    day           TEXT NOT NULL,
    signed_in_at  TIMESTAMP NOT NULL,
    plan          TEXT NOT NULL,
    in_lat        DOUBLE PRECISION,
    in_lon        DOUBLE PRECISION,
    signed_out_at TIMESTAMP,
    result        TEXT NOT NULL DEFAULT '',
    entered_by    TEXT NOT NULL,
    entered_at    TIMESTAMP NOT NULL,
    UNIQUE (worker_id, day)
);
CREATE INDEX duty_sheets_day ON duty_sheets (day);

-- Volunteer activities (志愿活动) with photos, reviewed: valid is NULL until
-- a reviewer decides; uniform is what the worker claimed, replaced by the
-- reviewer's finding.
CREATE TABLE duty_activities (
    id          TEXT PRIMARY KEY,
    client_id   TEXT UNIQUE,
    worker_id   TEXT NOT NULL REFERENCES workers (id),
    grid_id     TEXT NOT NULL REFERENCES org_units (id),
    held_at     TIMESTAMP NOT NULL,
    held_on     TEXT NOT NULL,
    title       TEXT NOT NULL,
    uniform     BOOLEAN NOT NULL,
    valid       BOOLEAN,
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by TEXT,
    reviewed_at TIMESTAMP,
    entered_by  TEXT NOT NULL,
    entered_at  TIMESTAMP NOT NULL
);
CREATE INDEX duty_activities_day ON duty_activities (held_on);
CREATE INDEX duty_activities_worker ON duty_activities (worker_id, held_on);

CREATE TABLE duty_activity_photos (
    activity_id TEXT NOT NULL REFERENCES duty_activities (id),
    sha256      TEXT NOT NULL REFERENCES files (sha256),
    PRIMARY KEY (activity_id, sha256)
);

-- Publicity articles (宣传报道) about a unit's work, by level.
CREATE TABLE duty_publicity (
    id           TEXT PRIMARY KEY,
    client_id    TEXT UNIQUE,
    unit_id      TEXT NOT NULL REFERENCES org_units (id),
    level        TEXT NOT NULL CHECK (level IN ('district', 'city', 'province', 'national')),
    title        TEXT NOT NULL,
    outlet       TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    file         TEXT REFERENCES files (sha256),
    published_on TEXT NOT NULL,
    entered_by   TEXT NOT NULL,
    entered_at   TIMESTAMP NOT NULL
);
CREATE INDEX duty_publicity_day ON duty_publicity (published_on);

-- Required reports (报表、计划、总结) with their deadline, when submitted, and
-- the reviewer's verdict: ok, wrong (错报) or perfunctory (敷衍了事).
CREATE TABLE duty_reports (
    id           TEXT PRIMARY KEY,
    client_id    TEXT UNIQUE,
    unit_id      TEXT NOT NULL REFERENCES org_units (id),
    worker_id    TEXT REFERENCES workers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('weekly', 'monthly', 'other', 'plan', 'summary', 'stage')),
    title        TEXT NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    submitted_by TEXT,
    file         TEXT REFERENCES files (sha256),
    verdict      TEXT NOT NULL DEFAULT '' CHECK (verdict IN ('', 'ok', 'wrong', 'perfunctory')),
    review_note  TEXT NOT NULL DEFAULT '',
    reviewed_by  TEXT,
    reviewed_at  TIMESTAMP,
    entered_by   TEXT NOT NULL,
    entered_at   TIMESTAMP NOT NULL
);
CREATE INDEX duty_reports_due ON duty_reports (due_at);

-- The community's written systems on file (seed 000 I), from filed_on to
-- the day before withdrawn_on.
CREATE TABLE duty_systems (
    id           TEXT PRIMARY KEY,
    unit_id      TEXT NOT NULL REFERENCES org_units (id),
    kind         TEXT NOT NULL CHECK (kind IN ('morning_meeting', 'analysis_meeting', 'elimination', 'qr_gps', 'back_tracing')),
    title        TEXT NOT NULL DEFAULT '',
    file         TEXT REFERENCES files (sha256),
    filed_on     TEXT NOT NULL,
    withdrawn_on TEXT,
    entered_by   TEXT NOT NULL,
    entered_at   TIMESTAMP NOT NULL
);
CREATE INDEX duty_systems_unit ON duty_systems (unit_id, kind);

-- Findings staff record about duty: an assignment refused, the work phone
-- not carried, a prominent issue not analysed in time, a platform task
-- missed. A finding names a worker, or (issue_unanalysed) only a unit.
CREATE TABLE duty_findings (
    id         TEXT PRIMARY KEY,
    client_id  TEXT UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('assignment_refused', 'phone_not_carried', 'issue_unanalysed', 'task_missed')),
    worker_id  TEXT REFERENCES workers (id),
    unit_id    TEXT NOT NULL REFERENCES org_units (id),
    found_on   TEXT NOT NULL,
    note       TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TIMESTAMP NOT NULL
);
CREATE INDEX duty_findings_day ON duty_findings (found_on);

-- +goose Down
DROP TABLE duty_findings;
DROP TABLE duty_systems;
DROP TABLE duty_reports;
DROP TABLE duty_publicity;
DROP TABLE duty_activity_photos;
DROP TABLE duty_activities;
DROP TABLE duty_sheets;
DROP TABLE duty_leave;
DROP TABLE duty_attendance;
DROP TABLE duty_meetings;
DROP TABLE duty_profiles;
DROP TABLE duty_logins;
