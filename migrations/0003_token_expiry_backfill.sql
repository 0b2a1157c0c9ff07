-- Every API token expires (issue 11): tokens made without an expiry get the default maximum
-- lifetime (365 days from their creation) before expires_at becomes NOT NULL.
UPDATE "api_tokens" SET "expires_at" = "created_at" + interval '365 days' WHERE "expires_at" IS NULL;
