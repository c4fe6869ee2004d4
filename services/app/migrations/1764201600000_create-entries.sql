-- Up Migration
CREATE TABLE entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author text NOT NULL CHECK (char_length(author) BETWEEN 1 AND 80),
  message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 2000),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The list is newest first and pages by (created_at, id): one index, scanned
-- backward, serves both the order and the `(created_at, id) < cursor` row
-- comparison, so a page costs the same however deep it is.
CREATE INDEX entries_created_at_id_idx ON entries (created_at, id);

-- Down Migration
DROP TABLE entries;
