-- The controller named in each consent record (ISO/IEC TS 27560: the PII controller), as the
-- deployment configured it when the record was made; NULL for the records made before.
ALTER TABLE consents ADD COLUMN controller_name TEXT;
ALTER TABLE consents ADD COLUMN controller_contact TEXT;
