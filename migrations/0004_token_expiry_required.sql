ALTER TABLE "api_tokens" DROP CONSTRAINT "api_tokens_expiry_after_creation";--> statement-breakpoint
ALTER TABLE "api_tokens" ALTER COLUMN "expires_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_expiry_after_creation" CHECK ("api_tokens"."expires_at" > "api_tokens"."created_at");