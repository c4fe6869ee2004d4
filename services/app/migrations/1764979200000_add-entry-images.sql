-- Up Migration
-- An entry may carry one image. Paths (images/…, thumbs/…, originals/…) are
-- chosen by the app (content hashes), relative to the root the edge serves
-- them from; the client's file name is metadata.
ALTER TABLE entries
  ADD COLUMN image_path text,
  ADD COLUMN image_type text,
  ADD COLUMN image_width integer,
  ADD COLUMN image_height integer,
  ADD COLUMN thumb_path text,
  ADD COLUMN thumb_width integer,
  ADD COLUMN thumb_height integer,
  ADD COLUMN image_name text CHECK (char_length(image_name) <= 255),
  -- The bytes as uploaded (protected: served only through the secret link)
  -- and the SHA-256 of that link's key, never the key itself.
  ADD COLUMN original_path text,
  ADD COLUMN original_key_hash text,
  ADD CONSTRAINT entries_image_whole CHECK (
    (image_path IS NULL AND image_type IS NULL AND image_width IS NULL AND image_height IS NULL
      AND thumb_path IS NULL AND thumb_width IS NULL AND thumb_height IS NULL AND image_name IS NULL
      AND original_path IS NULL AND original_key_hash IS NULL)
    OR (image_path IS NOT NULL AND image_type IS NOT NULL AND image_width > 0 AND image_height > 0
      AND thumb_path IS NOT NULL AND thumb_width > 0 AND thumb_height > 0 AND image_name IS NOT NULL
      AND original_path IS NOT NULL AND original_key_hash IS NOT NULL)
  );

-- Deleting an entry and the sweeper ask whether any other entry names a file.
CREATE INDEX entries_image_path_idx ON entries (image_path) WHERE image_path IS NOT NULL;
CREATE INDEX entries_thumb_path_idx ON entries (thumb_path) WHERE thumb_path IS NOT NULL;
CREATE INDEX entries_original_path_idx ON entries (original_path) WHERE original_path IS NOT NULL;

-- Down Migration
ALTER TABLE entries
  DROP CONSTRAINT entries_image_whole,
  DROP COLUMN image_path, DROP COLUMN image_type, DROP COLUMN image_width,
  DROP COLUMN image_height, DROP COLUMN thumb_path, DROP COLUMN thumb_width,
  DROP COLUMN thumb_height, DROP COLUMN image_name, DROP COLUMN original_path,
  DROP COLUMN original_key_hash;
