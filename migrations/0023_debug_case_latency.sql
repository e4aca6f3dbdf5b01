-- A saved debug case keeps the request body sent and how long the seller's production
-- interface took to answer, for the seller's console.
ALTER TABLE kit_debug_cases ADD COLUMN request TEXT NOT NULL DEFAULT '{}';
ALTER TABLE kit_debug_cases ADD COLUMN latency_ms BIGINT NOT NULL DEFAULT 0;
