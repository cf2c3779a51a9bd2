-- The language of the notice shown when a consent was collected (ISO/IEC TS 27560: the notice
-- and its language): a BCP 47 tag; the consents recorded before it were given in French.
ALTER TABLE consents ADD COLUMN notice_language TEXT NOT NULL DEFAULT 'fr';
