-- The base records of a grid (实有人口、房屋、出租房屋、单位场所), special-care
-- subjects and their visits, four-class household visits, rental QR scans
-- and ratings, platform imports, and the stored fact values the assessment
-- reads.
--
-- Every record keeps two clocks: the dates a thing happened in the world
-- (began_on: arrived, registered, opened; ended_on: moved out, closed) and
-- the times it was entered here (entered_at, end_entered_at). The rules
-- measure the gap ("living > 1 month not entered", "moved out, not cancelled
-- within 3 days").
--
-- Sensitive values (identity numbers, special-care details) are stored
-- sealed (AES-GCM, internal/seal) with a keyed hash (*_index) for exact
-- lookup and a masked form (*_masked) for display.

-- +goose Up
CREATE TABLE files (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    mime       TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    created_by TEXT NOT NULL
);

-- Four-class management (四类管理法): each class has its own visit interval.
CREATE TABLE household_classes (
    code                TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    visit_interval_days INTEGER NOT NULL CHECK (visit_interval_days > 0),
    sort                INTEGER NOT NULL DEFAULT 0
);
INSERT INTO household_classes (code, name, visit_interval_days, sort) VALUES
    ('trust', '放心户', 90, 1),
    ('normal', '一般户', 60, 2),
    ('attention', '关注户', 30, 3),
    ('key', '重点户', 7, 4);

CREATE TABLE houses (
    id               TEXT PRIMARY KEY,
    grid_id          TEXT NOT NULL REFERENCES org_units (id),
    address          TEXT NOT NULL,
    purpose          TEXT NOT NULL CHECK (purpose IN ('own', 'rental', 'vacant', 'business', 'other')),
    owner_name       TEXT NOT NULL DEFAULT '',
    owner_phone      TEXT NOT NULL DEFAULT '',
    household_class  TEXT REFERENCES household_classes (code),
    status           TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    began_on         TEXT NOT NULL,
    ended_on         TEXT,
    end_reason       TEXT NOT NULL DEFAULT '',
    entered_at       TIMESTAMP NOT NULL,
    end_entered_at   TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1,
    client_id        TEXT UNIQUE,
    created_by       TEXT NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE INDEX houses_grid ON houses (grid_id, status);

CREATE TABLE people (
    id             TEXT PRIMARY KEY,
    grid_id        TEXT NOT NULL REFERENCES org_units (id),
    house_id       TEXT REFERENCES houses (id),
    category       TEXT NOT NULL CHECK (category IN ('registered', 'floating', 'other')),
    id_kind        TEXT NOT NULL CHECK (id_kind IN ('resident', 'passport')),
    id_sealed      TEXT NOT NULL,
    id_index       TEXT NOT NULL,
    id_masked      TEXT NOT NULL,
    name           TEXT NOT NULL,
    male           BOOLEAN NOT NULL,
    birth_date     TEXT NOT NULL,
    phone          TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    permit_status  TEXT NOT NULL DEFAULT 'none' CHECK (permit_status IN ('none', 'applied', 'valid', 'expired')),
    status         TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    began_on       TEXT NOT NULL,
    ended_on       TEXT,
    end_reason     TEXT NOT NULL DEFAULT '',
    entered_at     TIMESTAMP NOT NULL,
    end_entered_at TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1,
    client_id      TEXT UNIQUE,
    created_by     TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX people_grid ON people (grid_id, status);
CREATE INDEX people_house ON people (house_id);
CREATE INDEX people_name ON people (name);
-- One living record per identity number: a duplicate is refused.
CREATE UNIQUE INDEX people_active_id ON people (id_index) WHERE status = 'active';
CREATE INDEX people_id_index ON people (id_index);

CREATE TABLE rentals (
    id             TEXT PRIMARY KEY,
    house_id       TEXT NOT NULL REFERENCES houses (id),
    grid_id        TEXT NOT NULL REFERENCES org_units (id),
    code           TEXT NOT NULL UNIQUE,
    qr_token       TEXT NOT NULL UNIQUE,
    landlord_name  TEXT NOT NULL,
    landlord_phone TEXT NOT NULL DEFAULT '',
    lease_from     TEXT,
    lease_to       TEXT,
    qr_posted_on   TEXT,
    status         TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    began_on       TEXT NOT NULL,
    ended_on       TEXT,
    end_reason     TEXT NOT NULL DEFAULT '',
    entered_at     TIMESTAMP NOT NULL,
    end_entered_at TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1,
    client_id      TEXT UNIQUE,
    created_by     TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX rentals_grid ON rentals (grid_id, status);
CREATE UNIQUE INDEX rentals_active_house ON rentals (house_id) WHERE status = 'active';

CREATE TABLE rental_tenants (
    rental_id TEXT NOT NULL REFERENCES rentals (id),
    person_id TEXT NOT NULL REFERENCES people (id),
    from_on   TEXT NOT NULL,
    to_on     TEXT,
    PRIMARY KEY (rental_id, person_id, from_on)
);
CREATE INDEX rental_tenants_person ON rental_tenants (person_id);

CREATE TABLE rental_scans (
    id         TEXT PRIMARY KEY,
    rental_id  TEXT NOT NULL REFERENCES rentals (id),
    user_id    TEXT NOT NULL,
    worker_id  TEXT,
    scanned_at TIMESTAMP NOT NULL,
    lat        DOUBLE PRECISION,
    lon        DOUBLE PRECISION,
    accuracy_m DOUBLE PRECISION,
    client_id  TEXT UNIQUE,
    entered_at TIMESTAMP NOT NULL
);
CREATE INDEX rental_scans_rental ON rental_scans (rental_id, scanned_at);
CREATE INDEX people_entered ON people (entered_at);
CREATE INDEX people_end_entered ON people (end_entered_at);

-- Quarterly star rating, one file per household (seed 000 IV).
CREATE TABLE rental_ratings (
    rental_id TEXT NOT NULL REFERENCES rentals (id),
    quarter   TEXT NOT NULL,
    stars     INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    note      TEXT NOT NULL DEFAULT '',
    rated_by  TEXT NOT NULL,
    rated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (rental_id, quarter)
);

-- Units, enterprises, facilities and places (单位、企业、设施、场所).
CREATE TABLE places (
    id             TEXT PRIMARY KEY,
    grid_id        TEXT NOT NULL REFERENCES org_units (id),
    kind           TEXT NOT NULL CHECK (kind IN ('unit', 'enterprise', 'facility', 'place')),
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL DEFAULT '',
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_phone  TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('active', 'ended')),
    began_on       TEXT NOT NULL,
    ended_on       TEXT,
    end_reason     TEXT NOT NULL DEFAULT '',
    entered_at     TIMESTAMP NOT NULL,
    end_entered_at TIMESTAMP,
    version        INTEGER NOT NULL DEFAULT 1,
    client_id      TEXT UNIQUE,
    created_by     TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX places_grid ON places (grid_id, status);

-- The documents a record carries, one file per required item (the latest).
CREATE TABLE record_documents (
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    item       TEXT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES files (sha256),
    added_at   TIMESTAMP NOT NULL,
    added_by   TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id, item)
);

-- Which items a record of a kind must carry to be complete: configuration,
-- edited through the API. kind is person, tenant, house, rental or place.
CREATE TABLE record_requirements (
    kind  TEXT NOT NULL,
    item  TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (kind, item)
);
INSERT INTO record_requirements (kind, item, label) VALUES
    ('person', 'photo', '照片'),
    ('tenant', 'photo', '照片'),
    ('tenant', 'id_copy', '身份证复印件'),
    ('tenant', 'lease', '租赁合同'),
    ('tenant', 'responsibility_letter', '治安责任书'),
    ('tenant', 'registration_form', '登记表'),
    ('rental', 'lease', '租赁合同');

-- Every register, update and end of a base record, with the date it
-- happened in the world and the time it was entered.
CREATE TABLE record_changes (
    id          TEXT PRIMARY KEY,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    grid_id     TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('register', 'update', 'end')),
    happened_on TEXT NOT NULL,
    entered_at  TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    fields      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX record_changes_grid ON record_changes (grid_id, entered_at);
CREATE INDEX record_changes_entity ON record_changes (entity, entity_id);

-- Special-care groups (特殊人群, 重点青少年): a configurable list, each with
-- its visit plan: monthly by due_day, or every interval_days (per risk level
-- when risk_intervals gives one, e.g. {"high":7,"medium":15,"low":30}).
CREATE TABLE care_groups (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    plan           TEXT NOT NULL CHECK (plan IN ('monthly', 'interval')),
    due_day        INTEGER NOT NULL DEFAULT 28 CHECK (due_day BETWEEN 1 AND 28),
    interval_days  INTEGER NOT NULL DEFAULT 30 CHECK (interval_days > 0),
    risk_intervals TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    sort           INTEGER NOT NULL DEFAULT 0
);
INSERT INTO care_groups (code, name, plan, due_day, interval_days, risk_intervals, sort) VALUES
    ('correction', '社区矫正对象', 'monthly', 28, 30, '', 1),
    ('released', '刑满释放人员', 'monthly', 28, 30, '', 2),
    ('drug', '吸毒人员', 'monthly', 28, 30, '', 3),
    ('mental', '严重精神障碍患者', 'interval', 28, 30, '{"high":7,"medium":15,"low":30}', 4),
    ('aids', '艾滋病危险人员', 'monthly', 28, 30, '', 5),
    ('youth', '重点青少年', 'monthly', 28, 30, '', 6);

CREATE TABLE care_subjects (
    id             TEXT PRIMARY KEY,
    person_id      TEXT NOT NULL REFERENCES people (id),
    group_code     TEXT NOT NULL REFERENCES care_groups (code),
    grid_id        TEXT NOT NULL REFERENCES org_units (id),
    risk           TEXT NOT NULL DEFAULT 'low' CHECK (risk IN ('low', 'medium', 'high')),
    details_sealed TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('active', 'lost', 'ended')),
    began_on       TEXT NOT NULL,
    ended_on       TEXT,
    lost_on        TEXT,
    lost_reason_sealed TEXT NOT NULL DEFAULT '',
    entered_at     TIMESTAMP NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    client_id      TEXT UNIQUE,
    created_by     TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX care_subjects_grid ON care_subjects (grid_id, status);
CREATE UNIQUE INDEX care_subjects_open ON care_subjects (person_id, group_code) WHERE status <> 'ended';

CREATE TABLE care_visits (
    id           TEXT PRIMARY KEY,
    subject_id   TEXT NOT NULL REFERENCES care_subjects (id),
    visited_at   TIMESTAMP NOT NULL,
    visited_on   TEXT NOT NULL,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    notes_sealed TEXT NOT NULL DEFAULT '',
    photo        TEXT REFERENCES files (sha256),
    confirmed    BOOLEAN NOT NULL DEFAULT FALSE,
    user_id      TEXT NOT NULL,
    worker_id    TEXT,
    client_id    TEXT UNIQUE,
    entered_at   TIMESTAMP NOT NULL
);
CREATE INDEX care_visits_subject ON care_visits (subject_id, visited_on);
CREATE INDEX care_visits_day ON care_visits (visited_on);

-- Home visits against the visit book (入户走访, 四类管理法).
CREATE TABLE home_visits (
    id         TEXT PRIMARY KEY,
    house_id   TEXT NOT NULL REFERENCES houses (id),
    visited_at TIMESTAMP NOT NULL,
    visited_on TEXT NOT NULL,
    lat        DOUBLE PRECISION,
    lon        DOUBLE PRECISION,
    notes      TEXT NOT NULL DEFAULT '',
    signed     BOOLEAN NOT NULL DEFAULT FALSE,
    user_id    TEXT NOT NULL,
    worker_id  TEXT,
    client_id  TEXT UNIQUE,
    entered_at TIMESTAMP NOT NULL
);
CREATE INDEX home_visits_house ON home_visits (house_id, visited_on);
CREATE INDEX home_visits_day ON home_visits (visited_on);

-- External platforms whose exports are reconciled against the ledger
-- (seed 000 III): population says which ledger people each should hold.
CREATE TABLE platforms (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    population TEXT NOT NULL CHECK (population IN ('floating', 'all', 'care')),
    mapping    TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO platforms (code, name, population) VALUES
    ('permit', '居住证平台', 'floating'),
    ('floating', '流动人口平台', 'floating'),
    ('police', '公安平台', 'all'),
    ('digital', '数字化平台', 'all'),
    ('care', '重点人员名单', 'care');

CREATE TABLE platform_imports (
    id          TEXT PRIMARY KEY,
    platform    TEXT NOT NULL REFERENCES platforms (code),
    sha256      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    rows_total  INTEGER NOT NULL,
    rows_stored INTEGER NOT NULL,
    report      TEXT NOT NULL,
    UNIQUE (platform, sha256)
);

CREATE TABLE platform_rows (
    import_id  TEXT NOT NULL REFERENCES platform_imports (id),
    row_no     INTEGER NOT NULL,
    id_index   TEXT NOT NULL,
    id_masked  TEXT NOT NULL,
    name       TEXT NOT NULL,
    birth_date TEXT,
    grid_code  TEXT NOT NULL DEFAULT '',
    has_photo  BOOLEAN NOT NULL,
    cancelled  BOOLEAN NOT NULL,
    PRIMARY KEY (import_id, row_no)
);
CREATE INDEX platform_rows_id ON platform_rows (import_id, id_index);

-- Fact values collected for a period, the assessment's input. A collection
-- replaces the whole period's values in one transaction.
CREATE TABLE fact_values (
    period       TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('worker', 'unit')),
    subject_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    value        DOUBLE PRECISION NOT NULL,
    num          DOUBLE PRECISION,
    den          DOUBLE PRECISION,
    evidence     TEXT NOT NULL DEFAULT '[]',
    collected_at TIMESTAMP NOT NULL,
    PRIMARY KEY (period, subject_kind, subject_id, name)
);
CREATE INDEX fact_values_name ON fact_values (period, name);

-- +goose Down
DROP TABLE fact_values;
DROP TABLE platform_rows;
DROP TABLE platform_imports;
DROP TABLE platforms;
DROP TABLE home_visits;
DROP TABLE care_visits;
DROP TABLE care_subjects;
DROP TABLE care_groups;
DROP TABLE record_changes;
DROP TABLE record_requirements;
DROP TABLE record_documents;
DROP TABLE places;
DROP TABLE rental_ratings;
DROP TABLE rental_scans;
DROP TABLE rental_tenants;
DROP TABLE rentals;
DROP TABLE people;
DROP TABLE houses;
DROP TABLE household_classes;
DROP TABLE files;
