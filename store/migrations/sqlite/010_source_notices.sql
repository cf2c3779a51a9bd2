-- A reconciliation decision tells the partner whose record opened the case (issue 20, §3): a row
-- of the change feed addressed to that partner alone, carrying the notice (case, decision, its
-- own file position), not the dossier; and the webhook notification that brings it.
ALTER TABLE change_log ADD COLUMN addressed_to TEXT;
ALTER TABLE change_log ADD COLUMN notice TEXT;
ALTER TABLE webhook_outbox ADD COLUMN notice TEXT;
