-- A seller's saved debug cases (调测用例): per app and scenario (the activity), the URL
-- and preset parameters of the last successful debug call with testFlag=1, and the
-- seller's answer. Only successes are saved; a new success replaces the case.
CREATE TABLE kit_debug_cases (
    app_id           TEXT NOT NULL REFERENCES kit_apps (id),
    scenario         TEXT NOT NULL,
    seller_tenant_id TEXT NOT NULL,
    url              TEXT NOT NULL,
    params           TEXT NOT NULL,
    answer           TEXT NOT NULL,
    saved_at         BIGINT NOT NULL,
    PRIMARY KEY (app_id, scenario)
);
