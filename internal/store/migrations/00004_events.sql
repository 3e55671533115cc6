-- Events (事件): the category tree with each category's time limits and
-- reporting conditions, the events themselves with every workflow step,
-- their photos, requests that need approval (延期 extension, 挂账 park,
-- 作废 void), the near matches the duplicate check found, and the yellow
-- and red cards (黄牌/红牌) issued when a stage ran past its limit. Cards
-- are never deleted: a card stays when its event is closed later.

-- +goose Up
CREATE TABLE event_categories (
    code            TEXT PRIMARY KEY,
    parent_code     TEXT REFERENCES event_categories (code),
    name            TEXT NOT NULL,
    -- line: city_part (数字城管 部件), city_event (数字城管 事件) or
    -- governance (综治).
    line            TEXT NOT NULL CHECK (line IN ('city_part', 'city_event', 'governance')),
    -- mediation: counts as a mediation or dispute report (seed 003 item 6).
    mediation       BOOLEAN NOT NULL DEFAULT FALSE,
    -- public: offered to residents over Open311 and listed there.
    public          BOOLEAN NOT NULL DEFAULT FALSE,
    -- limits: JSON object of stage → limit, e.g. {"accept":"2workdays"};
    -- a stage not named takes the default (events.DefaultLimits).
    limits          TEXT NOT NULL DEFAULT '{}',
    photo_required  BOOLEAN NOT NULL DEFAULT FALSE,
    min_description INTEGER NOT NULL DEFAULT 10,
    handle_photo_required BOOLEAN NOT NULL DEFAULT FALSE,
    dup_radius_m    INTEGER NOT NULL DEFAULT 50,
    dup_age_hours   INTEGER NOT NULL DEFAULT 72,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    sort            INTEGER NOT NULL DEFAULT 0
);

INSERT INTO event_categories (code, parent_code, name, line, mediation, public, limits, photo_required, min_description, handle_photo_required, sort) VALUES
    ('city_part', NULL, '城市部件', 'city_part', FALSE, TRUE, '{}', TRUE, 8, TRUE, 10),
    ('part_manhole', 'city_part', '井盖破损丢失', 'city_part', FALSE, TRUE, '{"handle":"1workdays","close":"3workdays"}', TRUE, 8, TRUE, 11),
    ('part_streetlight', 'city_part', '路灯损坏', 'city_part', FALSE, TRUE, '{}', TRUE, 8, TRUE, 12),
    ('part_road', 'city_part', '道路破损', 'city_part', FALSE, TRUE, '{}', TRUE, 8, TRUE, 13),
    ('part_facility', 'city_part', '公共设施损坏', 'city_part', FALSE, TRUE, '{}', TRUE, 8, TRUE, 14),
    ('city_event', NULL, '城市事件', 'city_event', FALSE, TRUE, '{}', TRUE, 8, TRUE, 20),
    ('event_garbage', 'city_event', '垃圾堆放与暴露垃圾', 'city_event', FALSE, TRUE, '{"handle":"1workdays","close":"3workdays"}', TRUE, 8, TRUE, 21),
    ('event_parking', 'city_event', '违章停车与占道', 'city_event', FALSE, TRUE, '{}', TRUE, 8, TRUE, 22),
    ('event_building', 'city_event', '违法建设', 'city_event', FALSE, TRUE, '{}', TRUE, 10, TRUE, 23),
    ('event_vendor', 'city_event', '无照经营游商', 'city_event', FALSE, TRUE, '{}', TRUE, 8, TRUE, 24),
    ('event_ad', 'city_event', '乱贴乱画小广告', 'city_event', FALSE, TRUE, '{}', TRUE, 8, TRUE, 25),
    ('dispute', NULL, '矛盾纠纷', 'governance', TRUE, FALSE, '{}', FALSE, 15, FALSE, 30),
    ('dispute_neighbour', 'dispute', '邻里纠纷', 'governance', TRUE, FALSE, '{}', FALSE, 15, FALSE, 31),
    ('dispute_family', 'dispute', '婚姻家庭纠纷', 'governance', TRUE, FALSE, '{}', FALSE, 15, FALSE, 32),
    ('dispute_property', 'dispute', '物业纠纷', 'governance', TRUE, FALSE, '{}', FALSE, 15, FALSE, 33),
    ('dispute_labour', 'dispute', '劳资纠纷', 'governance', TRUE, FALSE, '{}', FALSE, 15, FALSE, 34),
    ('mediation', NULL, '人民调解', 'governance', TRUE, FALSE, '{"close":"15workdays"}', FALSE, 15, FALSE, 40),
    ('hazard', NULL, '安全隐患', 'governance', FALSE, TRUE, '{"accept":"1workdays","close":"5workdays"}', TRUE, 10, TRUE, 50),
    ('hazard_fire', 'hazard', '消防安全隐患', 'governance', FALSE, TRUE, '{"accept":"4hours","dispatch":"4hours","close":"3workdays"}', TRUE, 10, TRUE, 51),
    ('hazard_gas', 'hazard', '燃气安全隐患', 'governance', FALSE, TRUE, '{"accept":"4hours","dispatch":"4hours","close":"3workdays"}', TRUE, 10, TRUE, 52),
    ('hazard_building', 'hazard', '房屋结构安全隐患', 'governance', FALSE, TRUE, '{}', TRUE, 10, TRUE, 53),
    ('livelihood', NULL, '民生服务', 'governance', FALSE, TRUE, '{}', FALSE, 10, FALSE, 60),
    ('livelihood_help', 'livelihood', '困难帮扶', 'governance', FALSE, FALSE, '{}', FALSE, 10, FALSE, 61),
    ('livelihood_utility', 'livelihood', '水电气暖报修', 'governance', FALSE, TRUE, '{}', FALSE, 10, FALSE, 62),
    ('livelihood_property', 'livelihood', '物业服务', 'governance', FALSE, TRUE, '{}', FALSE, 10, FALSE, 63),
    ('security', NULL, '治安问题', 'governance', FALSE, FALSE, '{"accept":"1workdays"}', FALSE, 15, FALSE, 70),
    ('security_suspect', 'security', '可疑人员与线索', 'governance', FALSE, FALSE, '{"accept":"4hours"}', FALSE, 15, FALSE, 71),
    ('security_public', 'security', '公共秩序', 'governance', FALSE, FALSE, '{}', FALSE, 15, FALSE, 72),
    ('major', NULL, '重大突发事件', 'governance', FALSE, FALSE, '{"accept":"2hours","dispatch":"2hours","close":"3workdays"}', FALSE, 20, FALSE, 80),
    ('major_mass', 'major', '群体性事件', 'governance', FALSE, FALSE, '{"accept":"2hours","dispatch":"2hours","close":"3workdays"}', FALSE, 20, FALSE, 81),
    ('major_fire', 'major', '火灾', 'governance', FALSE, FALSE, '{"accept":"2hours","dispatch":"2hours","close":"3workdays"}', TRUE, 20, FALSE, 82),
    ('major_disaster', 'major', '自然灾害', 'governance', FALSE, FALSE, '{"accept":"2hours","dispatch":"2hours","close":"3workdays"}', FALSE, 20, FALSE, 83),
    ('major_case', 'major', '重大案件', 'governance', FALSE, FALSE, '{"accept":"2hours","dispatch":"2hours","close":"3workdays"}', FALSE, 20, FALSE, 84);

CREATE TABLE events (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT UNIQUE,
    category_code      TEXT NOT NULL REFERENCES event_categories (code),
    severity           TEXT NOT NULL CHECK (severity IN ('ordinary', 'larger', 'major')),
    state              TEXT NOT NULL,
    -- parked_from: the state an event was parked (挂账) in, to resume it.
    parked_from        TEXT NOT NULL DEFAULT '',
    source             TEXT NOT NULL CHECK (source IN ('worker', 'resident', 'hotline', 'higher', 'inspection')),
    grid_id            TEXT REFERENCES org_units (id),
    community_id       TEXT REFERENCES org_units (id),
    description        TEXT NOT NULL,
    address            TEXT NOT NULL DEFAULT '',
    lat                DOUBLE PRECISION,
    lon                DOUBLE PRECISION,
    media_url          TEXT NOT NULL DEFAULT '',
    reporter_user_id   TEXT NOT NULL DEFAULT '',
    reporter_worker_id TEXT REFERENCES workers (id),
    -- A resident's contact, never shown over Open311.
    contact_name       TEXT NOT NULL DEFAULT '',
    contact_phone      TEXT NOT NULL DEFAULT '',
    contact_email      TEXT NOT NULL DEFAULT '',
    upward             BOOLEAN NOT NULL DEFAULT FALSE,
    self_handled       BOOLEAN NOT NULL DEFAULT FALSE,
    happened_at        TIMESTAMP NOT NULL,
    reported_at        TIMESTAMP NOT NULL,
    -- upward_at: when the event reached the district and town centres
    -- (a major event must within 2 hours of happened_at).
    upward_at          TIMESTAMP,
    accepted_at        TIMESTAMP,
    dispatched_at      TIMESTAMP,
    handled_at         TIMESTAMP,
    verified_at        TIMESTAMP,
    closed_at          TIMESTAMP,
    voided_at          TIMESTAMP,
    assignee_worker_id TEXT REFERENCES workers (id),
    assignee_unit_id   TEXT REFERENCES org_units (id),
    badly_described    BOOLEAN NOT NULL DEFAULT FALSE,
    quality_notes      TEXT NOT NULL DEFAULT '',
    version            INTEGER NOT NULL DEFAULT 1,
    entered_at         TIMESTAMP NOT NULL,
    -- cards_final: the event is finished and the card sweep has issued
    -- every card it can ever earn; later sweeps skip it.
    cards_final        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX events_reported_at ON events (reported_at);
CREATE INDEX events_grid ON events (grid_id, reported_at);
CREATE INDEX events_category ON events (category_code, reported_at);
CREATE INDEX events_reporter ON events (reporter_worker_id, reported_at);

-- Every step of an event's workflow: who did what, when, from which state
-- to which.
CREATE TABLE event_steps (
    event_id   TEXT NOT NULL REFERENCES events (id),
    seq        INTEGER NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    user_id    TEXT NOT NULL,
    worker_id  TEXT,
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (event_id, seq)
);

CREATE TABLE event_photos (
    event_id TEXT NOT NULL REFERENCES events (id),
    sha256   TEXT NOT NULL REFERENCES files (sha256),
    stage    TEXT NOT NULL CHECK (stage IN ('report', 'handle')),
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (event_id, stage, sha256)
);

-- Requests that need the centre's approval.
CREATE TABLE event_requests (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES events (id),
    kind          TEXT NOT NULL CHECK (kind IN ('extension', 'park', 'void')),
    stage         TEXT NOT NULL DEFAULT '',
    extra         TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    requested_at  TIMESTAMP NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by    TEXT NOT NULL DEFAULT '',
    decided_at    TIMESTAMP,
    decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX event_requests_event ON event_requests (event_id);

-- Near matches of the duplicate check, found when the event was reported.
CREATE TABLE event_matches (
    event_id   TEXT NOT NULL REFERENCES events (id),
    match_id   TEXT NOT NULL REFERENCES events (id),
    distance_m DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (event_id, match_id)
);

-- Yellow and red cards. One per event, stage and colour: the sweep that
-- issues them can run any number of times.
CREATE TABLE event_cards (
    id        TEXT PRIMARY KEY,
    event_id  TEXT NOT NULL REFERENCES events (id),
    stage     TEXT NOT NULL,
    color     TEXT NOT NULL CHECK (color IN ('yellow', 'red')),
    worker_id TEXT REFERENCES workers (id),
    unit_id   TEXT REFERENCES org_units (id),
    -- line_at: the instant the stage ran past the line that earns the
    -- card; issued_at: when the sweep stored it.
    line_at   TIMESTAMP NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, stage, color)
);
CREATE INDEX event_cards_line ON event_cards (line_at);

-- +goose Down
DROP TABLE event_cards;
DROP TABLE event_matches;
DROP TABLE event_requests;
DROP TABLE event_photos;
DROP TABLE event_steps;
DROP TABLE events;
DROP TABLE event_categories;
