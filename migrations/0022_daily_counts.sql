-- Numbers kept per day for the admin console's charts: tokens issued (each instance adds
-- what it counted since it last wrote) and the most browser sessions live at once.
-- `day` is the day's number since 1970-01-01 in the configured zone.
CREATE TABLE daily_counts (
    day    BIGINT NOT NULL,
    metric TEXT NOT NULL,
    value  BIGINT NOT NULL,
    PRIMARY KEY (day, metric)
);
